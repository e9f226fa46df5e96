package dev.drydock.scanner.inventory;

import dev.drydock.image.FileEntry;
import dev.drydock.image.ImageFilesystem;
import dev.drydock.scanner.Distro;
import dev.drydock.scanner.InstalledPackage;
import dev.drydock.scanner.ScanProblem;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Java archives ({@code .jar .war .ear .jpi .hpi}), streamed, with archives nested inside them (Spring Boot's
 * {@code BOOT-INF/lib}, a war's {@code WEB-INF/lib}) read in the same stream. Identity, best source first: every
 * {@code META-INF/maven/<g>/<a>/pom.properties} (a shaded jar holds several), else the manifest
 * ({@code Implementation-Title/Version}, {@code Bundle-SymbolicName/Version}; no group id, so these cannot match
 * Maven advisories), else the file name ({@code name-1.2.3.jar}, likewise no group id).
 *
 * <p>Limits per archive on the image's filesystem, nested ones included: decompressed bytes, entries and nesting
 * depth. An archive that exceeds one is read as far as the limit and reported; the scan goes on.
 */
public final class JavaArchiveInventory implements Inventory {
    private static final Pattern FILE_NAME = Pattern.compile("^(.+?)-(\\d[\\w.+-]*?)\\.(?:jar|war|ear|jpi|hpi)$");
    private static final int SMALL_FILE = 256 * 1024;

    /** Bounds on reading one archive on the image's filesystem (with everything nested in it). */
    public record Limits(long maxBytes, long maxEntries, int maxDepth) {
        public static final Limits DEFAULTS = new Limits(1L << 30, 200_000, 4);
    }

    private final Limits limits;

    public JavaArchiveInventory(Limits limits) {
        this.limits = limits;
    }

    @Override
    public boolean wants(String path) {
        return isArchive(path);
    }

    static boolean isArchive(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".jar") || lower.endsWith(".war") || lower.endsWith(".ear") || lower.endsWith(".jpi")
                || lower.endsWith(".hpi");
    }

    @Override
    public void collect(ImageFilesystem fs, Optional<Distro> distro, List<InstalledPackage> out, List<ScanProblem> problems) {
        for (FileEntry entry : fs.entries()) {
            if (entry.type() != FileEntry.Type.FILE || !isArchive(entry.path())) continue;
            if (!entry.contentAvailable()) {
                problems.add(ScanProblem.notKept(fs, entry.path(), "archive not read"));
                continue;
            }
            Budget budget = new Budget();
            try (InputStream in = fs.open(entry)) {
                readArchive(in, entry, entry.path(), 0, budget, out, problems);
            } catch (IOException e) {
                problems.add(new ScanProblem(entry.path(), "unreadable archive (" + e.getMessage() + ")"));
            }
        }
    }

    /** What one archive on the filesystem may still cost; shared by everything nested in it. */
    private final class Budget {
        long bytes;
        long entries;
        boolean exceeded;

        void count(long n, String where, List<ScanProblem> problems) throws LimitException {
            bytes += n;
            if (bytes > limits.maxBytes) fail(where, "more than " + limits.maxBytes + " decompressed bytes", problems);
        }

        void entry(String where, List<ScanProblem> problems) throws LimitException {
            if (++entries > limits.maxEntries) fail(where, "more than " + limits.maxEntries + " entries", problems);
        }

        private void fail(String where, String what, List<ScanProblem> problems) throws LimitException {
            if (!exceeded) {
                problems.add(new ScanProblem(where, "archive holds " + what + " (a zip bomb?): the rest was not read"));
            }
            exceeded = true;
            throw new LimitException();
        }
    }

    private static final class LimitException extends IOException {
        LimitException() { super("archive limit exceeded"); }
    }

    /** Reads one archive; packages found in it are added after nested ones (so order is stable). */
    private void readArchive(InputStream raw, FileEntry file, String display, int depth, Budget budget,
                             List<InstalledPackage> out, List<ScanProblem> problems) throws IOException {
        Map<String, InstalledPackage> fromPoms = new LinkedHashMap<>();
        Manifest manifest = null;
        ZipInputStream zip = new ZipInputStream(new NoClose(raw));
        int read = 0;
        try {
            ZipEntry ze;
            while ((ze = zip.getNextEntry()) != null) {
                read++;
                budget.entry(display, problems);
                String name = ze.getName();
                if (ze.isDirectory()) continue;
                if (isArchive(name)) {
                    String inner = display + "!" + name;
                    if (depth + 1 >= limits.maxDepth) {
                        problems.add(new ScanProblem(inner, "archives nested more than " + limits.maxDepth
                                + " deep; this one was not read"));
                        drain(zip, budget, display, problems);
                        continue;
                    }
                    try {
                        readArchive(new Counting(zip, budget, display, problems), file, inner, depth + 1, budget, out, problems);
                    } catch (LimitException e) {
                        throw e;
                    } catch (IOException e) {
                        problems.add(new ScanProblem(inner, "unreadable nested archive (" + e.getMessage() + ")"));
                    }
                    drain(zip, budget, display, problems);
                } else if (name.startsWith("META-INF/maven/") && name.endsWith("/pom.properties")) {
                    Properties p = new Properties();
                    p.load(new ByteArrayInputStream(small(zip, budget, display, problems)));
                    String g = p.getProperty("groupId"), a = p.getProperty("artifactId"), v = p.getProperty("version");
                    if (g != null && a != null && v != null && !g.isBlank() && !a.isBlank() && !v.isBlank()) {
                        String coordinates = g.strip() + ":" + a.strip();
                        fromPoms.putIfAbsent(coordinates,
                                Inventory.found(file, display, "Maven", coordinates, v.strip(), null, null));
                    }
                } else if (name.equals("META-INF/MANIFEST.MF")) {
                    manifest = new Manifest(new ByteArrayInputStream(small(zip, budget, display, problems)));
                } else {
                    drain(zip, budget, display, problems);
                }
            }
        } catch (LimitException e) {
            if (depth > 0) throw e;
        } catch (IOException | RuntimeException e) {
            problems.add(new ScanProblem(display, "archive read stopped (" + e.getMessage() + "); what was read before is kept"));
        }
        if (read == 0) problems.add(new ScanProblem(display, "no zip entries could be read: not a zip archive, or truncated"));
        if (!fromPoms.isEmpty()) {
            out.addAll(fromPoms.values());
            return;
        }
        identityWithoutPom(file, display, manifest).ifPresent(out::add);
    }

    private static Optional<InstalledPackage> identityWithoutPom(FileEntry file, String display, Manifest manifest) {
        if (manifest != null) {
            var attrs = manifest.getMainAttributes();
            String title = firstNonBlank(attrs.getValue("Implementation-Title"), attrs.getValue("Bundle-SymbolicName"));
            String version = firstNonBlank(attrs.getValue("Implementation-Version"), attrs.getValue("Bundle-Version"));
            if (title != null && version != null) {
                if (title.contains(";")) title = title.substring(0, title.indexOf(';')).strip();
                return Optional.of(Inventory.found(file, display, "Maven", title, version, null, null));
            }
        }
        String base = display.substring(Math.max(display.lastIndexOf('/'), display.lastIndexOf('!')) + 1);
        Matcher m = FILE_NAME.matcher(base);
        if (m.matches()) return Optional.of(Inventory.found(file, display, "Maven", m.group(1), m.group(2), null, null));
        return Optional.empty();
    }

    private static String firstNonBlank(String a, String b) {
        if (a != null && !a.isBlank()) return a.strip();
        return b != null && !b.isBlank() ? b.strip() : null;
    }

    private byte[] small(ZipInputStream zip, Budget budget, String display, List<ScanProblem> problems) throws IOException {
        byte[] bytes = zip.readNBytes(SMALL_FILE);
        budget.count(bytes.length, display, problems);
        drain(zip, budget, display, problems);
        return bytes;
    }

    /** Reads the rest of the current entry, counting its decompressed bytes against the budget. */
    private static void drain(ZipInputStream zip, Budget budget, String display, List<ScanProblem> problems)
            throws IOException {
        byte[] scratch = new byte[32 * 1024];
        int n;
        while ((n = zip.read(scratch)) > 0) budget.count(n, display, problems);
    }

    /** Counts bytes a nested archive's reader pulls out of the enclosing entry. */
    private static final class Counting extends FilterInputStream {
        private final Budget budget;
        private final String display;
        private final List<ScanProblem> problems;

        Counting(InputStream in, Budget budget, String display, List<ScanProblem> problems) {
            super(in);
            this.budget = budget;
            this.display = display;
            this.problems = problems;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) budget.count(1, display, problems);
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) budget.count(n, display, problems);
            return n;
        }

        @Override
        public void close() {}
    }

    private static final class NoClose extends FilterInputStream {
        NoClose(InputStream in) { super(in); }

        @Override
        public void close() {}
    }
}
