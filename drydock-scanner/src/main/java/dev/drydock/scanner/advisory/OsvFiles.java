package dev.drydock.scanner.advisory;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The shapes OSV data comes in: one record per {@code .json} file (osv.dev's GCS buckets, git repositories), a
 * directory tree of them, a file holding a JSON array of records, or osv.dev's per-ecosystem {@code all.zip}.
 * Each record is handed to the visitor with its location; an unreadable one is reported, never thrown.
 */
final class OsvFiles {
    static final int MAX_RECORD_BYTES = 4 * 1024 * 1024;

    interface Visitor {
        void record(String location, JsonNode record);

        void error(String location, String message);
    }

    private OsvFiles() {}

    static void walk(Path path, Visitor visitor) throws IOException {
        if (Files.isDirectory(path)) {
            List<Path> files;
            try (Stream<Path> s = Files.walk(path)) {
                files = s.filter(p -> Files.isRegularFile(p) && p.toString().endsWith(".json")).sorted().toList();
            }
            for (Path f : files) file(f, visitor);
        } else if (path.toString().endsWith(".zip")) {
            try (InputStream in = Files.newInputStream(path); ZipInputStream zip = new ZipInputStream(in)) {
                ZipEntry e;
                while ((e = zip.getNextEntry()) != null) {
                    if (e.isDirectory() || !e.getName().endsWith(".json")) continue;
                    String location = path.getFileName() + "!" + e.getName();
                    byte[] bytes = zip.readNBytes(MAX_RECORD_BYTES + 1);
                    if (bytes.length > MAX_RECORD_BYTES) {
                        visitor.error(location, "record larger than " + MAX_RECORD_BYTES + " bytes");
                        continue;
                    }
                    bytes(location, bytes, visitor);
                }
            }
        } else {
            file(path, visitor);
        }
    }

    private static void file(Path f, Visitor visitor) throws IOException {
        if (Files.size(f) > MAX_RECORD_BYTES * 64L) {
            visitor.error(f.toString(), "file larger than " + MAX_RECORD_BYTES * 64L + " bytes");
            return;
        }
        bytes(f.toString(), Files.readAllBytes(f), visitor);
    }

    private static void bytes(String location, byte[] bytes, Visitor visitor) {
        JsonNode node;
        try {
            node = OsvParser.JSON.readTree(bytes);
        } catch (IOException e) {
            visitor.error(location, "not JSON: " + e.getMessage().lines().findFirst().orElse(""));
            return;
        }
        if (node != null && node.isArray()) {
            int i = 0;
            for (JsonNode n : node) visitor.record(location + "[" + i++ + "]", n);
        } else {
            visitor.record(location, node);
        }
    }
}
