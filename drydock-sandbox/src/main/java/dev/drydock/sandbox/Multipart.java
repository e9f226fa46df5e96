package dev.drydock.sandbox;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A minimal {@code multipart/form-data} parser for bodies already read (and size-bounded) by the caller. */
final class Multipart {
    record Part(String name, String fileName, String contentType, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private Multipart() {
    }

    static String boundary(String contentType) {
        if (contentType == null) return null;
        for (String param : contentType.split(";")) {
            String p = param.trim();
            if (p.toLowerCase(Locale.ROOT).startsWith("boundary=")) {
                String b = p.substring("boundary=".length());
                if (b.startsWith("\"") && b.endsWith("\"") && b.length() >= 2) b = b.substring(1, b.length() - 1);
                return b;
            }
        }
        return null;
    }

    static List<Part> parse(byte[] body, String boundary) {
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        List<Part> parts = new ArrayList<>();
        int pos = indexOf(body, delimiter, 0);
        if (pos < 0) throw new IllegalArgumentException("multipart body has no boundary '" + boundary + "'");
        while (true) {
            pos += delimiter.length;
            if (pos + 1 < body.length && body[pos] == '-' && body[pos + 1] == '-') break;
            pos = skipLineEnd(body, pos);
            int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), pos);
            if (headersEnd < 0) throw new IllegalArgumentException("multipart part without a header end");
            String headers = new String(body, pos, headersEnd - pos, StandardCharsets.UTF_8);
            int start = headersEnd + 4;
            int next = indexOf(body, delimiter, start);
            if (next < 0) throw new IllegalArgumentException("multipart body not terminated");
            int end = next;
            // The CRLF before a delimiter belongs to it, unless it is the header block's own (an empty part).
            if (end - start >= 2 && body[end - 2] == '\r' && body[end - 1] == '\n') end -= 2;
            String name = null;
            String fileName = null;
            String type = null;
            for (String line : headers.split("\r\n")) {
                String lower = line.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-disposition:")) {
                    name = param(line, "name");
                    fileName = param(line, "filename");
                } else if (lower.startsWith("content-type:")) {
                    type = line.substring("content-type:".length()).trim();
                }
            }
            byte[] content = new byte[end - start];
            System.arraycopy(body, start, content, 0, content.length);
            parts.add(new Part(name, fileName, type, content));
            pos = next;
        }
        return parts;
    }

    private static String param(String header, String key) {
        for (String piece : header.split(";")) {
            String p = piece.trim();
            if (p.regionMatches(true, 0, key + "=", 0, key.length() + 1)) {
                String v = p.substring(key.length() + 1);
                if (v.startsWith("\"") && v.endsWith("\"") && v.length() >= 2) v = v.substring(1, v.length() - 1);
                return v;
            }
        }
        return null;
    }

    private static int skipLineEnd(byte[] b, int pos) {
        if (pos < b.length && b[pos] == '\r') pos++;
        if (pos < b.length && b[pos] == '\n') pos++;
        return pos;
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = from; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) continue outer;
            }
            return i;
        }
        return -1;
    }
}
