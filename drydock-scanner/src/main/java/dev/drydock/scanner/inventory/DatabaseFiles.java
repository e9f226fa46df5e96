package dev.drydock.scanner.inventory;

import dev.drydock.image.FileEntry;
import dev.drydock.image.ImageException;
import dev.drydock.image.ImageFilesystem;
import dev.drydock.scanner.ScanProblem;
import java.util.List;
import java.util.Optional;

/** Finding a package database file in the flattened view, and saying why one cannot be read. */
final class DatabaseFiles {
    private DatabaseFiles() {}

    /** The regular file at {@code path} (symlinks followed) whose bytes were kept, else empty (with a problem if it exists). */
    static Optional<FileEntry> readable(ImageFilesystem fs, String path, List<ScanProblem> problems) {
        Optional<FileEntry> entry;
        try {
            entry = fs.resolve(path);
        } catch (ImageException e) {
            problems.add(new ScanProblem(path, e.getMessage() + "; not read"));
            return Optional.empty();
        }
        if (entry.isEmpty() || entry.get().type() != FileEntry.Type.FILE) return Optional.empty();
        if (!entry.get().contentAvailable()) {
            problems.add(new ScanProblem(path, ScanProblem.notKept(fs, entry.get().path(), "its packages are not listed").message()));
            return Optional.empty();
        }
        return entry;
    }
}
