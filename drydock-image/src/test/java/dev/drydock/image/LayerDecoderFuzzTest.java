package dev.drydock.image;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.drydock.oci.Digest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of layer reading: compression detection, gzip, zstd and tar (docs/fuzzing.md). Under
 * {@code mvn verify} only the inputs in {@code LayerDecoderFuzzTestInputs/} run; {@code JAZZER_FUZZ=1} fuzzes.
 */
class LayerDecoderFuzzTest {
    /** Small limits, so that the fuzzer reaches every one of them with small inputs. */
    private static final ExtractionLimits LIMITS = new ExtractionLimits(4096, 1 << 20, 200, 256, 16, 50, 64 << 10);
    private static final ResolvedImage.Layer LAYER = new ResolvedImage.Layer(0, Digest.sha256(new byte[0]),
            "application/vnd.oci.image.layer.v1.tar+gzip", 0, "/bin/sh -c #(nop) ADD file:fuzz in /");
    private static Path directory;

    /** Any bytes: the layer's changes within the limits, or {@link ImageException}; never another exception. */
    @FuzzTest
    void decode(byte[] blob) throws Exception {
        Path dir = directory();
        // Files under etc/ are kept (as the OS and package databases are), the rest only indexed.
        LayerDecoder.Budget budget = new LayerDecoder.Budget(LIMITS, path -> path.startsWith("etc/"), dir);
        try {
            LayerChanges changes = new LayerDecoder(budget, LAYER, blob.length).decode(new ByteArrayInputStream(blob));
            assertThat(changes.decompressedBytes()).isLessThanOrEqualTo(LIMITS.maxTotalBytes());
            assertThat(changes.changes().size()).isLessThanOrEqualTo((int) LIMITS.maxEntries());
            for (LayerChanges.Change change : changes.changes()) {
                String path = switch (change) {
                    case LayerChanges.Put put -> {
                        if (put.content() != null) {
                            assertThat(put.content().getParent()).isEqualTo(dir);
                            assertThat(Files.size(put.content())).isLessThanOrEqualTo(LIMITS.maxFileBytes());
                        }
                        yield put.entry().path();
                    }
                    case LayerChanges.Whiteout w -> w.path();
                    case LayerChanges.Opaque o -> o.directory();
                };
                // Normalised, inside the image root: no absolute path, no "..", no empty segment.
                assertThat(path).doesNotStartWith("/");
                if (!path.isEmpty()) assertThat(path.split("/", -1)).doesNotContain("..", ".", "");
            }
        } catch (ImageException e) {
            assertThat(e.getMessage()).isNotBlank();
        } finally {
            try (Stream<Path> kept = Files.list(dir)) {
                for (Path p : (Iterable<Path>) kept::iterator) Files.delete(p);
            }
        }
    }

    private static synchronized Path directory() {
        if (directory == null) {
            try {
                directory = Files.createTempDirectory("layer-fuzz");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            directory.toFile().deleteOnExit();
        }
        return directory;
    }
}
