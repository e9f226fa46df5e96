package dev.drydock.scanner.inventory;

import dev.drydock.image.FileEntry;
import dev.drydock.image.ImageFilesystem;
import dev.drydock.scanner.Distro;
import dev.drydock.scanner.InstalledPackage;
import dev.drydock.scanner.ScanProblem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Go modules compiled into ELF executables, from the build information Go (≥ 1.18) embeds in the
 * {@code .go.buildinfo} section: the Go version (reported as package {@code stdlib}, which is how the Go
 * vulnerability database names the standard library), the main module when it has a version, and every
 * dependency ({@code dep} lines, with {@code =>} replacements applied).
 *
 * <p><b>Which files.</b> Interest is decided from the path alone (the layer pass cannot look at modes or bytes), so
 * the rule is where Go binaries live in images: direct children of {@code usr/local/bin}, {@code usr/local/sbin},
 * {@code bin}, {@code sbin}, {@code app}, {@code ko-app}, {@code go/bin}, {@code root/go/bin},
 * {@code opt/<name>/bin}, and files at the image root ({@code /manager}, {@code /server}), names without a dot.
 * Debian's and Alpine's {@code usr/bin} are not kept (hundreds of distribution binaries, whose Go programs the
 * distribution's own advisories cover). At read time a file must start with the ELF magic; the section is found
 * by scanning 16-byte-aligned offsets for its magic, streamed, up to the size limit.
 */
public final class GoBinaryInventory implements Inventory {
    private static final byte[] MAGIC = "\u00ff Go buildinf:".getBytes(StandardCharsets.ISO_8859_1);
    private static final int WINDOW = 1 << 20;
    private static final int INFO_MAX = 1 << 20;
    private static final List<String> DIRECTORIES = List.of("usr/local/bin/", "usr/local/sbin/", "bin/", "sbin/",
            "app/", "ko-app/", "go/bin/", "root/go/bin/");

    private final long maxBytes;

    public GoBinaryInventory(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    public boolean wants(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        if (name.isEmpty() || name.contains(".")) return false;
        String dir = path.substring(0, path.length() - name.length());
        if (dir.isEmpty()) return true;
        if (DIRECTORIES.contains(dir)) return true;
        return dir.startsWith("opt/") && dir.endsWith("/bin/") && dir.indexOf('/', 4) == dir.length() - 5;
    }

    @Override
    public void collect(ImageFilesystem fs, Optional<Distro> distro, List<InstalledPackage> out, List<ScanProblem> problems) {
        for (FileEntry entry : fs.entries()) {
            if (entry.type() != FileEntry.Type.FILE || !wants(entry.path())) continue;
            if (!entry.contentAvailable()) {
                problems.add(ScanProblem.notKept(fs, entry.path(), "not read"));
                continue;
            }
            try (InputStream in = fs.open(entry)) {
                byte[] head = in.readNBytes(4);
                if (head.length < 4 || head[0] != 0x7f || head[1] != 'E' || head[2] != 'L' || head[3] != 'F') continue;
                byte[] info = findBuildInfo(in, 4);
                if (info == null) continue;   // an ELF file that is not a Go program
                parse(info, entry, out, problems);
            } catch (IOException | RuntimeException e) {
                problems.add(new ScanProblem(entry.path(), "Go build info unreadable (" + e.getMessage() + "); skipped"));
            }
        }
    }

    /** Streams through the file looking for the build-info header at 16-aligned offsets; returns it and what follows. */
    private byte[] findBuildInfo(InputStream in, long position) throws IOException {
        byte[] buf = new byte[WINDOW + INFO_MAX];
        int len = 0;
        long base = position;   // file offset of buf[0]
        while (base < maxBytes) {
            int n = in.readNBytes(buf, len, buf.length - len);
            len += n;
            int first = (int) ((16 - (base % 16)) % 16);
            int searchEnd = n == 0 ? len : Math.max(0, len - INFO_MAX);
            for (int i = first; i + MAGIC.length <= searchEnd || (n == 0 && i + MAGIC.length <= len); i += 16) {
                if (matches(buf, i)) return Arrays.copyOfRange(buf, i, len);
            }
            if (n == 0) return null;
            int keep = len - searchEnd;
            System.arraycopy(buf, searchEnd, buf, 0, keep);
            base += searchEnd;
            len = keep;
        }
        return null;
    }

    private static boolean matches(byte[] buf, int at) {
        for (int k = 0; k < MAGIC.length; k++) if (buf[at + k] != MAGIC[k]) return false;
        return true;
    }

    private static void parse(byte[] info, FileEntry file, List<InstalledPackage> out, List<ScanProblem> problems) {
        if (info.length < 32) return;
        if ((info[15] & 0x2) == 0) {
            problems.add(new ScanProblem(file.path(), "Go binary built before Go 1.18: its module list is not read"));
            return;
        }
        int[] pos = {32};
        String goVersion = varString(info, pos);
        String modinfo = varString(info, pos);
        if (goVersion == null || modinfo == null) {
            problems.add(new ScanProblem(file.path(), "Go build info truncated; skipped"));
            return;
        }
        if (modinfo.length() >= 33 && modinfo.charAt(modinfo.length() - 17) == '\n') {
            modinfo = modinfo.substring(16, modinfo.length() - 16);   // sentinel bytes around the text
        }
        if (goVersion.startsWith("go")) {
            String v = goVersion.substring(2);
            int space = v.indexOf(' ');   // "go1.21.3 X:boringcrypto"
            out.add(Inventory.found(file, file.path(), "Go", "stdlib", space > 0 ? v.substring(0, space) : v, null, null));
        }
        List<String[]> modules = new ArrayList<>();
        for (String line : modinfo.split("\n")) {
            String[] f = line.split("\t");
            if ((f[0].equals("mod") || f[0].equals("dep")) && f.length >= 3) modules.add(new String[] {f[1], f[2]});
            else if (f[0].equals("=>") && f.length >= 3 && !modules.isEmpty()) modules.set(modules.size() - 1, new String[] {f[1], f[2]});
        }
        for (String[] m : modules) {
            if (m[1].equals("(devel)") || m[1].isEmpty()) continue;
            out.add(Inventory.found(file, file.path(), "Go", m[0], m[1], null, null));
        }
    }

    /** A uvarint-length-prefixed string at {@code pos[0]}; null when it runs past the bytes read. */
    private static String varString(byte[] b, int[] pos) {
        long length = 0;
        int shift = 0;
        while (true) {
            if (pos[0] >= b.length || shift > 35) return null;
            int c = b[pos[0]++] & 0xff;
            length |= (long) (c & 0x7f) << shift;
            if (c < 0x80) break;
            shift += 7;
        }
        if (length > b.length - pos[0]) return null;
        String s = new String(b, pos[0], (int) length, StandardCharsets.UTF_8);
        pos[0] += (int) length;
        return s;
    }
}
