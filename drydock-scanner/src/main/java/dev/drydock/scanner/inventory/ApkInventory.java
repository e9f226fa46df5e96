package dev.drydock.scanner.inventory;

import dev.drydock.image.FileEntry;
import dev.drydock.image.ImageFilesystem;
import dev.drydock.scanner.Distro;
import dev.drydock.scanner.InstalledPackage;
import dev.drydock.scanner.ScanProblem;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Alpine packages from {@code lib/apk/db/installed}: {@code P:} name, {@code V:} version, {@code o:} origin (the
 * source package that Alpine's advisories name).
 */
public final class ApkInventory implements Inventory {
    static final String INSTALLED = "lib/apk/db/installed";
    private static final Set<String> FIELDS = Set.of("P", "V", "o");

    private final long maxBytes;

    public ApkInventory(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    public boolean wants(String path) {
        return path.equals(INSTALLED);
    }

    @Override
    public void collect(ImageFilesystem fs, Optional<Distro> distro, List<InstalledPackage> out, List<ScanProblem> problems) {
        Optional<FileEntry> file = DatabaseFiles.readable(fs, INSTALLED, problems);
        if (file.isEmpty()) return;
        String ecosystem = distro.map(Distro::osvEcosystem).orElse("Alpine");
        StanzaReader reader = new StanzaReader(FIELDS, maxBytes, 64 * 1024);
        int[] bad = {0};
        try (InputStream in = fs.open(file.get())) {
            reader.read(in, s -> {
                String name = s.get("P"), version = s.get("V");
                if (name == null || version == null || name.isBlank() || version.isBlank()) bad[0]++;
                else out.add(Inventory.found(file.get(), INSTALLED, ecosystem, name, version, s.get("o"), version));
            });
        } catch (IOException e) {
            problems.add(new ScanProblem(INSTALLED, "read failed (" + e.getMessage() + "); packages after that point are missing"));
        }
        reader.report(INSTALLED, problems);
        if (bad[0] > 0) problems.add(new ScanProblem(INSTALLED, bad[0] + " records without P: or V: skipped"));
    }
}
