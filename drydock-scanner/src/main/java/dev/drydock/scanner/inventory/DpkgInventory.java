package dev.drydock.scanner.inventory;

import dev.drydock.image.FileEntry;
import dev.drydock.image.ImageFilesystem;
import dev.drydock.scanner.Distro;
import dev.drydock.scanner.InstalledPackage;
import dev.drydock.scanner.ScanProblem;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Debian and Ubuntu packages: {@code var/lib/dpkg/status} (only packages whose Status ends in {@code installed})
 * and distroless' {@code var/lib/dpkg/status.d/*} (one file per package, no Status field). Each package carries
 * its {@code Source:} name and version ({@code Source: openssl (3.0.11-1)}), which Debian advisories name.
 */
public final class DpkgInventory implements Inventory {
    static final String STATUS = "var/lib/dpkg/status";
    static final String STATUS_D = "var/lib/dpkg/status.d";
    private static final Set<String> FIELDS = Set.of("Package", "Status", "Version", "Source", "Architecture");

    private final long maxBytes;

    /** @param maxBytes how much of one database file is read at most (the rest is skipped, with a problem) */
    public DpkgInventory(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    public boolean wants(String path) {
        return path.equals(STATUS) || (path.startsWith(STATUS_D + "/") && !path.endsWith(".md5sums"));
    }

    @Override
    public void collect(ImageFilesystem fs, Optional<Distro> distro, List<InstalledPackage> out, List<ScanProblem> problems) {
        String ecosystem = distro.map(Distro::osvEcosystem).orElse("Debian");
        DatabaseFiles.readable(fs, STATUS, problems).ifPresent(f -> read(fs, f, STATUS, ecosystem, true, out, problems));
        for (FileEntry entry : fs.list(STATUS_D)) {
            if (entry.type() != FileEntry.Type.FILE || !wants(entry.path())) continue;
            DatabaseFiles.readable(fs, entry.path(), problems)
                    .ifPresent(f -> read(fs, f, entry.path(), ecosystem, false, out, problems));
        }
    }

    private void read(ImageFilesystem fs, FileEntry file, String path, String ecosystem, boolean needStatus,
                      List<InstalledPackage> out, List<ScanProblem> problems) {
        StanzaReader reader = new StanzaReader(FIELDS, maxBytes, 64 * 1024);
        int[] bad = {0};
        try (InputStream in = fs.open(file)) {
            reader.read(in, stanza -> {
                InstalledPackage p = toPackage(stanza, file, path, ecosystem, needStatus);
                if (p != null) out.add(p);
                else if (!stanza.containsKey("Status") || isInstalled(stanza.get("Status"))) bad[0]++;
            });
        } catch (IOException e) {
            problems.add(new ScanProblem(path, "read failed (" + e.getMessage() + "); packages after that point are missing"));
        }
        reader.report(path, problems);
        if (bad[0] > 0) {
            problems.add(new ScanProblem(path, bad[0] + " records without a Package or Version field skipped"));
        }
    }

    static InstalledPackage toPackage(Map<String, String> s, FileEntry file, String path, String ecosystem, boolean needStatus) {
        String name = s.get("Package"), version = s.get("Version");
        if (name == null || version == null || name.isBlank() || version.isBlank()) return null;
        if (needStatus && !isInstalled(s.get("Status"))) return null;
        String sourceName = name, sourceVersion = version;
        String source = s.get("Source");
        if (source != null && !source.isBlank()) {
            int paren = source.indexOf('(');
            if (paren > 0 && source.endsWith(")")) {
                sourceName = source.substring(0, paren).strip();
                sourceVersion = source.substring(paren + 1, source.length() - 1).strip();
            } else {
                sourceName = source.strip();
            }
        }
        return Inventory.found(file, path, ecosystem, name, version, sourceName, sourceVersion);
    }

    private static boolean isInstalled(String status) {
        return status != null && (status.endsWith(" installed") || status.equals("installed"));
    }
}
