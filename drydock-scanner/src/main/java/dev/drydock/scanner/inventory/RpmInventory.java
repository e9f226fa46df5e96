package dev.drydock.scanner.inventory;

import dev.drydock.image.FileEntry;
import dev.drydock.image.ImageFilesystem;
import dev.drydock.scanner.Distro;
import dev.drydock.scanner.InstalledPackage;
import dev.drydock.scanner.ScanProblem;
import java.io.IOException;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * RPM packages from the Berkeley DB {@code Packages} database ({@code var/lib/rpm}, or {@code usr/lib/sysimage/rpm}
 * on newer systems). The version is {@code [epoch:]version-release}; the source package name comes from
 * {@code SOURCERPM} ({@code glibc-2.17-222.el7.src.rpm} → {@code glibc}). The {@code gpg-pubkey} pseudo-packages
 * are left out. rpm ≥ 4.16's {@code rpmdb.sqlite} holds the same header blobs in its {@code Packages} table; it
 * is copied to a private temporary file and opened read-only.
 */
public final class RpmInventory implements Inventory {
    private static final List<String> BDB = List.of("var/lib/rpm/Packages", "usr/lib/sysimage/rpm/Packages");
    private static final List<String> SQLITE = List.of("var/lib/rpm/rpmdb.sqlite", "usr/lib/sysimage/rpm/rpmdb.sqlite");

    private final int maxBytes;

    public RpmInventory(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    public boolean wants(String path) {
        return BDB.contains(path) || SQLITE.contains(path);
    }

    @Override
    public void collect(ImageFilesystem fs, Optional<Distro> distro, List<InstalledPackage> out, List<ScanProblem> problems) {
        String ecosystem = distro.map(d -> d.osvEcosystem() != null ? d.osvEcosystem() : d.namespace()).orElse("RPM");
        for (String path : SQLITE) {
            Optional<FileEntry> file = DatabaseFiles.readable(fs, path, problems);
            if (file.isEmpty()) continue;
            try {
                headers(path, RpmSqlite.blobs(BoundedText.readBytes(fs, file.get(), maxBytes)), file.get(), ecosystem, out, problems);
            } catch (IOException | SQLException e) {
                problems.add(new ScanProblem(path, "unreadable rpm database (" + e.getMessage() + "); its packages are not listed"));
            }
        }
        for (String path : BDB) {
            Optional<FileEntry> file = DatabaseFiles.readable(fs, path, problems);
            if (file.isEmpty()) continue;
            try {
                BerkeleyDbHash.Values values = BerkeleyDbHash.read(BoundedText.readBytes(fs, file.get(), maxBytes));
                headers(path, values.values(), file.get(), ecosystem, out, problems);
                if (values.skipped() > 0) problems.add(new ScanProblem(path, values.skipped() + " unreadable pages or entries skipped"));
            } catch (IOException | IllegalArgumentException e) {
                problems.add(new ScanProblem(path, "unreadable rpm database (" + e.getMessage() + "); its packages are not listed"));
            }
        }
    }

    private static void headers(String path, List<byte[]> blobs, FileEntry file, String ecosystem, List<InstalledPackage> out,
                                List<ScanProblem> problems) {
        int bad = 0;
        String firstReason = null;
        for (byte[] blob : blobs) {
            try {
                InstalledPackage p = toPackage(RpmHeader.parse(blob), file, path, ecosystem);
                if (p != null) out.add(p);
            } catch (IllegalArgumentException e) {
                bad++;
                if (firstReason == null) firstReason = e.getMessage();
            }
        }
        if (bad > 0) {
            problems.add(new ScanProblem(path, bad + " unreadable headers skipped (first: " + firstReason + ")"));
        }
    }

    private static InstalledPackage toPackage(RpmHeader h, FileEntry file, String path, String ecosystem) {
        String name = h.string(RpmHeader.NAME), version = h.string(RpmHeader.VERSION), release = h.string(RpmHeader.RELEASE);
        if (name == null || version == null || name.isBlank() || version.isBlank()) {
            throw new IllegalArgumentException("a header without a name or version"); // counted as unreadable
        }
        if (name.equals("gpg-pubkey")) return null;
        Integer epoch = h.int32(RpmHeader.EPOCH);
        String evr = (epoch != null ? epoch + ":" : "") + version + (release != null ? "-" + release : "");
        String source = h.string(RpmHeader.SOURCERPM);
        String sourceName = null;
        if (source != null && source.endsWith(".src.rpm")) {
            // name-version-release.src.rpm: the name is everything before the last two dashes
            String base = source.substring(0, source.length() - ".src.rpm".length());
            int r = base.lastIndexOf('-');
            int v = r > 0 ? base.lastIndexOf('-', r - 1) : -1;
            if (v > 0) sourceName = base.substring(0, v);
        }
        return Inventory.found(file, path, ecosystem, name, evr, sourceName, evr);
    }
}
