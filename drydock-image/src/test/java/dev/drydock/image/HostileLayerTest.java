package dev.drydock.image;

import dev.drydock.oci.Digest;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Layers written to hurt: every one must end in an ImageException that names the layer and the entry, except a
 * wanted file over the per-file limit, which is listed without its bytes.
 */
class HostileLayerTest {
    private static final ExtractionLimits SMALL = new ExtractionLimits(1024, 64L << 20, 1000, 200, 20);
    @TempDir
    Path temp;
    Path workDir;
    final TestImage source = new TestImage();

    @BeforeEach
    void workDir() throws IOException {
        workDir = Files.createDirectory(temp.resolve("work"));
    }

    @AfterEach
    void nothingLeftBehindAndNothingWrittenOutside() throws IOException {
        try (Stream<Path> all = Files.walk(temp)) {
            assertThat(all.filter(p -> !p.equals(temp) && !p.equals(workDir)).toList())
                    .as("a failed pass deletes what it kept, and never writes outside its work directory").isEmpty();
        }
    }

    private Digest image(byte[]... layers) throws Exception {
        TestImage.Builder builder = source.image().layer(new TestTar().file("ok", "fine").gzip(), "base");
        for (byte[] layer : layers) builder.layer(layer, "RUN hostile");
        return builder.push();
    }

    private String layerDigest(byte[] layer) {
        return Digest.sha256(layer).toString();
    }

