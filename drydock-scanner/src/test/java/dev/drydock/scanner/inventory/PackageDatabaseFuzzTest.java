package dev.drydock.scanner.inventory;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.drydock.image.FileEntry;
import dev.drydock.image.ImageFilesystem;
import dev.drydock.scanner.InstalledPackage;
import dev.drydock.scanner.ScanProblem;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of the package databases an image carries (docs/fuzzing.md): dpkg status, apk installed,
 * rpm's Berkeley DB and sqlite databases and the header blobs inside them. The contract is {@link Inventory}'s:
 * never throw for bad input, report a {@link ScanProblem} and go on; every package found has a name and version.
 */
class PackageDatabaseFuzzTest {

    @FuzzTest
    void dpkgStatus(byte[] file) {
        collect(new DpkgInventory(1 << 20), DpkgInventory.STATUS, file);
    }

    @FuzzTest
    void apkInstalled(byte[] file) {
        collect(new ApkInventory(1 << 20), ApkInventory.INSTALLED, file);
    }

    @FuzzTest
    void rpmBerkeleyDb(byte[] file) {
        collect(new RpmInventory(1 << 20), "var/lib/rpm/Packages", file);
    }

    @FuzzTest
    void rpmSqlite(byte[] file) {
        collect(new RpmInventory(1 << 20), "var/lib/rpm/rpmdb.sqlite", file);
    }

    /** One header blob: its fields, or {@link IllegalArgumentException} (which the inventory counts as a problem). */
    @FuzzTest
    void rpmHeader(byte[] blob) {
        try {
            RpmHeader h = RpmHeader.parse(blob);
            for (int tag : new int[] {RpmHeader.NAME, RpmHeader.VERSION, RpmHeader.RELEASE, RpmHeader.SOURCERPM}) h.string(tag);
            h.int32(RpmHeader.EPOCH);
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    private static void collect(Inventory inventory, String path, byte[] bytes) {
        List<InstalledPackage> out = new ArrayList<>();
        List<ScanProblem> problems = new ArrayList<>();
        inventory.collect(new OneFile(path, bytes), Optional.empty(), out, problems);
        for (InstalledPackage p : out) {
            assertThat(p.name()).isNotBlank();
            assertThat(p.version()).isNotBlank();
            assertThat(p.path()).isEqualTo(path);
        }
        for (ScanProblem problem : problems) assertThat(problem.message()).isNotBlank();
    }

    /** An image holding just one kept file: the fuzz input at the database's path. */
    private record OneFile(String path, byte[] bytes) implements ImageFilesystem {
        private FileEntry entry() {
            return new FileEntry(path, FileEntry.Type.FILE, bytes.length, 0644, null, 0, "RUN install", true);
        }

        @Override public Optional<FileEntry> lookup(String p) { return p.equals(path) ? Optional.of(entry()) : Optional.empty(); }
        @Override public Optional<FileEntry> resolve(String p) { return lookup(p); }
        @Override public Optional<Integer> deletedIn(String p) { return Optional.empty(); }
        @Override public List<FileEntry> list(String directory) {
            return path.startsWith(directory + "/") && path.indexOf('/', directory.length() + 1) < 0 ? List.of(entry()) : List.of();
        }
        @Override public List<FileEntry> entries() { return List.of(entry()); }
        @Override public InputStream open(FileEntry file) { return new ByteArrayInputStream(bytes); }
        @Override public List<Long> layerSizes() { return List.of((long) bytes.length); }
        @Override public void close() {}
    }
}
