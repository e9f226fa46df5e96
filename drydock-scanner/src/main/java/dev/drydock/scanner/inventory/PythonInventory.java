package dev.drydock.scanner.inventory;

import dev.drydock.image.FileEntry;
import dev.drydock.image.ImageFilesystem;
import dev.drydock.scanner.Distro;
import dev.drydock.scanner.InstalledPackage;
import dev.drydock.scanner.ScanProblem;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Python distributions: {@code *.dist-info/METADATA} (wheels, pip), {@code *.egg-info/PKG-INFO} (setuptools) and
 * {@code *.egg-info} files (distutils):
 * the {@code Name:} and {@code Version:} headers. Names are normalised as PEP 503 does, which is how OSV's PyPI
 * records name them.
 */
public final class PythonInventory implements Inventory {
    private static final int MAX_BYTES = 4 * 1024 * 1024;

    @Override
    public boolean wants(String path) {
        // an .egg-info may also be a single file holding what PKG-INFO holds (distutils installs)
        return path.endsWith(".dist-info/METADATA") || path.endsWith(".egg-info/PKG-INFO") || path.endsWith(".egg-info");
    }

    /** PEP 503: lower case, runs of {@code -_.} as one {@code -}. */
    public static String normalize(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[-_.]+", "-");
    }

    @Override
    public void collect(ImageFilesystem fs, Optional<Distro> distro, List<InstalledPackage> out, List<ScanProblem> problems) {
        for (FileEntry entry : fs.entries()) {
            if (entry.type() != FileEntry.Type.FILE || !wants(entry.path())) continue;
            if (!entry.contentAvailable()) {
                problems.add(ScanProblem.notKept(fs, entry.path(), "not read"));
                continue;
            }
            try {
                String name = null, version = null;
                for (String line : BoundedText.read(fs, entry, MAX_BYTES).split("\n")) {
                    if (line.isBlank()) break;   // headers end at the first blank line; the description follows
                    if (line.startsWith("Name:")) name = line.substring(5).strip();
                    else if (line.startsWith("Version:")) version = line.substring(8).strip();
                }
                if (name == null || version == null || name.isEmpty() || version.isEmpty()) {
                    problems.add(new ScanProblem(entry.path(), "metadata without Name or Version; skipped"));
                } else {
                    out.add(Inventory.found(entry, entry.path(), "PyPI", normalize(name), version, null, null));
                }
            } catch (IOException e) {
                problems.add(new ScanProblem(entry.path(), "unreadable metadata (" + e.getMessage() + "); skipped"));
            }
        }
    }
}
