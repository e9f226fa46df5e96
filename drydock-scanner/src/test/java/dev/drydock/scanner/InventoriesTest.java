package dev.drydock.scanner;

import static dev.drydock.scanner.TestLayers.copy;
import static dev.drydock.scanner.TestLayers.pomProperties;
import static dev.drydock.scanner.TestLayers.symlink;
import static dev.drydock.scanner.TestLayers.write;
import static dev.drydock.scanner.TestLayers.zip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.drydock.image.FileInterest;
import dev.drydock.scanner.inventory.DpkgInventory;
import dev.drydock.scanner.inventory.JavaArchiveInventory;
import dev.drydock.testkit.Prerequisites;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inventories over layered test filesystems. Debian data is this machine's own dpkg database (a real bookworm
 * status file), checked against {@code dpkg-query}; the Java data is the real log4j-core 2.14.1 jar from Maven
 * Central (copied to target/test-jars by the build).
 */
class InventoriesTest {
    static final Path LOG4J = Path.of("target/test-jars/log4j-core-2.14.1.jar");
    private static final Inventories INVENTORIES = Inventories.defaults();
    private static final FileInterest INTEREST = INVENTORIES.interest();

    @TempDir Path tmp;

    static void requireDebianHost() {
        boolean debian = Files.isRegularFile(Path.of("/var/lib/dpkg/status")) && Files.isExecutable(Path.of("/usr/bin/dpkg-query"));
        Prerequisites.require(debian, "a Debian host's dpkg database (/var/lib/dpkg/status) and dpkg-query", "dpkg");
    }

    /** A Debian root layer: the host's os-release (etc/os-release a relative symlink, as in Debian) and dpkg status. */
    static Path debianLayer(Path dir) throws IOException {
        copy(dir, "usr/lib/os-release", Path.of("/usr/lib/os-release"));
        symlink(dir, "etc/os-release", "../usr/lib/os-release");
        copy(dir, "var/lib/dpkg/status", Path.of("/var/lib/dpkg/status"));
        return dir;
    }

    @Test
    void dpkgStatusAgreesWithDpkgQuery() throws Exception {
        requireDebianHost();
        Path base = debianLayer(tmp.resolve("l0"));
        ImageInventory inv = INVENTORIES.read(LayeredDirectoryFilesystem.of(INTEREST, base));

        assertThat(inv.distro()).get().extracting(Distro::namespace, Distro::osvEcosystem).containsExactly("debian:12", "Debian:12");
        Process p = new ProcessBuilder("dpkg-query", "-W", "-f",
                "${db:Status-Status}\\t${Package}\\t${Version}\\t${source:Package}\\t${source:Version}\\n").start();
        Set<List<String>> expected = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                .map(l -> List.of(l.split("\t", -1))).filter(f -> f.get(0).equals("installed"))
                .map(f -> f.subList(1, 5)).collect(Collectors.toSet());
        Set<List<String>> found = inv.packages().stream()
                .map(pk -> List.of(pk.name(), pk.version(), pk.sourceName(), pk.sourceVersion())).collect(Collectors.toSet());
        assertThat(found).hasSizeGreaterThan(50).isEqualTo(expected);
        assertThat(inv.packages()).allSatisfy(pk -> {
            assertThat(pk.ecosystem()).isEqualTo("Debian:12");
            assertThat(pk.layer()).isZero();
            assertThat(pk.createdBy()).isEqualTo("RUN step 0");
        });
        assertThat(inv.problems()).isEmpty();
    }

    @Test
    void distrolessStatusDirectoryAndLayerAttribution() throws Exception {
        requireDebianHost();
        Path l0 = tmp.resolve("l0"), l1 = tmp.resolve("l1");
        copy(l0, "etc/os-release", Path.of("/usr/lib/os-release"));
        for (String pkg : List.of("libc6", "zlib1g")) {
            Process p = new ProcessBuilder("dpkg-query", "-s", pkg).start();
            String stanza = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.startsWith("Status:")).collect(Collectors.joining("\n", "", "\n"));
            write(pkg.equals("libc6") ? l0 : l1, "var/lib/dpkg/status.d/" + pkg, stanza);
        }
        write(l1, "var/lib/dpkg/status.d/zlib1g.md5sums", "0123  usr/lib/x86_64-linux-gnu/libz.so.1\n");
        ImageInventory inv = INVENTORIES.read(LayeredDirectoryFilesystem.of(INTEREST, l0, l1));

