package dev.drydock.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.drydock.image.ExtractionLimits;
import dev.drydock.image.FileInterest;
import dev.drydock.image.ImageFilesystem;
import dev.drydock.image.ImageReader;
import dev.drydock.image.LayerPass;
import dev.drydock.image.LocalImage;
import dev.drydock.image.LocalImages;
import dev.drydock.image.ResolvedImage;
import dev.drydock.oci.Digest;
import dev.drydock.scanner.ScanResult;
import dev.drydock.scanner.Scanner;
import dev.drydock.scanner.advisory.AdvisoryIndex;
import dev.drydock.scanner.advisory.OsvParser;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Image reading benchmark: times one {@link LayerPass} over a generated gzip image (what the compliance pipeline
 * does to find {@code /var/manifest.json}) against {@code gzip -dc} of the same layers, one after the other, to
 * /dev/null: the cost of just decompressing. Runs alternate (A B, B A, …); the medians and their ratio are printed.
 *
 * <pre>
 * java -cp … dev.drydock.bench.ImagePassBench [--work DIR] [--mib 1024] [--layers 20] [--reps 5] [--once]
 * </pre>
 * The image is an OCI layout under {@code --work} (default: the temp dir), generated once and reused: per layer,
 * several hundred files mixing generated text (compresses ~3–4×) and random bytes (does not compress), about half
 * the bytes each, gzip level 6.
 */
