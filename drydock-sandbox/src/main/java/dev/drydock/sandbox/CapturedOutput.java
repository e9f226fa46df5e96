package dev.drydock.sandbox;

import java.util.List;

/**
 * What the container wrote to one stream, bounded.
 *
 * @param lines      the kept lines, in order; when {@code truncated}, the last one is {@link BoundedLog#TRUNCATED_MARKER}
 * @param truncated  true when lines or bytes were dropped
 * @param totalLines every line the container wrote (kept or not)
 * @param totalBytes every byte the container wrote (kept or not)
 */
public record CapturedOutput(List<String> lines, boolean truncated, long totalLines, long totalBytes) {
    public static final CapturedOutput EMPTY = new CapturedOutput(List.of(), false, 0, 0);

    public CapturedOutput {
        lines = List.copyOf(lines);
    }
}