        assertThat(inv.packages()).extracting(InstalledPackage::name, InstalledPackage::sourceName, InstalledPackage::layer, InstalledPackage::createdBy)
                .containsExactly(tuple("libc6", "glibc", 0, "RUN step 0"), tuple("zlib1g", "zlib", 1, "RUN step 1"));
        assertThat(inv.packages().get(1).sourceVersion()).isEqualTo(inv.packages().get(1).version());
    }

    @Test
    void databaseDeletedByALaterLayerReportsNothing() throws Exception {
        requireDebianHost();
        Path l0 = debianLayer(tmp.resolve("l0")), l1 = tmp.resolve("l1");
        write(l1, "var/lib/dpkg/.wh.status", "");
        ImageInventory inv = INVENTORIES.read(LayeredDirectoryFilesystem.of(INTEREST, l0, l1));
        assertThat(inv.distro()).isPresent();
        assertThat(inv.packages()).isEmpty();
    }

    @Test
    void rewrittenDatabaseIsAttributedToTheLayerThatWroteIt() throws Exception {
        requireDebianHost();
        Path l0 = debianLayer(tmp.resolve("l0")), l1 = tmp.resolve("l1");
        copy(l1, "var/lib/dpkg/status", Path.of("/var/lib/dpkg/status"));
        ImageInventory inv = INVENTORIES.read(LayeredDirectoryFilesystem.of(INTEREST, l0, l1));
        assertThat(inv.packages()).isNotEmpty().allSatisfy(p -> assertThat(p.layer()).isEqualTo(1));
    }

    @Test
    void alpineInstalledDatabase() throws Exception {
        Path l0 = tmp.resolve("l0");
        copy(l0, "etc/os-release", Path.of("src/test/resources/alpine/os-release"));
        write(l0, "etc/alpine-release", "3.18.5\n");
        copy(l0, "lib/apk/db/installed", Path.of("src/test/resources/alpine/installed"));
        ImageInventory inv = INVENTORIES.read(LayeredDirectoryFilesystem.of(INTEREST, l0));

        assertThat(inv.distro()).get().extracting(Distro::namespace, Distro::osvEcosystem).containsExactly("alpine:v3.18", "Alpine:v3.18");
        assertThat(inv.packages()).extracting(InstalledPackage::name, InstalledPackage::version, InstalledPackage::sourceName).containsExactly(
                tuple("musl", "1.2.4-r2", "musl"), tuple("busybox", "1.36.1-r5", "busybox"),
                tuple("libcrypto3", "3.1.4-r1", "openssl"), tuple("libssl3", "3.1.4-r1", "openssl"),
                tuple("zlib", "1.2.13-r1", "zlib"));
    }

    @Test
    void osFallbacks() throws Exception {
        Path l0 = tmp.resolve("deb");
        write(l0, "etc/debian_version", "11.9\n");
        assertThat(INVENTORIES.read(LayeredDirectoryFilesystem.of(INTEREST, l0)).distro()).get()
                .extracting(Distro::namespace).isEqualTo("debian:11");
        Path l1 = tmp.resolve("centos");
        write(l1, "etc/redhat-release", "CentOS Linux release 7.9.2009 (Core)\n");
        assertThat(INVENTORIES.read(LayeredDirectoryFilesystem.of(INTEREST, l1)).distro()).get()
                .extracting(Distro::namespace).isEqualTo("centos:7");
        Path l2 = tmp.resolve("ubuntu");
        write(l2, "usr/lib/os-release", "NAME=\"Ubuntu\"\nVERSION_ID=\"22.04\"\nID=ubuntu\nPRETTY_NAME=\"Ubuntu 22.04.4 LTS\"\n");
        symlink(l2, "etc/os-release", "/usr/lib/os-release");
        assertThat(INVENTORIES.read(LayeredDirectoryFilesystem.of(INTEREST, l2)).distro()).get()
                .extracting(Distro::namespace, Distro::osvEcosystem).containsExactly("ubuntu:22.04", "Ubuntu:22.04");
        assertThat(INVENTORIES.read(LayeredDirectoryFilesystem.of(INTEREST, tmp.resolve("empty-does-not-exist").toFile().mkdirs()
                ? tmp.resolve("empty-does-not-exist") : tmp)).distro()).isEmpty();
    }

    @Test
    void javaArchivesPlainAndNested() throws Exception {
        byte[] log4j = Files.readAllBytes(LOG4J);
        Path l0 = tmp.resolve("l0");
        write(l0, "opt/lib/log4j-core-2.14.1.jar", log4j);
        Map<String, byte[]> fat = new LinkedHashMap<>();
        fat.put("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\nMain-Class: org.springframework.boot.loader.JarLauncher\n\n".getBytes());
        fat.put("META-INF/maven/com.example/app/pom.properties", pomProperties("com.example", "app", "1.0.0"));
        fat.put("BOOT-INF/lib/log4j-core-2.14.1.jar", log4j);
        fat.put("BOOT-INF/lib/commons-text-1.9.jar", zip(Map.of("META-INF/MANIFEST.MF",
                "Manifest-Version: 1.0\nImplementation-Title: Apache Commons Text\nImplementation-Version: 1.9\n\n".getBytes()), false));
        fat.put("BOOT-INF/lib/guava-31.1-jre.jar", zip(Map.of("com/google/Foo.class", new byte[10]), false));
        write(l0, "app/app.jar", zip(fat, true));
        ImageInventory inv = INVENTORIES.read(LayeredDirectoryFilesystem.of(INTEREST, l0));

        assertThat(inv.packages()).extracting(InstalledPackage::ecosystem, InstalledPackage::name, InstalledPackage::version, InstalledPackage::path).containsExactly(
                tuple("Maven", "org.apache.logging.log4j:log4j-core", "2.14.1", "app/app.jar!BOOT-INF/lib/log4j-core-2.14.1.jar"),
                tuple("Maven", "Apache Commons Text", "1.9", "app/app.jar!BOOT-INF/lib/commons-text-1.9.jar"),
                tuple("Maven", "guava", "31.1-jre", "app/app.jar!BOOT-INF/lib/guava-31.1-jre.jar"),
                tuple("Maven", "com.example:app", "1.0.0", "app/app.jar"),
                tuple("Maven", "org.apache.logging.log4j:log4j-core", "2.14.1", "opt/lib/log4j-core-2.14.1.jar"));
        assertThat(inv.problems()).isEmpty();
    }

    @Test
    void zipBombAndDeepNestingAreBoundedAndReported() throws Exception {
        Path l0 = tmp.resolve("l0");
        TestLayers.zipBomb(l0.resolve("app/bomb.jar"), 64L << 20);
        byte[] nested = zip(Map.of("META-INF/maven/g/level6/pom.properties", pomProperties("g", "level6", "6")), false);
        for (int level = 5; level >= 0; level--) {
            nested = zip(Map.of("META-INF/maven/g/level" + level + "/pom.properties", pomProperties("g", "level" + level, "" + level),
                    "lib/inner.jar", nested), false);
        }
        write(l0, "app/deep.jar", nested);
        write(l0, "app/corrupt.jar", "PK\u0003\u0004 this is not really a zip".getBytes());
        Inventories small = new Inventories(List.of(new JavaArchiveInventory(new JavaArchiveInventory.Limits(16L << 20, 1000, 4))));
        ImageInventory inv = small.read(LayeredDirectoryFilesystem.of(small.interest(), l0));

        assertThat(inv.packages()).extracting(InstalledPackage::name)
                .containsExactlyInAnyOrder("bomb", "g:level0", "g:level1", "g:level2", "g:level3");   // bomb: its manifest came first
        assertThat(inv.problems()).extracting(ScanProblem::source, ScanProblem::message).anySatisfy(t -> {
            assertThat(t.toList().get(0)).isEqualTo("app/bomb.jar");
            assertThat((String) t.toList().get(1)).contains("zip bomb");
        });
        assertThat(inv.problems()).anySatisfy(pr -> {
            assertThat(pr.source()).startsWith("app/deep.jar!lib/inner.jar!lib/inner.jar!lib/inner.jar!lib/inner.jar");
            assertThat(pr.message()).contains("nested more than 4 deep");
        });
        assertThat(inv.problems()).anySatisfy(pr -> assertThat(pr.source()).isEqualTo("app/corrupt.jar"));
    }

    @Test
    void corruptAndHugeDpkgDatabasesAreReportedNotFatal() throws Exception {
        Path l0 = tmp.resolve("l0");
        write(l0, "etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n");
        byte[] garbage = new byte[200_000];
        new java.util.Random(7).nextBytes(garbage);
        write(l0, "var/lib/dpkg/status", garbage);
        ImageInventory corrupt = INVENTORIES.read(LayeredDirectoryFilesystem.of(INTEREST, l0));
        assertThat(corrupt.packages()).isEmpty();

        // a 500 MB status file (sparse: one endless line of NULs) is read only up to the limit
        Path l1 = tmp.resolve("l1");
        write(l1, "etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n");
        Path status = write(l1, "var/lib/dpkg/status",
                "Package: tzdata\nStatus: install ok installed\nVersion: 2024a-0+deb12u1\n\n");
        try (RandomAccessFile f = new RandomAccessFile(status.toFile(), "rw")) {
            f.setLength(500L << 20);
        }
        long start = System.nanoTime();
        ImageInventory huge = INVENTORIES.read(LayeredDirectoryFilesystem.of(INTEREST, l1));
        assertThat(huge.packages()).extracting(InstalledPackage::name).containsExactly("tzdata");
        assertThat(huge.problems()).extracting(ScanProblem::message)
                .anySatisfy(m -> assertThat(m).contains("only the first " + Inventories.MAX_DATABASE_BYTES + " bytes"))
                .anySatisfy(m -> assertThat(m).contains("over-long lines skipped"));
        assertThat(System.nanoTime() - start).isLessThan(30_000_000_000L);
    }

    @Test
    void absurdVersionStringsAreKeptAsRead() throws Exception {
        Path l0 = tmp.resolve("l0");
        String absurd = "9".repeat(5000) + ":" + "~".repeat(1000) + "-" + "+".repeat(1000);
        write(l0, "var/lib/dpkg/status", "Package: weird\nStatus: install ok installed\nVersion: " + absurd
                + "\n\nPackage: no-version\nStatus: install ok installed\n\n");
        Inventories dpkgOnly = new Inventories(List.of(new DpkgInventory(1 << 20)));
        ImageInventory inv = dpkgOnly.read(LayeredDirectoryFilesystem.of(dpkgOnly.interest(), l0));
        assertThat(inv.packages()).extracting(InstalledPackage::version).containsExactly(absurd);
        assertThat(inv.problems()).extracting(ScanProblem::message).anySatisfy(m -> assertThat(m).contains("1 records without"));
        assertThat(new HashSet<>(inv.packages())).hasSize(1);
    }

    @Test
    void osvEcosystemsAreThoseTheDistributionsAndInventoriesProduce() {
        Set<String> produced = new HashSet<>(List.of("Maven", "npm", "PyPI", "Go"));   // the language inventories
        for (String[] os : new String[][]{{"debian", "12"}, {"ubuntu", "22.04"}, {"alpine", "3.18.4"}, {"rocky", "9.3"},
                {"almalinux", "8.9"}, {"rhel", "9.3"}, {"centos", "7"}, {"fedora", "39"}}) {
            String ecosystem = OsDetector.of(os[0], os[1], os[0], "etc/os-release").osvEcosystem();
            if (ecosystem != null) produced.add(ecosystem.substring(0, ecosystem.indexOf(':')));
        }
        produced.remove("Red Hat");   // OSV's Red Hat records name product streams the scanner's "Red Hat:9" never matches
        assertThat(Inventories.OSV_ECOSYSTEMS).containsExactlyInAnyOrderElementsOf(produced);
        assertThat(Inventories.OSV_ECOSYSTEMS).allSatisfy(e ->
                assertThat(dev.drydock.scanner.versions.Versions.forEcosystem(e)).as(e).isPresent());
    }
}
