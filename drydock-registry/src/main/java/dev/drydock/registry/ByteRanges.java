package dev.drydock.registry;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The distribution API's two byte-range headers: {@code Content-Range} on an upload chunk and {@code Range} on a blob
 * GET. Clients send any number of digits: a position beyond 63 bits reads as {@link Long#MAX_VALUE} (past the end of
 * any blob, which is what it means) instead of an exception nobody expects. Each bad value is a
 * {@link RegistryException} with status 416.
 */
public final class ByteRanges {
    private static final Pattern CONTENT_RANGE = Pattern.compile("(?:bytes[ =])?(\\d+)-(\\d+)(?:/(?:\\d+|\\*))?");
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");

    /** Bytes {@code start} to {@code end} inclusive of a blob. */
    public record Span(long start, long end) {
        public long length() {
            return end - start + 1;
        }
    }

    private ByteRanges() {}

    /**
     * The start of an upload chunk's {@code Content-Range} ({@code <start>-<end>}, optionally with {@code bytes } and a
     * {@code /<size>}), checked against the chunk's {@code Content-Length} when given; null when the header is absent.
     */
    public static Long chunkStart(String contentRange, Long contentLength) {
        if (contentRange == null) return null;
        Matcher m = CONTENT_RANGE.matcher(contentRange.trim());
        if (!m.matches()) {
            throw new RegistryException(ErrorCode.BLOB_UPLOAD_INVALID, 416,
                    "malformed Content-Range '" + contentRange + "': use <start>-<end>", Map.of());
        }
        long start = position(m.group(1));
        long end = position(m.group(2));
        if (end == Long.MAX_VALUE) { // beyond 63 bits: no upload gets there
            throw new RegistryException(ErrorCode.BLOB_UPLOAD_INVALID, 416,
                    "Content-Range " + contentRange + " is beyond any blob's size: send the chunk that starts at the"
                            + " upload's offset (the Range header of the last response)", Map.of());
        }
        if (end < start || (contentLength != null && end - start + 1 != contentLength)) {
            throw new RegistryException(ErrorCode.BLOB_UPLOAD_INVALID, 416,
                    "Content-Range " + contentRange + " does not match Content-Length " + contentLength, Map.of());
        }
        return start;
    }

    /**
     * The part of a blob of {@code size} bytes a GET's {@code Range} header asks for; empty for the whole blob. RFC
     * 9110: a header that cannot be used (absent, malformed, reversed, several ranges) is ignored, not an error; a
     * range that starts beyond the blob, or a suffix of no bytes, is 416 {@code SIZE_INVALID} with the blob's size.
     */
    public static Optional<Span> blobRange(String range, long size) {
        if (range == null) return Optional.empty();
        Matcher m = RANGE.matcher(range.trim());
        if (!m.matches()) return Optional.empty();
        String first = m.group(1), last = m.group(2);
        if (first.isEmpty() && last.isEmpty()) return Optional.empty();
        if (!first.isEmpty() && !last.isEmpty() && position(first) > position(last)) return Optional.empty();
        long start;
        long end = size - 1;
        if (first.isEmpty()) { // suffix range: the last N bytes
            long n = position(last);
            if (n == 0) throw notSatisfiable(size, "range " + range + " asks for no bytes");
            start = Math.max(0, size - n);
        } else {
            start = position(first);
            if (!last.isEmpty()) end = Math.min(end, position(last));
        }
        if (start >= size) throw notSatisfiable(size, "range " + range + " starts beyond the blob's " + size + " bytes");
        return Optional.of(new Span(start, end));
    }

    private static RegistryException notSatisfiable(long size, String message) {
        return new RegistryException(ErrorCode.SIZE_INVALID, 416, message, Map.of("size", size));
    }

    /** ASCII digits (the patterns allow nothing else) as a long, saturating at {@link Long#MAX_VALUE}. */
    private static long position(String digits) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }
}
