package dev.drydock.sandbox;

import java.util.List;

/**
 * What the container wrote to one stream, bounded.
 *
 * @param lines      the kept lines, in order; when {@code truncated}, the first lines, then {@link BoundedLog#TRUNCATED_MARKER},
 *                   then (when the output was not read to its end) the last lines
 * @param truncated  true when lines or bytes were dropped
 * @param totalLines lines read (every line the container wrote when {@code complete})
 * @param totalBytes bytes read (every byte the container wrote when {@code complete})
 * @param complete   the output was read to its end; false when reading stopped early (very large output), so the
 *                   totals are lower bounds
 */
public record CapturedOutput(List<String> lines, boolean truncated, long totalLines, long totalBytes, boolean complete) {
    public static final CapturedOutput EMPTY = new CapturedOutput(List.of(), false, 0, 0, true);

    public CapturedOutput {
        lines = List.copyOf(lines);
    }
}