    private ImageException failure(Digest manifest, ExtractionLimits limits) {
        try {
            ImageFilesystem fs = LayerPass.read(source, ImageReader.resolve(source, manifest),
                    FileInterest.paths("ok", "var/manifest.json"), limits, workDir);
            fs.close();
        } catch (ImageException e) {
            return e;
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("the pass succeeded");
    }

    @Test
    void dotDotEntriesThatEscapeTheRootAreRejected() throws Exception {
        byte[] layer = new TestTar().file("../../etc/passwd", "root::0:0").gzip();
        assertThat(failure(image(layer), ExtractionLimits.DEFAULTS)).hasMessage("layer " + layerDigest(layer)
                + " contains an entry '../../etc/passwd' that escapes the image root: rebuild the layer");
    }

    @Test
    void aHardlinkOutOfTheRootIsRejected() throws Exception {
        byte[] layer = new TestTar().hardlink("shadow", "../etc/shadow").gzip();
        assertThat(failure(image(layer), ExtractionLimits.DEFAULTS).getMessage())
                .contains(layerDigest(layer), "hardlink 'shadow'", "'../etc/shadow'", "outside the image root");
    }

    @Test
    void tooManyEntriesStopThePass() throws Exception {
        TestTar tar = new TestTar();
        for (int i = 0; i < 5000; i++) tar.file("many/" + i, "");
        byte[] layer = tar.gzip();
        assertThat(failure(image(layer), SMALL).getMessage()).contains("more than 1000 files and directories",
                layerDigest(layer), "remove files or squash layers");
    }

    @Test
    void aLongPathIsRejected() throws Exception {
        String name = "d/" + "x".repeat(300);
        byte[] layer = new TestTar().file(name, "x").gzip();
        assertThat(failure(image(layer), SMALL).getMessage())
                .contains(layerDigest(layer), "302 characters long", "more than the 200", "shorten the path");
    }

    @Test
    void aDeepPathIsRejected() throws Exception {
        byte[] layer = new TestTar().file("a/".repeat(30) + "f", "x").gzip();
        assertThat(failure(image(layer), SMALL).getMessage())
                .contains(layerDigest(layer), "nested 31 directories deep", "more than the 20", "flatten");
    }

    @Test
    void aWantedFileOverThePerFileLimitIsListedButNotKept() throws Exception {
        byte[] layer = new TestTar().file("var/manifest.json", new byte[5000]).file("after", "read on").gzip();
        try (ImageFilesystem fs = LayerPass.read(source, ImageReader.resolve(source, image(layer)),
                FileInterest.paths("ok", "var/manifest.json", "after"), SMALL, workDir)) {
            FileEntry big = fs.lookup("var/manifest.json").orElseThrow();
            assertThat(big.size()).isEqualTo(5000);
            assertThat(big.contentAvailable()).isFalse();
            assertThat(fs.notKept("/var/manifest.json"))
                    .hasValue("not kept: 5000 bytes, more than the 1 KiB Drydock keeps of one file");
            assertThat(fs.notKept()).containsOnlyKeys("var/manifest.json");
            assertThat(fs.lookup("after").orElseThrow().contentAvailable()).as("the pass goes on after it").isTrue();
            try (InputStream in = fs.open(fs.lookup("after").orElseThrow())) {
                assertThat(new String(in.readAllBytes())).isEqualTo("read on");
            }
        }
    }

    @Test
    void aSmallerFileInALaterLayerReplacesANotKeptOne() throws Exception {
        byte[] big = new TestTar().file("var/manifest.json", new byte[5000]).gzip();
        byte[] small = new TestTar().file("var/manifest.json", "{}").gzip();
        try (ImageFilesystem fs = LayerPass.read(source, ImageReader.resolve(source, image(big, small)),
                FileInterest.paths("var/manifest.json"), SMALL, workDir)) {
            assertThat(fs.lookup("var/manifest.json").orElseThrow().contentAvailable()).isTrue();
            assertThat(fs.notKept()).isEmpty();
        }
    }

    /** A tar entry declaring 64 GiB, its data a gzip stream of ~8 MiB: stopped at maxTotalBytes, quickly. */
    @Test
    void aGzipBombIsCutAtTheTotalLimit() throws Exception {
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        TarArchiveOutputStream tar = new TarArchiveOutputStream(header);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        TarArchiveEntry entry = new TarArchiveEntry("bomb");
        entry.setSize(64L << 30);
        tar.putArchiveEntry(entry);
        tar.flush(); // the header only: the entry is never finished
        ByteArrayOutputStream bomb = new ByteArrayOutputStream();
        bomb.write(TestTar.gzip(header.toByteArray()));
        byte[] zeros = TestTar.gzip(new byte[1 << 20]); // gzip members concatenate: each adds 1 MiB of zeros
        for (int i = 0; i < 8192; i++) bomb.write(zeros);
        byte[] layer = bomb.toByteArray();
        long start = System.nanoTime();
        ImageException e = failure(image(layer), new ExtractionLimits(1024, 256L << 20, 1000, 200, 20));
        assertThat(e.getMessage()).contains("decompresses to more than 256 MiB", layerDigest(layer), "'bomb'", "decompression bomb");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(10_000);
    }

    /**
     * Issue 16: a 4 GiB file of zeros, streamed through GZIPOutputStream (about 4 MiB), once passed the 32 GiB total
     * limit and cost the engine 8 GiB per run. It expands 1030 times its size: the pass stops at 1 GiB (the ratio bound's
     * minimum), having read about a quarter of the blob, and names the layer, its step, the sizes and the fix. (The
     * layer is built as gzip members, which concatenate, so the test compresses 256 MiB of zeros once, not 4 GiB.)
     */
    @Test
    void aGzipBombLayerFailsOnItsRatioNamingTheLayerAndStopsReadingEarly() throws Exception {
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        TarArchiveOutputStream tar = new TarArchiveOutputStream(header);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        TarArchiveEntry entry = new TarArchiveEntry("data/disk.img");
        entry.setSize(4L << 30);
        tar.putArchiveEntry(entry);
        tar.flush(); // the header; the data and the end of the archive are all zeros
        ByteArrayOutputStream zerosMember = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(zerosMember, 1 << 16)) {
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 256; i++) gzip.write(zeros);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(TestTar.gzip(header.toByteArray()));
        for (int i = 0; i < 16; i++) zerosMember.writeTo(out);
        out.write(TestTar.gzip(new byte[1024]));
        byte[] layer = out.toByteArray();
        assertThat(layer.length).isBetween(3_000_000, 6_000_000);
        Digest manifest = source.image().layer(new TestTar().file("ok", "fine").gzip(), "base")
                .layer(layer, "/bin/sh -c dd if=/dev/zero of=/data/disk.img bs=1M count=4096").push();
        long[] served = new long[1];
        ImageSource counting = countingSource(Digest.sha256(layer), served);
        long start = System.nanoTime();
        ImageException e;
        try {
            LayerPass.read(counting, ImageReader.resolve(source, manifest), path -> false, ExtractionLimits.DEFAULTS, workDir).close();
            throw new AssertionError("the pass succeeded");
        } catch (ImageException failure) {
            e = failure;
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(e.getMessage()).startsWith("layer " + layerDigest(layer)
                        + " (layer 2, /bin/sh -c dd if=/dev/zero of=/data/disk.img bs=1M count=4096) is a decompression bomb: its ")
                .contains("(" + layer.length + " bytes) compressed expand to more than 1.0 GiB, over 2", " times their size",
                        "at entry 'data/disk.img'", "create them when the engine starts");
        assertThat(served[0]).as("bytes of the bomb read before stopping").isLessThan(layer.length / 2);
        assertThat(millis).isLessThan(20_000);
    }

    /**
     * Real content passes the ratio bound, also with a big zero-filled file in it (and first in it: the bound compares
     * with the whole blob, so the order of entries does not matter), and a tiny layer of zeros is never flagged.
     */
    @Test
    void aLegitimateLayerWithAZeroFilledFilePassesTheRatioBound() throws Exception {
        java.util.Random random = new java.util.Random(16);
        String[] words = {"engine", "adapter", "chunk", "transcript", "model", "weights", "{\"id\":", "\"series\":[", "0.93,", "true"};
        StringBuilder text = new StringBuilder();
        while (text.length() < 8 << 20) text.append(words[random.nextInt(words.length)]).append(random.nextInt(1000)).append(' ');
        byte[] content = new TestTar().file("var/lib/engine/prealloc.db", new byte[24 << 20])
                .file("app/model.json", text.toString()).gzip();
        byte[] tinyZeros = new TestTar().file("zeros", new byte[4 << 20]).gzip();
        assertThat((double) (32 << 20) / content.length).as("the layer's ratio").isBetween(5.0, 100.0);
        assertThat((double) (4 << 20) / tinyZeros.length).as("the tiny layer's ratio").isGreaterThan(500.0);
        // the minimum lowered to 1 MiB so the bound is in force for these small layers
        ExtractionLimits strict = ExtractionLimits.DEFAULTS.withLayerRatio(200, 1 << 20);
        try (ImageFilesystem fs = LayerPass.read(source, ImageReader.resolve(source, image(content)), path -> false, strict, workDir)) {
            assertThat(fs.lookup("var/lib/engine/prealloc.db").orElseThrow().size()).isEqualTo(24 << 20);
        }
        try (ImageFilesystem fs = LayerPass.read(source, ImageReader.resolve(source, image(tinyZeros)), path -> false,
                ExtractionLimits.DEFAULTS, workDir)) {
            assertThat(fs.lookup("zeros").orElseThrow().size()).isEqualTo(4 << 20);
        }
        assertThat(failure(image(tinyZeros), ExtractionLimits.DEFAULTS.withLayerRatio(200, 1 << 20)).getMessage())
                .contains("is a decompression bomb", "more than 1.0 MiB");
    }

    /** The total bound is for the image: layers that each stay under it fail together, wherever the sum crosses it. */
    @Test
    void theUncompressedSizeIsBoundedForTheWholeImage() throws Exception {
        java.util.Random random = new java.util.Random(7);
        byte[][] layers = new byte[3][];
        for (int i = 0; i < layers.length; i++) {
            byte[] noise = new byte[3 << 20];
            random.nextBytes(noise);
            layers[i] = new TestTar().file("part" + i, noise).gzip();
        }
        Digest manifest = image(layers);
        ExtractionLimits eightMiB = ExtractionLimits.DEFAULTS.withMaxTotalBytes(8L << 20);
        assertThat(failure(manifest, eightMiB).getMessage()).startsWith("the image decompresses to more than 8 MiB (reached in layer sha256:")
                .contains("make it smaller");
        try (ImageFilesystem fs = LayerPass.read(source, ImageReader.resolve(source, manifest), path -> false,
                ExtractionLimits.DEFAULTS.withMaxTotalBytes(16L << 20), workDir)) {
            assertThat(fs.entries()).hasSizeGreaterThanOrEqualTo(4);
        }
    }

    /** {@link #source}, counting the bytes served of one blob. */
    private ImageSource countingSource(Digest counted, long[] served) {
        return new ImageSource() {
            @Override public java.util.Optional<Manifest> manifest(Digest digest) { return source.manifest(digest); }
            @Override public java.util.Optional<Long> blobSize(Digest digest) { return source.blobSize(digest); }
            @Override public InputStream blob(Digest digest) {
                InputStream in = source.blob(digest);
                if (!digest.equals(counted)) return in;
                return new java.io.FilterInputStream(in) {
                    @Override public int read(byte[] b, int off, int len) throws IOException {
                        int n = super.read(b, off, len);
                        if (n > 0) served[0] += n;
                        return n;
                    }
                };
            }
        };
    }

    /** The tar library reads a long name whole into memory: a 64 MiB one (a few KiB gzipped) must stop early. */
    @Test
    void aHugeLongNameHeaderIsCutBeforeItIsRead() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(out))) {
            // Written as GNU tar does: a ././@LongLink entry whose data is the next entry's name.
            TarArchiveEntry longName = new TarArchiveEntry("././@LongLink", org.apache.commons.compress.archivers.tar.TarConstants.LF_GNUTYPE_LONGNAME);
            longName.setSize(64 << 20);
            tar.putArchiveEntry(longName);
            byte[] chunk = "n".repeat(1 << 20).getBytes();
            for (int i = 0; i < 64; i++) tar.write(chunk);
            tar.closeArchiveEntry();
        }
        byte[] layer = out.toByteArray();
        assertThat(failure(image(layer), ExtractionLimits.DEFAULTS).getMessage())
                .contains(layerDigest(layer), "tar header (a long name or PAX extended header)", "larger than 1 MiB", "rebuild");
    }

    /**
     * A PAX sparse file (GNU tar --sparse) of 1 GiB in a 10 KiB tar: its holes cost nothing to skip, but the
     * bytes kept of it are bounded like any file's: over the limit it is listed, not kept. (commons-compress 1.28 cannot parse a sparse file's size
     * above 2 GiB: such a layer fails as corrupt.)
     */
    @Test
    void aSparseFileIsIndexedAtItsRealSizeAndKeptOnlyWithinTheLimit() throws Exception {
        byte[] layer;
        try (InputStream in = getClass().getResourceAsStream("/layers/sparse-1gib.tar")) {
            layer = TestTar.gzip(in.readAllBytes());
        }
        Digest manifest = image(layer);
        long start = System.nanoTime();
        try (ImageFilesystem fs = LayerPass.read(source, ImageReader.resolve(source, manifest), path -> false,
                ExtractionLimits.DEFAULTS, workDir)) {
            assertThat(fs.lookup("huge").orElseThrow().size()).isEqualTo((1L << 30) + 3);
        }
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(10_000);
        try (ImageFilesystem fs = LayerPass.read(source, ImageReader.resolve(source, manifest), FileInterest.paths("huge"),
                SMALL, workDir)) {
            assertThat(fs.lookup("huge").orElseThrow().contentAvailable()).isFalse();
            assertThat(fs.notKept("huge").orElseThrow()).contains("more than the 1 KiB");
        }
    }

    @Test
    void aTruncatedGzipLayerIsAnErrorNamingTheLayer() throws Exception {
        byte[] whole = new TestTar().file("a", new byte[200_000]).file("b", "b").gzip();
        byte[] layer = Arrays.copyOf(whole, whole.length / 2);
        assertThat(failure(image(layer), ExtractionLimits.DEFAULTS).getMessage())
                .startsWith("layer " + layerDigest(layer) + " is corrupt or truncated").contains("push it again");
    }

    @Test
    void aCorruptGzipLayerIsAnErrorNamingTheLayer() throws Exception {
        byte[] layer = new TestTar().file("a", "x".repeat(10_000)).gzip();
        for (int i = 20; i < 40; i++) layer[i] ^= 0x5a;
        assertThat(failure(image(layer), ExtractionLimits.DEFAULTS).getMessage())
                .startsWith("layer " + layerDigest(layer) + " is corrupt or truncated");
    }

    @Test
    void aTruncatedTarIsAnErrorNamingTheLayerAndEntry() throws Exception {
        byte[] whole = new TestTar().file("first", "1").file("big", new byte[100_000]).tar();
        byte[] layer = TestTar.gzip(Arrays.copyOf(whole, 50_000));
        assertThat(failure(image(layer), ExtractionLimits.DEFAULTS).getMessage())
                .contains(layerDigest(layer), "corrupt or truncated", "'big'");
    }

    @Test
    void aLayerThatIsNotATarIsNamedWithItsFirstBytes() throws Exception {
        byte[] layer = "PK\u0003\u0004 this is a zip".getBytes();
        assertThat(failure(image(layer), ExtractionLimits.DEFAULTS).getMessage())
                .contains(layerDigest(layer), "neither an uncompressed tar nor gzip or zstd", "50 4b 03 04");
    }

    @Test
    void anInterruptStopsThePassPromptly() throws Exception {
        // A source whose layer never ends: only the interrupt can stop the pass.
        byte[] header;
        {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            TarArchiveOutputStream tar = new TarArchiveOutputStream(out);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            TarArchiveEntry entry = new TarArchiveEntry("endless");
            entry.setSize(1L << 50);
            tar.putArchiveEntry(entry);
            tar.flush();
            header = out.toByteArray();
        }
        Digest manifest = image(header);
        Digest endlessLayer = Digest.sha256(header);
        CountDownLatch reading = new CountDownLatch(1);
        ImageSource endless = new ImageSource() {
            @Override public java.util.Optional<Manifest> manifest(Digest digest) { return source.manifest(digest); }
            @Override public java.util.Optional<Long> blobSize(Digest digest) { return source.blobSize(digest); }
            @Override public InputStream blob(Digest digest) {
                if (!digest.equals(endlessLayer)) return source.blob(digest);
                return new InputStream() {
                    private int offset;
                    @Override public int read() { throw new UnsupportedOperationException(); }
                    @Override public int read(byte[] b, int off, int len) {
                        reading.countDown();
                        if (offset < header.length) {
                            int n = Math.min(len, header.length - offset);
                            System.arraycopy(header, offset, b, off, n);
                            offset += n;
                            return n;
                        }
                        Arrays.fill(b, off, off + len, (byte) 0);
                        return len;
                    }
                };
            }
        };
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try {
            Future<?> pass = caller.submit(() -> LayerPass.read(endless, ImageReader.resolve(source, manifest), path -> false,
                    new ExtractionLimits(1024, Long.MAX_VALUE, 1000, 200, 20), workDir));
            assertThat(reading.await(10, TimeUnit.SECONDS)).isTrue();
            Thread.sleep(200);
            long start = System.nanoTime();
            pass.cancel(true);
            caller.shutdown();
            assertThat(caller.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5000);
            assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("layer-pass-") && t.isAlive()
                    && Arrays.stream(t.getStackTrace()).anyMatch(f -> f.getClassName().contains("LayerDecoder")));
        } finally {
            caller.shutdownNow();
        }
    }

    @Test
    void skippedEntriesCountTowardsTheTotalLimit() throws Exception {
        // A huge entry nobody wants is skipped, but its bytes are still decompressed and so still counted.
        TestTar tar = new TestTar();
        for (int i = 0; i < 100; i++) tar.file("small/" + i, "s");
        tar.file("huge", new byte[3 << 20]);
        byte[] layer = tar.gzip();
        assertThat(failure(image(layer), new ExtractionLimits(1024, 2L << 20, 100_000, 200, 20)).getMessage())
                .contains("decompresses to more than 2 MiB", "'huge'");
    }

    @Test
    void gzipStreamsAreAlsoDetectedWhenConcatenated() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] tar = new TestTar().file("a", "x".repeat(5000)).tar();
        try (GZIPOutputStream first = new GZIPOutputStream(out)) {
            first.write(tar, 0, 1000);
        }
        out.write(TestTar.gzip(Arrays.copyOfRange(tar, 1000, tar.length)));
        byte[] layer = out.toByteArray();
        try (ImageFilesystem fs = LayerPass.read(source, ImageReader.resolve(source, image(layer)), path -> true,
                ExtractionLimits.DEFAULTS, workDir)) {
            assertThat(fs.lookup("a").orElseThrow().size()).isEqualTo(5000);
        }
    }
}
