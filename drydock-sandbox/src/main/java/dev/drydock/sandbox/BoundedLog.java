package dev.drydock.sandbox;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects one output stream of a container as lines, keeping at most {@code maxLines} lines and
 * {@code maxBytes} bytes (UTF-8, newlines not counted). Past either bound it keeps counting but stores
 * nothing, and the kept lines are followed by {@link #TRUNCATED_MARKER} (and, when the reader stopped early, by the
 * stream's last lines). Memory use is bounded by the limits
 * whatever the container prints (a single line longer than the byte budget is cut, not buffered whole).
 *
 * <p>Thread-safe: the engine's log callback writes while the runner may read.
 */
public final class BoundedLog {
    public static final String TRUNCATED_MARKER = "[… output truncated …]";
    public static final int DEFAULT_MAX_LINES = 10_000;
    public static final long DEFAULT_MAX_BYTES = 1L << 20;

    private final int maxLines;
    private final long maxBytes;
    private final List<String> lines = new ArrayList<>();
    private final ByteArrayOutputStream current = new ByteArrayOutputStream();
    private long keptBytes;
    private long totalBytes;
    private long totalLines;
    private boolean truncated;
    private boolean currentCut;
    private List<String> tail = List.of();
    private boolean incomplete;
    private boolean pending;

    public BoundedLog(int maxLines, long maxBytes) {
        if (maxLines <= 0 || maxBytes <= 0) throw new IllegalArgumentException("limits must be positive");
        this.maxLines = maxLines;
        this.maxBytes = maxBytes;
    }

    public BoundedLog() {
        this(DEFAULT_MAX_LINES, DEFAULT_MAX_BYTES);
    }

    public synchronized void write(byte[] bytes, int offset, int length) {
        totalBytes += length;
        for (int i = offset; i < offset + length; i++) {
            byte b = bytes[i];
            if (b == '\n') {
                endLine();
            } else {
                pending = true;
                if (truncated) continue;
                if (keptBytes + current.size() < maxBytes) current.write(b);
                else currentCut = true;
            }
        }
    }

    private void endLine() {
        totalLines++;
        pending = false;
        if (truncated) return;
        if (lines.size() >= maxLines || keptBytes >= maxBytes) {
            truncated = true;
            current.reset();
            return;
        }
        String line = current.toString(StandardCharsets.UTF_8);
        if (line.endsWith("\r")) line = line.substring(0, line.length() - 1);
        lines.add(line);
        keptBytes += current.size();
        current.reset();
        if (currentCut) {
            truncated = true;
            currentCut = false;
        }
    }

    /** True once lines are being dropped (the head is complete). */
    public synchronized boolean full() {
        return truncated;
    }

    /**
     * Marks the output as not read to its end (the reader stopped early to spare the engine and the server) and sets
     * the last lines of the stream, kept after the truncation marker.
     */
    public synchronized void stoppedEarly(List<String> lastLines) {
        if (!truncated && current.size() == 0) {
            // Nothing dropped yet: if the last lines overlap the end of what we have, this stream was read to its end
            // after all (its lines came early); add only what is new.
            for (int k = Math.min(lines.size(), lastLines.size()); k > 0; k--) {
                if (lines.subList(lines.size() - k, lines.size()).equals(lastLines.subList(0, k))) {
                    for (String line : lastLines.subList(k, lastLines.size())) {
                        if (lines.size() < maxLines) lines.add(line);
                    }
                    return;
                }
            }
            if (lastLines.isEmpty()) return;
        }
        incomplete = true;
        truncated = true;
        tail = List.copyOf(lastLines);
    }

    /** The output so far; a trailing line without newline counts as a line. */
    public synchronized CapturedOutput snapshot() {
        List<String> copy = new ArrayList<>(lines);
        long total = totalLines;
        boolean cut = truncated || currentCut;
        if (pending) {
            total++;
            if (!truncated && copy.size() < maxLines) {
                copy.add(current.toString(StandardCharsets.UTF_8));
            } else {
                cut = true;
            }
        }
        if (cut || incomplete) {
            copy.add(TRUNCATED_MARKER);
            copy.addAll(tail);
        }
        return new CapturedOutput(copy, cut || incomplete, total, totalBytes, !incomplete);
    }

    /**
     * The last {@code maxLines} lines of a stream read from some point to its end, each cut at {@code maxLineBytes}
     * (UTF-8): memory stays bounded however long the lines. A trailing line without newline counts as a line.
     */
    public static final class LastLines {
        private final int maxLines;
        private final int maxLineBytes;
        private final java.util.ArrayDeque<String> lines = new java.util.ArrayDeque<>();
        private final ByteArrayOutputStream current = new ByteArrayOutputStream();
        private boolean pending;

        public LastLines(int maxLines, int maxLineBytes) {
            if (maxLines <= 0 || maxLineBytes <= 0) throw new IllegalArgumentException("limits must be positive");
            this.maxLines = maxLines;
            this.maxLineBytes = maxLineBytes;
        }

        public synchronized void write(byte[] bytes) {
            for (byte b : bytes) {
                if (b == '\n') {
                    endLine();
                } else {
                    pending = true;
                    if (current.size() < maxLineBytes) current.write(b);
                }
            }
        }

        private void endLine() {
            String line = current.toString(StandardCharsets.UTF_8);
            if (line.endsWith("\r")) line = line.substring(0, line.length() - 1);
            lines.addLast(line);
            if (lines.size() > maxLines) lines.removeFirst();
            current.reset();
            pending = false;
        }

        public synchronized List<String> lines() {
            List<String> all = new ArrayList<>(lines);
            if (pending) {
                all.add(current.toString(StandardCharsets.UTF_8));
                if (all.size() > maxLines) all.removeFirst();
            }
            return all;
        }
    }
}
