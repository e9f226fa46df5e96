package dev.drydock.image;

import dev.drydock.oci.Digest;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LayerPassTest {
    @TempDir
    Path temp;
    Path workDir;
    final TestImage source = new TestImage();

    @BeforeEach
    void workDir() throws IOException {
        workDir = Files.createDirectory(temp.resolve("work"));
    }

    @AfterEach
    void nothingWrittenOutsideTheWorkDir() throws IOException {
        try (Stream<Path> all = Files.walk(temp)) {
            assertThat(all.filter(p -> !p.startsWith(workDir) && !p.equals(temp)).toList()).isEmpty();
        }
    }

    private ImageFilesystem read(Digest manifest, FileInterest interest) throws Exception {
        return LayerPass.read(source, ImageReader.resolve(source, manifest), interest, ExtractionLimits.DEFAULTS, workDir);
    }

    private static String text(ImageFilesystem fs, FileEntry entry) throws IOException {
        try (InputStream in = fs.open(entry)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void whiteoutsAndOpaqueDirectoriesApplyInLayerOrderAcrossThreeLayers() throws Exception {
        byte[] base = new TestTar().dir("app").file("app/a.txt", "a1").file("app/b.txt", "b1").dir("app/lib")
                .file("app/lib/x.so", "x").dir("etc").file("etc/keep", "k").file("etc/gone", "g").gzip();
        // Layer 1 deletes etc/gone, empties app/lib (opaque) and adds a new file in it; the whiteout in the same
        // layer as the new app/lib/y.so must not hide it.
        byte[] middle = new TestTar().whiteout("etc/gone").file("app/lib/y.so", "y").opaque("app/lib").file("app/a.txt", "a2").gzip();
        // Layer 2 deletes the whole app/lib directory and re-adds etc/gone.
        byte[] top = new TestTar().whiteout("app/lib").file("etc/gone", "back").tar();
        Digest manifest = source.image().layer(base, "ADD base").layer(middle, "RUN change").layer(top, "RUN top").push();

        try (ImageFilesystem fs = read(manifest, FileInterest.paths("app/a.txt", "etc/gone"))) {
            assertThat(fs.entries()).extracting(FileEntry::path)
                    .containsExactly("app", "app/a.txt", "app/b.txt", "etc", "etc/gone", "etc/keep");
            FileEntry a = fs.lookup("app/a.txt").orElseThrow();
            assertThat(a.layer()).isEqualTo(1);
            assertThat(a.createdBy()).isEqualTo("RUN change");
            assertThat(text(fs, a)).isEqualTo("a2");
            assertThat(fs.lookup("app/b.txt").orElseThrow().createdBy()).isEqualTo("ADD base");
            assertThat(fs.deletedIn("app/lib/x.so")).contains(1);
            assertThat(fs.deletedIn("app/lib/y.so")).contains(2);
            assertThat(fs.deletedIn("app/lib")).contains(2);
            assertThat(fs.deletedIn("etc/gone")).isEmpty(); // deleted in layer 1, written again in layer 2
            assertThat(text(fs, fs.lookup("etc/gone").orElseThrow())).isEqualTo("back");
            assertThat(fs.list("app")).extracting(FileEntry::path).containsExactly("app/a.txt", "app/b.txt");
            assertThat(fs.list("/")).extracting(FileEntry::path).containsExactly("app", "etc");
            assertThat(fs.layerSizes()).hasSize(3).allMatch(size -> size > 0);
        }
        try (Stream<Path> left = Files.list(workDir)) {
            assertThat(left).as("close deletes the kept files").isEmpty();
        }
    }

    @Test
    void aFileDeletedByALaterLayerIsGoneAndSaysWhere() throws Exception {
        byte[] base = new TestTar().file("var/manifest.json", "{}").gzip();
        byte[] remove = new TestTar().whiteout("var/manifest.json").gzip();
        Digest manifest = source.image().layer(base, "COPY manifest.json /var/").layer(remove, "RUN rm /var/manifest.json").push();
        try (ImageFilesystem fs = read(manifest, FileInterest.paths("var/manifest.json"))) {
            assertThat(fs.lookup("var/manifest.json")).isEmpty();
            assertThat(fs.resolve("/var/manifest.json")).isEmpty();
            assertThat(fs.deletedIn("/var/manifest.json")).contains(1);
            assertThat(fs.lookup("var")).get().extracting(FileEntry::type).isEqualTo(FileEntry.Type.DIRECTORY);
        }
    }

    @Test
    void aHardlinkToAKeptFileOpensItsBytes() throws Exception {
        byte[] layer = new TestTar().file("app/manifest.json", "{\"engineId\":\"e\"}")
                .hardlink("var/manifest.json", "app/manifest.json").gzip();
        Digest manifest = source.image().layer(layer, "COPY").push();
        try (ImageFilesystem fs = read(manifest, FileInterest.paths("app/manifest.json"))) {
            FileEntry link = fs.lookup("var/manifest.json").orElseThrow();
            assertThat(link.type()).isEqualTo(FileEntry.Type.HARDLINK);
            assertThat(link.linkTarget()).isEqualTo("app/manifest.json");
            assertThat(link.contentAvailable()).isTrue();
            assertThat(link.size()).isEqualTo(16);
            assertThat(text(fs, link)).isEqualTo("{\"engineId\":\"e\"}");
            assertThat(fs.resolve("var/manifest.json")).get().extracting(FileEntry::path).isEqualTo("app/manifest.json");
        }
    }

    @Test
    void zstdAndUncompressedLayersAreDetectedByTheirBytesNotTheirMediaType() throws Exception {
        // The test image labels every layer tar+gzip: the pass must look at the bytes.
        byte[] zstd = new TestTar().file("z.txt", "zstd").zstd();
        byte[] plain = new TestTar().file("p.txt", "plain").tar();
        byte[] gzip = new TestTar().file("g.txt", "gzip").gzip();
        Digest manifest = source.image().layer(zstd, "z").layer(plain, "p").layer(gzip, "g").push();
        try (ImageFilesystem fs = read(manifest, path -> path.endsWith(".txt"))) {
            assertThat(text(fs, fs.lookup("z.txt").orElseThrow())).isEqualTo("zstd");
            assertThat(text(fs, fs.lookup("p.txt").orElseThrow())).isEqualTo("plain");
            assertThat(text(fs, fs.lookup("g.txt").orElseThrow())).isEqualTo("gzip");
            assertThat(fs.layerSizes().get(1)).isEqualTo(plain.length);
        }
    }

    @Test
    void aSymlinkToAnAbsolutePathResolvesInsideTheImageRoot() throws Exception {
        byte[] layer = new TestTar().file("etc/passwd", "root:x:0:0:image").dir("var")
                .symlink("var/manifest.json", "/etc/passwd").symlink("var/up", "../../../../etc/passwd")
                .symlink("var/etc", "../etc").gzip();
        Digest manifest = source.image().layer(layer, "RUN ln").push();
        try (ImageFilesystem fs = read(manifest, FileInterest.paths("etc/passwd", "var/manifest.json"))) {
            FileEntry link = fs.lookup("var/manifest.json").orElseThrow();
            assertThat(link.type()).isEqualTo(FileEntry.Type.SYMLINK);
            assertThat(link.contentAvailable()).isFalse();
            assertThatThrownBy(() -> fs.open(link)).hasMessageContaining("symlink").hasMessageContaining("resolve");
            FileEntry target = fs.resolve("var/manifest.json").orElseThrow();
            assertThat(target.path()).isEqualTo("etc/passwd");
            assertThat(text(fs, target)).isEqualTo("root:x:0:0:image"); // the image's file, never the host's
            assertThat(fs.resolve("var/up")).get().extracting(FileEntry::path).isEqualTo("etc/passwd");
            assertThat(fs.resolve("var/etc/passwd")).get().extracting(FileEntry::path).isEqualTo("etc/passwd");
            assertThat(fs.resolve("var/etc/../var/etc/passwd")).get().extracting(FileEntry::path).isEqualTo("etc/passwd");
        }
    }

    @Test
    void aSymlinkLoopIsAnErrorNamingTheLinkAndLayer() throws Exception {
        byte[] layer = new TestTar().symlink("a", "b").symlink("b", "/a").symlink("self", "self/x").gzip();
        Digest manifest = source.image().layer(layer, "RUN ln").push();
        try (ImageFilesystem fs = read(manifest, path -> false)) {
            assertThatThrownBy(() -> fs.resolve("a")).isInstanceOf(ImageException.class)
                    .hasMessageContaining("more than 40 symbolic links").hasMessageContaining("layer sha256:")
                    .hasMessageContaining("fix the symlinks");
            assertThatThrownBy(() -> fs.resolve("self")).isInstanceOf(ImageException.class);
            assertThat(fs.lookup("a")).get().extracting(FileEntry::linkTarget).isEqualTo("b");
        }
    }

    @Test
    void aChainOfFortyLinksResolvesAndOneMoreIsTooLong() throws Exception {
        TestTar tar = new TestTar().file("target", "end");
        for (int i = 0; i < 41; i++) tar.symlink("l" + i, i == 0 ? "target" : "/l" + (i - 1));
        Digest manifest = source.image().layer(tar.gzip(), "RUN ln").push();
        try (ImageFilesystem fs = read(manifest, path -> false)) {
            assertThat(fs.resolve("l39")).get().extracting(FileEntry::path).isEqualTo("target");
            assertThatThrownBy(() -> fs.resolve("l40")).isInstanceOf(ImageException.class)
                    .hasMessageContaining("resolving 'l40' followed more than 40 symbolic links");
        }
    }

    @Test
    void devicesAndFifosAreIndexedAndNeverOpened() throws Exception {
        byte[] layer = new TestTar().special("dev/null", TarConstants.LF_CHR).special("dev/sda", TarConstants.LF_BLK)
                .special("run/pipe", TarConstants.LF_FIFO).gzip();
        Digest manifest = source.image().layer(layer, "mknod").push();
        try (ImageFilesystem fs = read(manifest, path -> true)) {
            assertThat(fs.lookup("dev/null")).get().extracting(FileEntry::type).isEqualTo(FileEntry.Type.CHAR_DEVICE);
            assertThat(fs.lookup("dev/sda")).get().extracting(FileEntry::type).isEqualTo(FileEntry.Type.BLOCK_DEVICE);
            assertThat(fs.lookup("run/pipe")).get().extracting(FileEntry::type).isEqualTo(FileEntry.Type.FIFO);
            assertThatThrownBy(() -> fs.open(fs.lookup("dev/null").orElseThrow()))
                    .hasMessageContaining("char device, not a regular file");
            try (Stream<Path> kept = Files.walk(workDir)) {
                assertThat(kept.filter(Files::isRegularFile).toList()).as("nothing kept for devices").isEmpty();
            }
        }
    }

    @Test
    void absolutePathsAreTheImageRoot() throws Exception {
        String host = "/tmp/drydock-test-" + System.nanoTime();
        byte[] layer = new TestTar().file(host + "/evil", "x").file("/var/manifest.json", "{}").gzip();
        Digest manifest = source.image().layer(layer, "ADD").push();
        try (ImageFilesystem fs = read(manifest, path -> true)) {
            assertThat(fs.lookup("var/manifest.json")).isPresent();
            assertThat(fs.lookup(host.substring(1) + "/evil")).isPresent();
        }
        assertThat(Path.of(host)).doesNotExist();
    }

    @Test
    void filesNotWantedAreIndexedWithoutTheirBytes() throws Exception {
        byte[] layer = new TestTar().file("big.bin", new byte[100_000]).file("var/manifest.json", "{}").gzip();
        Digest manifest = source.image().layer(layer, "ADD").push();
        try (ImageFilesystem fs = read(manifest, FileInterest.paths("var/manifest.json"))) {
            FileEntry big = fs.lookup("big.bin").orElseThrow();
            assertThat(big.size()).isEqualTo(100_000);
            assertThat(big.contentAvailable()).isFalse();
            assertThatThrownBy(() -> fs.open(big)).hasMessageContaining("include the path in its FileInterest");
            assertThat(fs.lookup("var/manifest.json").orElseThrow().contentAvailable()).isTrue();
        }
    }

    @Test
    void aDirectoryReplacedByAFileTakesItsSubtreeWithIt() throws Exception {
        byte[] base = new TestTar().file("opt/app/run", "r").gzip();
        byte[] top = new TestTar().file("opt/app", "now a file").gzip();
        Digest manifest = source.image().layer(base, "a").layer(top, "b").push();
        try (ImageFilesystem fs = read(manifest, path -> false)) {
            assertThat(fs.lookup("opt/app").orElseThrow().type()).isEqualTo(FileEntry.Type.FILE);
            assertThat(fs.lookup("opt/app/run")).isEmpty();
            assertThat(fs.deletedIn("opt/app/run")).contains(1);
            assertThat(fs.resolve("opt/app/run")).isEmpty();
        }
    }

    @Test
    void aFileInTheWayOfALaterLayersDirectoryBecomesADirectory() throws Exception {
        byte[] base = new TestTar().file("opt/tool", "a file").gzip();
        byte[] top = new TestTar().file("opt/tool/bin", "now inside a directory").gzip();
        Digest manifest = source.image().layer(base, "a").layer(top, "b").push();
        try (ImageFilesystem fs = read(manifest, path -> false)) {
            assertThat(fs.lookup("opt/tool").orElseThrow().type()).isEqualTo(FileEntry.Type.DIRECTORY);
            assertThat(fs.resolve("opt/tool/bin")).get().extracting(FileEntry::layer).isEqualTo(1);
        }
    }

    @Test
    void layersWithManyFilesMergeInOrderWhateverOrderTheyDecodeIn() throws Exception {
        TestImage.Builder image = source.image();
        for (int layer = 0; layer < 12; layer++) {
            TestTar tar = new TestTar();
            for (int i = 0; i < 200; i++) tar.file("shared/f" + i, "layer " + layer);
            tar.file("only/" + layer, "x");
            image.layer(tar.gzip(), "step " + layer);
        }
        try (ImageFilesystem fs = read(image.push(), path -> path.equals("shared/f7"))) {
            assertThat(text(fs, fs.lookup("shared/f7").orElseThrow())).isEqualTo("layer 11");
            assertThat(fs.lookup("shared/f199").orElseThrow().layer()).isEqualTo(11);
            assertThat(fs.list("only")).hasSize(12);
            assertThat(fs.lookup("only/3").orElseThrow().createdBy()).isEqualTo("step 3");
        }
    }

    @Test
    void theLayerThatWroteAPathIsPairedWithItsHistoryStepSkippingEmptyLayers() throws Exception {
        Digest manifest = source.image().emptyStep("ARG X").layer(new TestTar().file("a", "1").gzip(), "COPY a /")
                .emptyStep("ENV A=1").emptyStep("CMD [\"x\"]").layer(new TestTar().file("b", "2").gzip(), "RUN make b").push();
        ResolvedImage image = ImageReader.resolve(source, manifest);
        assertThat(image.layers()).extracting(ResolvedImage.Layer::createdBy).containsExactly("COPY a /", "RUN make b");
        try (ImageFilesystem fs = read(manifest, path -> false)) {
            assertThat(fs.lookup("b").orElseThrow().createdBy()).isEqualTo("RUN make b");
        }
    }

    @Test
    void keptFilesAreNamedByACounterNeverByTheirPath() throws Exception {
        byte[] layer = new TestTar().file("etc/cron.d/job", "* * * * * evil").file("a/../b", "b").gzip();
        Digest manifest = source.image().layer(layer, "ADD").push();
        try (ImageFilesystem fs = read(manifest, path -> true)) {
            assertThat(fs.lookup("b")).isPresent();
            try (Stream<Path> kept = Files.walk(workDir)) {
                List<String> names = kept.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).toList();
                assertThat(names).hasSize(2).allMatch(name -> name.matches("[0-9]+"));
            }
        }
    }
}
