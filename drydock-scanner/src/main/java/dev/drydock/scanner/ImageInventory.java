package dev.drydock.scanner;

import java.util.List;
import java.util.Optional;

/**
 * What an image contains: its operating system (if any), every package found, and what could not be read.
 * Packages are in a stable order: OS packages first, then language packages, each in database/file order.
 */
public record ImageInventory(Optional<Distro> distro, List<InstalledPackage> packages, List<ScanProblem> problems) {
    public ImageInventory {
        packages = List.copyOf(packages);
        problems = List.copyOf(problems);
    }
}
