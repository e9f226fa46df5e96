package dev.drydock.scanner;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Writing layer directories and archives for tests. */
final class TestLayers {
    private TestLayers() {}

    static Path write(Path layer, String rel, byte[] bytes) throws IOException {
        Path p = layer.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.write(p, bytes);
        return p;
    }

    static Path write(Path layer, String rel, String text) throws IOException {
        return write(layer, rel, text.getBytes(StandardCharsets.UTF_8));
    }

    static void symlink(Path layer, String rel, String target) throws IOException {
        Path p = layer.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.createSymbolicLink(p, Path.of(target));
    }

    static Path copy(Path layer, String rel, Path from) throws IOException {
        return write(layer, rel, Files.readAllBytes(from));
    }

    /** A zip whose entries are stored (as Spring Boot stores nested jars) or deflated. */
    static byte[] zip(Map<String, byte[]> entries, boolean stored) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (var e : entries.entrySet()) {
                ZipEntry ze = new ZipEntry(e.getKey());
                if (stored) {
                    CRC32 crc = new CRC32();
                    crc.update(e.getValue());
                    ze.setMethod(ZipEntry.STORED);
                    ze.setSize(e.getValue().length);
                    ze.setCrc(crc.getValue());
                }
                zip.putNextEntry(ze);
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return out.toByteArray();
    }

    static byte[] pomProperties(String group, String artifact, String version) {
        return ("#Created by Apache Maven\ngroupId=" + group + "\nartifactId=" + artifact + "\nversion=" + version + "\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** A jar with one deflated entry of {@code zeros} zero bytes: tiny on disk, large when read. */
    static void zipBomb(Path file, long zeros) throws IOException {
        Files.createDirectories(file.getParent());
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            zip.putNextEntry(new ZipEntry("META-INF/MANIFEST.MF"));
            zip.write("Manifest-Version: 1.0\nImplementation-Title: bomb\nImplementation-Version: 1\n\n".getBytes());
            zip.putNextEntry(new ZipEntry("zeros.bin"));
            byte[] block = new byte[1 << 20];
            for (long n = 0; n < zeros; n += block.length) zip.write(block);
            zip.closeEntry();
        }
    }
}
