package dev.drydock.registry;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of the {@code Range} and {@code Content-Range} headers (docs/fuzzing.md): any header value
 * is a usable range or a 416 {@link RegistryException}, never another exception (a 500), and a range handed out
 * always lies inside the blob. The first line of the input is the header, the second the blob size or chunk length.
 */
class ByteRangesFuzzTest {

    @FuzzTest
    void blobRange(byte[] input) {
        String[] lines = lines(input);
        long size = Math.max(0, number(lines[1]));
        Optional<ByteRanges.Span> span;
        try {
            span = ByteRanges.blobRange(lines[0], size);
        } catch (RegistryException e) {
            assertThat(e.status()).isEqualTo(416);
            assertThat(e.code()).isEqualTo(ErrorCode.SIZE_INVALID);
            return;
        }
        span.ifPresent(s -> {
            assertThat(s.start()).isBetween(0L, size - 1);
            assertThat(s.end()).isBetween(s.start(), size - 1);
            assertThat(s.length()).isBetween(1L, size);
        });
    }

    @FuzzTest
    void chunkStart(byte[] input) {
        String[] lines = lines(input);
        Long length = lines[1].isEmpty() ? null : number(lines[1]);
        Long start;
        try {
            start = ByteRanges.chunkStart(lines[0], length);
        } catch (RegistryException e) {
            assertThat(e.status()).isEqualTo(416);
            assertThat(e.code()).isEqualTo(ErrorCode.BLOB_UPLOAD_INVALID);
            return;
        }
        if (start != null) assertThat(start).isNotNegative().isLessThan(Long.MAX_VALUE);
    }

    private static String[] lines(byte[] input) {
        String[] lines = new String(input, StandardCharsets.UTF_8).split("\n", 2);
        return lines.length == 2 ? lines : new String[] {lines[0], ""};
    }

    /** The size line as a number: anything unparsable is 1 KiB, so every input tests some header. */
    private static long number(String line) {
        try {
            return Long.parseLong(line.trim());
        } catch (NumberFormatException e) {
            return 1024;
        }
    }
}
