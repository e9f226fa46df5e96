package dev.drydock.scanner.inventory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import dev.drydock.scanner.ScanProblem;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Reads the blank-line separated records of dpkg's {@code status} ({@code Key: value}, continuation lines start
 * with a space) and apk's {@code installed} ({@code K:value}) from a stream, keeping only the wanted keys, with a
 * bound on the bytes read and on one line's length, so a hostile or corrupt database cannot exhaust memory.
 */
public final class StanzaReader {
    private final Set<String> wanted;
    private final long maxBytes;
    private final int maxLine;
    private long bytesRead;
    private long longLines;
    private boolean truncated;
    private String lastKey;

    public StanzaReader(Set<String> wanted, long maxBytes, int maxLine) {
        this.wanted = wanted;
        this.maxBytes = maxBytes;
        this.maxLine = maxLine;
    }

    /** Calls {@code record} with each record's wanted fields (records with none are skipped). */
    public void read(InputStream in, Consumer<Map<String, String>> record) throws IOException {
        Map<String, String> fields = new HashMap<>();
        byte[] buffer = new byte[64 * 1024];
        StringBuilder line = new StringBuilder();
        boolean lineTooLong = false;
        int n;
        outer:
        while ((n = in.read(buffer)) > 0) {
            for (int i = 0; i < n; i++) {
                if (++bytesRead > maxBytes) {
                    truncated = true;
                    break outer;
                }
                byte b = buffer[i];
                if (b == '\n') {
                    if (lineTooLong) longLines++;
                    else line(line.toString(), fields, record);
                    line.setLength(0);
                    lineTooLong = false;
                } else if (line.length() < maxLine) {
                    line.append((char) (b & 0xff));
                } else {
                    lineTooLong = true;
                }
            }
        }
        if (lineTooLong) longLines++;
        else if (!line.isEmpty()) line(line.toString(), fields, record);
        if (!fields.isEmpty()) record.accept(Map.copyOf(fields));
    }

    private void line(String raw, Map<String, String> fields, Consumer<Map<String, String>> record) {
        // bytes were read as ISO-8859-1 chars; keys and the fields we keep are ASCII, so re-decode only values
        String text = new String(raw.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
        if (text.isBlank()) {
            if (!fields.isEmpty()) record.accept(Map.copyOf(fields));
            fields.clear();
            lastKey = null;
            return;
        }
        if (text.charAt(0) == ' ' || text.charAt(0) == '\t') {
            if (lastKey != null && wanted.contains(lastKey)) fields.merge(lastKey, "\n" + text.strip(), String::concat);
            return;
        }
        int colon = text.indexOf(':');
        if (colon <= 0) {
            lastKey = null;
            return;
        }
        lastKey = text.substring(0, colon);
        if (wanted.contains(lastKey)) fields.put(lastKey, text.substring(colon + 1).strip());
    }

    /** Adds what reading {@code path} skipped (the tail beyond the byte limit, over-long lines) to {@code problems}. */
    public void report(String path, List<ScanProblem> problems) {
        if (truncated) {
            problems.add(new ScanProblem(path, "larger than " + maxBytes + " bytes: only the first " + maxBytes
                    + " bytes were read, packages after that are missing"));
        }
        if (longLines > 0) problems.add(new ScanProblem(path, longLines + " over-long lines skipped"));
    }

    /** True when reading stopped at the byte limit. */
    public boolean truncated() { return truncated; }

    /** Lines longer than the line limit, skipped. */
    public long longLines() { return longLines; }

    public long bytesRead() { return Math.min(bytesRead, maxBytes); }
}
