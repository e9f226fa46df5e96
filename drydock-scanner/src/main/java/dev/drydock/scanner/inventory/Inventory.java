package dev.drydock.scanner.inventory;

import dev.drydock.image.FileEntry;
import dev.drydock.image.ImageFilesystem;
import dev.drydock.scanner.Distro;
import dev.drydock.scanner.InstalledPackage;
import dev.drydock.scanner.ScanProblem;
import java.util.List;
import java.util.Optional;

/**
 * One kind of package database. Implementations read only files the layer pass kept (see {@link #wants}), never
 * throw for bad input (they add a {@link ScanProblem} and go on), and attribute each package to the layer and
 * Dockerfile step of the file it was read from.
 */
public interface Inventory {

    /** Whether the single pass over the layers must keep this path's bytes for this inventory. */
    boolean wants(String path);

    /** The packages this inventory finds in the image. */
    void collect(ImageFilesystem fs, Optional<Distro> distro, List<InstalledPackage> out, List<ScanProblem> problems);

    /** The package as found in {@code file}, carrying the file's layer and Dockerfile step. */
    static InstalledPackage found(FileEntry file, String displayPath, String ecosystem, String name, String version,
                         String sourceName, String sourceVersion) {
        return new InstalledPackage(ecosystem, name, version, sourceName, sourceVersion, displayPath, file.layer(),
                file.createdBy());
    }
}
