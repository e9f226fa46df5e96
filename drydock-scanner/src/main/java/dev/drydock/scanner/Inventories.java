package dev.drydock.scanner;

import dev.drydock.image.FileInterest;
import dev.drydock.image.ImageFilesystem;
import dev.drydock.scanner.inventory.ApkInventory;
import dev.drydock.scanner.inventory.DpkgInventory;
import dev.drydock.scanner.inventory.GoBinaryInventory;
import dev.drydock.scanner.inventory.Inventory;
import dev.drydock.scanner.inventory.JavaArchiveInventory;
import dev.drydock.scanner.inventory.NpmInventory;
import dev.drydock.scanner.inventory.PythonInventory;
import dev.drydock.scanner.inventory.RpmInventory;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The package inventories the scanner runs, and the file interest they add up to. A package database removed by
 * a later layer is simply absent from the flattened view, so it reports nothing.
 */
public final class Inventories {
    /** Largest OS package database read (a bigger one is read this far, with a problem reported). */
    public static final long MAX_DATABASE_BYTES = 256L * 1024 * 1024;

    /**
     * The OSV ecosystems of the packages these inventories find and the scanner can match, as osv.dev spells them
     * (its per-ecosystem {@code <Ecosystem>/all.zip} exports). dpkg gives {@code Debian} and {@code Ubuntu}, apk
     * {@code Alpine}, rpm {@code AlmaLinux} and {@code Rocky Linux}; then the language inventories. Not listed:
     * {@code Red Hat} (OSV keys it by product stream, {@code Red Hat:enterprise_linux:9::baseos}, which the
     * scanner's {@code Red Hat:9} does not match), CentOS and Fedora (no OSV ecosystem), and ecosystems no
     * inventory reads (crates.io, NuGet, RubyGems …).
     */
    public static final List<String> OSV_ECOSYSTEMS = List.of("Debian", "Ubuntu", "Alpine", "AlmaLinux", "Rocky Linux",
            "Maven", "npm", "PyPI", "Go");

    private final List<Inventory> inventories;

    public Inventories(List<Inventory> inventories) {
        this.inventories = List.copyOf(inventories);
    }

    /** dpkg, apk, rpm, Java archives, npm, Python, Go binaries, with default limits. */
    public static Inventories defaults() {
        return new Inventories(List.of(new DpkgInventory(MAX_DATABASE_BYTES), new ApkInventory(MAX_DATABASE_BYTES),
                new RpmInventory((int) MAX_DATABASE_BYTES), new JavaArchiveInventory(JavaArchiveInventory.Limits.DEFAULTS),
                new NpmInventory(), new PythonInventory(), new GoBinaryInventory(MAX_DATABASE_BYTES)));
    }

    /** The paths whose bytes the layer pass must keep: the OS release files and every inventory's databases. */
    public FileInterest interest() {
        return path -> OsDetector.FILES.contains(path) || inventories.stream().anyMatch(i -> i.wants(path));
    }

    /** Detects the OS and runs every inventory; never throws for bad image content. */
    public ImageInventory read(ImageFilesystem fs) {
        List<ScanProblem> problems = new ArrayList<>();
        Optional<Distro> distro = OsDetector.detect(fs, problems);
        List<InstalledPackage> packages = new ArrayList<>();
        for (Inventory inventory : inventories) {
            try {
                inventory.collect(fs, distro, packages, problems);
            } catch (RuntimeException e) {
                problems.add(new ScanProblem(inventory.getClass().getSimpleName(),
                        "inventory failed (" + e + "); its packages are missing"));
            }
        }
        return new ImageInventory(distro, packages, problems);
    }
}
