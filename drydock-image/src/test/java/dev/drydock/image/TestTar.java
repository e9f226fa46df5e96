package dev.drydock.image;

import com.github.luben.zstd.ZstdOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

/**
 * Writes layer tarballs for tests, including the hostile ones no real tool would write. Published in this module's
 * test-jar for the other modules' tests.
 */
public final class TestTar {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes);

    public TestTar() {
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    }

    public TestTar file(String name, String content) {
        return file(name, content.getBytes(StandardCharsets.UTF_8));
    }

    public TestTar file(String name, byte[] content) {
        TarArchiveEntry entry = entry(name, TarConstants.LF_NORMAL);
        entry.setSize(content.length);
        entry.setMode(0644);
        return write(entry, content);
    }

    public TestTar dir(String name) {
        TarArchiveEntry entry = entry(name.endsWith("/") ? name : name + "/", TarConstants.LF_DIR);
        entry.setMode(0755);
        return write(entry, null);
    }

    public TestTar symlink(String name, String target) {
        TarArchiveEntry entry = entry(name, TarConstants.LF_SYMLINK);
        entry.setLinkName(target);
        return write(entry, null);
    }

    public TestTar hardlink(String name, String target) {
        TarArchiveEntry entry = entry(name, TarConstants.LF_LINK);
        entry.setLinkName(target);
        return write(entry, null);
    }

    public TestTar special(String name, byte type) {
        TarArchiveEntry entry = entry(name, type);
        entry.setDevMajor(1);
        entry.setDevMinor(3);
        return write(entry, null);
    }

    public TestTar whiteout(String path) {
        int slash = path.lastIndexOf('/');
        return file(path.substring(0, slash + 1) + ".wh." + path.substring(slash + 1), "");
    }

    public TestTar opaque(String directory) {
        return file(directory + "/.wh..wh..opq", "");
    }

    public byte[] tar() {
        try {
            tar.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public byte[] gzip() {
        return gzip(tar());
    }

    public byte[] zstd() {
        return zstd(tar());
    }

    public static byte[] gzip(byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static byte[] zstd(byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZstdOutputStream zstd = new ZstdOutputStream(out)) {
            zstd.write(content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The name is kept exactly as given: absolute and {@code ..} names are test cases here. */
    private static TarArchiveEntry entry(String name, byte type) {
        return new TarArchiveEntry(name, type, true);
    }

    private TestTar write(TarArchiveEntry entry, byte[] content) {
        try {
            tar.putArchiveEntry(entry);
            if (content != null) tar.write(content);
            tar.closeArchiveEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }
}