public final class ImagePassBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MIB = 1024 * 1024;
    /** --scan: the generated image carries packages, and each pass is followed by a scan. */
    static boolean withPackages;
    static Scanner scanner;
    static String lastScan = "";

    public static void main(String[] args) throws Exception {
        Path work = Path.of(System.getProperty("java.io.tmpdir"));
        long mib = 1024;
        int layers = 20;
        int reps = 5;
        boolean once = false;
        boolean scan = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--work" -> work = Path.of(args[++i]);
                case "--mib" -> mib = Long.parseLong(args[++i]);
                case "--layers" -> layers = Integer.parseInt(args[++i]);
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--once" -> once = true;
                case "--scan" -> scan = true;
                case "-h", "--help" -> {
                    System.out.println("options: --work DIR (parent of the generated image) --mib 1024 --layers 20 --reps 5\n"
                            + "  --scan: the image also holds Java archives and an apk database; the pass keeps Scanner.INTEREST too and the\n"
                            + "    scanner inventories and matches them (against the project's OSV fixtures)\n"
                            + "  --once: one pass and no baseline, to time the whole process from outside (with /usr/bin/time -v)");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (see --help)");
            }
        }
        withPackages = scan;
        Path layout = work.resolve("drydock-image-bench-" + mib + "m-" + layers + "l" + (scan ? "-pkg" : ""));
        if (!Files.exists(layout.resolve("index.json"))) generate(layout, mib * MIB, layers);
        LocalImage image = LocalImages.open(layout);
        ResolvedImage resolved = ImageReader.resolve(image.source(), image.top());
        List<String> gzip = new ArrayList<>(List.of("gzip", "-dc"));
        long compressed = 0;
        for (ResolvedImage.Layer layer : resolved.layers()) {
            gzip.add(layout.resolve("blobs/sha256/" + layer.digest().hex()).toString());
            compressed += layer.size();
        }
        System.out.printf(Locale.ROOT, "image: %s, %d layers, %.0f MiB compressed, %d processors%n", layout,
                resolved.layers().size(), compressed / (double) MIB, Runtime.getRuntime().availableProcessors());
        Path scratch = Files.createTempDirectory(work, "drydock-image-bench-work");
        if (scan) scanner = fixtureScanner();
        if (once) {
            long start = System.nanoTime();
            passOnce(image, resolved, scratch);
            System.out.printf(Locale.ROOT, "one LayerPass (cold JVM): %.2f s%n", (System.nanoTime() - start) / 1e9);
            Files.delete(scratch);
            return;
        }
        double[] pass = new double[reps];
        double[] baseline = new double[reps];
        long uncompressed = 0;
        passOnce(image, resolved, scratch); // warm-up: JIT and page cache, not counted
        for (int rep = 0; rep < reps; rep++) {
            boolean passFirst = rep % 2 == 0;
            if (!passFirst) baseline[rep] = gunzip(gzip);
            long start = System.nanoTime();
            uncompressed = passOnce(image, resolved, scratch);
            pass[rep] = (System.nanoTime() - start) / 1e9;
            if (passFirst) baseline[rep] = gunzip(gzip);
            System.out.printf(Locale.ROOT, "rep %d: LayerPass%s %.2f s, gzip -dc %.2f s, ratio %.2f%s%n", rep + 1,
                    scan ? " + scan" : "", pass[rep], baseline[rep], pass[rep] / baseline[rep], scan ? " (" + lastScan + ")" : "");
        }
        Files.delete(scratch);
        double passMedian = median(pass);
        double baselineMedian = median(baseline);
        System.out.printf(Locale.ROOT, "%nuncompressed %.0f MiB%n%-28s %10s %10s %8s%n", uncompressed / (double) MIB,
                "median of " + reps, scan ? "pass+scan" : "LayerPass", "gzip -dc", "ratio");
        System.out.printf(Locale.ROOT, "%-28s %9.2fs %9.2fs %8.2f   (target <= 1.2)%n", "read 1 image, all layers",
                passMedian, baselineMedian, passMedian / baselineMedian);
    }

    static long passOnce(LocalImage image, ResolvedImage resolved, Path scratch) throws Exception {
        FileInterest interest = FileInterest.paths("var/manifest.json");
        if (scanner != null) interest = interest.or(Scanner.INTEREST);
        try (ImageFilesystem fs = LayerPass.read(image.source(), resolved, interest,
                scanner != null ? Scanner.EXTRACTION_LIMITS : ExtractionLimits.DEFAULTS, scratch)) {
            if (fs.resolve("var/manifest.json").isEmpty()) throw new IllegalStateException("the bench image lost its manifest");
            if (scanner != null) {
                ScanResult result = scanner.scan(fs, resolved.layers().stream().map(l -> l.digest().toString()).toList());
                if (result.packages().size() < resolved.layers().size() || result.findings().isEmpty()) {
                    throw new IllegalStateException("the scan missed the bench image's packages: " + result.packages().size()
                            + " packages, " + result.findings().size() + " findings, problems " + result.problems());
                }
                lastScan = result.packages().size() + " packages, " + result.findings().size() + " findings";
            }
            return fs.layerSizes().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** The scanner over the project's OSV fixtures (drydock-scanner's test resources), read from the repository. */
    static Scanner fixtureScanner() throws Exception {
        AdvisoryIndex.Builder index = AdvisoryIndex.builder();
        int count = 0;
        for (String dir : List.of("maven", "debian")) {
            try (var files = Files.list(Path.of("drydock-scanner/src/test/resources/osv", dir))) {
                for (Path p : files.toList()) {
                    index.add(OsvParser.parse(Files.readAllBytes(p)));
                    count++;
                }
            }
        }
        return new Scanner(index.build("bench fixtures (" + count + " advisories)", java.time.Instant.now()));
    }

    private static double gunzip(List<String> command) throws Exception {
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        if (process.waitFor() != 0) throw new IllegalStateException("gzip -dc failed");
        return (System.nanoTime() - start) / 1e9;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    // ------------------------------------------------------------------ the generated image

    static void generate(Path layout, long totalBytes, int layerCount) throws Exception {
        System.out.printf(Locale.ROOT, "generating a %d MiB, %d-layer image in %s (once)...%n", totalBytes / MIB, layerCount, layout);
        Path partial = Files.createDirectories(layout.resolveSibling(layout.getFileName() + ".partial"));
        Path blobs = Files.createDirectories(partial.resolve("blobs/sha256"));
        ExecutorService pool = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
        List<Future<String[]>> written = new ArrayList<>();
        for (int i = 0; i < layerCount; i++) {
            int layer = i;
            written.add(pool.submit(() -> writeLayer(blobs, layer, layer == layerCount - 1, totalBytes / layerCount)));
        }
        ObjectNode config = JSON.createObjectNode().put("architecture", "amd64").put("os", "linux");
        config.putObject("config").putArray("Entrypoint").add("/app/adapter");
        ArrayNode diffIds = config.putObject("rootfs").put("type", "layers").putArray("diff_ids");
        ArrayNode history = config.putArray("history");
        ObjectNode manifest = JSON.createObjectNode().put("schemaVersion", 2)
                .put("mediaType", "application/vnd.oci.image.manifest.v1+json");
        ArrayNode layers = JSON.createArrayNode();
        for (Future<String[]> future : written) {
            String[] layer = future.get(); // digest, size, diffId
            diffIds.add(layer[2]);
            history.addObject().put("created_by", "COPY layer " + history.size());
            layers.addObject().put("mediaType", "application/vnd.oci.image.layer.v1.tar+gzip").put("digest", layer[0])
                    .put("size", Long.parseLong(layer[1]));
        }
        pool.shutdown();
        byte[] configBytes = JSON.writeValueAsBytes(config);
        Digest configDigest = write(blobs, configBytes);
        manifest.putObject("config").put("mediaType", "application/vnd.oci.image.config.v1+json")
                .put("digest", configDigest.toString()).put("size", configBytes.length);
        manifest.set("layers", layers);
        byte[] manifestBytes = JSON.writeValueAsBytes(manifest);
        Digest manifestDigest = write(blobs, manifestBytes);
        Files.writeString(partial.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Files.writeString(partial.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
                + "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + manifestDigest + "\",\"size\":"
                + manifestBytes.length + "}]}");
        Files.move(partial, layout);
    }

    private static Digest write(Path blobs, byte[] content) throws IOException {
        Digest digest = Digest.sha256(content);
        Files.write(blobs.resolve(digest.hex()), content);
        return digest;
    }

    /** One layer of about {@code bytes} uncompressed: returns its digest, compressed size and diff_id. */
    private static String[] writeLayer(Path blobs, int layer, boolean withManifest, long bytes) throws Exception {
        SplittableRandom random = new SplittableRandom(layer);
        Path temp = Files.createTempFile(blobs, "layer", ".tmp");
        MessageDigest compressedDigest = MessageDigest.getInstance("SHA-256");
        MessageDigest diffId = MessageDigest.getInstance("SHA-256");
        try (OutputStream file = Files.newOutputStream(temp);
             DigestOutputStream hashedFile = new DigestOutputStream(file, compressedDigest);
             GZIPOutputStream gzip = new GZIPOutputStream(hashedFile, 1 << 16);
             DigestOutputStream hashedTar = new DigestOutputStream(gzip, diffId);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(hashedTar)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            long written = 0;
            for (int index = 0; written < bytes; index++) {
                // Text files are small and many, binaries fewer and larger, as in a typical application layer: ten text
                // files to one binary makes about half the bytes text.
                boolean text = random.nextInt(11) != 0;
                int size = text ? 1024 + random.nextInt(96 * 1024) : 16 * 1024 + random.nextInt(1024 * 1024);
                size = (int) Math.min(size, Math.max(1, bytes - written));
                byte[] content = text ? text(random, size) : randomBytes(random, size);
                String name = "opt/layer" + layer + "/" + (text ? "doc/" : "bin/") + (index / 100) + "/file" + index + (text ? ".txt" : ".bin");
                TarArchiveEntry entry = new TarArchiveEntry(name);
                entry.setSize(content.length);
                tar.putArchiveEntry(entry);
                tar.write(content);
                tar.closeArchiveEntry();
                written += content.length;
            }
            if (withPackages) writePackages(tar, random, layer);
            if (withManifest) {
                byte[] manifest = "{\"engineId\":\"bench\",\"category\":\"pull\"}".getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry entry = new TarArchiveEntry("var/manifest.json");
                entry.setSize(manifest.length);
                tar.putArchiveEntry(entry);
                tar.write(manifest);
                tar.closeArchiveEntry();
            }
        }
        Digest digest = Digest.of("sha256", compressedDigest);
        long size = Files.size(temp);
        Files.move(temp, blobs.resolve(digest.hex()));
        return new String[] {digest.toString(), Long.toString(size), Digest.of("sha256", diffId).toString()};
    }

    /**
     * What an application image holds for the scanner: three Java archives per layer (compressed class-like entries
     * and a {@code pom.properties}; layer 0's first one is log4j-core 2.14.1, so the scan has findings to make) and,
     * in layer 0, Alpine's os-release and apk database from drydock-scanner's test resources.
     */
    private static void writePackages(TarArchiveOutputStream tar, SplittableRandom random, int layer) throws IOException {
        for (int j = 0; j < 3; j++) {
            boolean log4j = layer == 0 && j == 0;
            String group = log4j ? "org.apache.logging.log4j" : "org.example.bench";
            String artifact = log4j ? "log4j-core" : "lib" + layer + "-" + j;
            String version = log4j ? "2.14.1" : "1." + layer + "." + j;
            java.io.ByteArrayOutputStream jar = new java.io.ByteArrayOutputStream();
            try (ZipOutputStream zip = new ZipOutputStream(jar)) {
                zip.putNextEntry(new ZipEntry("META-INF/maven/" + group + "/" + artifact + "/pom.properties"));
                zip.write(("groupId=" + group + "\nartifactId=" + artifact + "\nversion=" + version + "\n").getBytes(StandardCharsets.UTF_8));
                for (int k = 0; k < 40; k++) {
                    zip.putNextEntry(new ZipEntry("org/example/C" + k + ".class"));
                    zip.write(k % 2 == 0 ? text(random, 16 * 1024) : randomBytes(random, 16 * 1024));
                }
            }
            tarFile(tar, "opt/layer" + layer + "/lib/" + artifact + "-" + version + ".jar", jar.toByteArray());
        }
        if (layer == 0) {
            for (String[] f : new String[][]{{"alpine/os-release", "etc/os-release"}, {"alpine/installed", "lib/apk/db/installed"}}) {
                tarFile(tar, f[1], Files.readAllBytes(Path.of("drydock-scanner/src/test/resources", f[0])));
            }
        }
    }

    private static void tarFile(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(content.length);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    private static final String[] WORDS = ("adapter engine layer image registry manifest digest config build report check "
            + "verdict pipeline sandbox network token robot webhook scanner package version vulnerability the a of to and "
            + "in is for on with that this from by as be are it or an at not").split(" ");

    private static byte[] text(SplittableRandom random, int size) {
        StringBuilder text = new StringBuilder(size + 16);
        while (text.length() < size) {
            text.append(WORDS[random.nextInt(WORDS.length)]).append(random.nextInt(12) == 0 ? ".\n" : " ");
            if (random.nextInt(40) == 0) text.append(random.nextInt(1_000_000)).append(' ');
        }
        return Arrays.copyOf(text.toString().getBytes(StandardCharsets.US_ASCII), size);
    }

    private static byte[] randomBytes(SplittableRandom random, int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i += 8) {
            long value = random.nextLong();
            for (int j = 0; j < 8 && i + j < size; j++) bytes[i + j] = (byte) (value >>> (8 * j));
        }
        return bytes;
    }
}
