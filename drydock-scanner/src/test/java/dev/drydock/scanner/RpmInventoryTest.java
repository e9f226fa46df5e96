package dev.drydock.scanner;

import static dev.drydock.scanner.TestLayers.copy;
import static dev.drydock.scanner.TestLayers.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.drydock.testkit.Prerequisites;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real CentOS rpm databases (Berkeley DB) from Debian's golang-github-knqyf263-go-rpmdb-dev, checked against the
 * package lists that project's own tests expect (read from its rpmdb_testcase.go at test time).
 */
class RpmInventoryTest {
    static final Path GO_RPMDB = Path.of("/usr/share/gocode/src/github.com/knqyf263/go-rpmdb/pkg");
    private static final Pattern ROW = Pattern.compile(
            "^\\s*\\{(\\d+), \"([^\"]*)\", \"([^\"]*)\", \"([^\"]*)\", \"([^\"]*)\", \"([^\"]*)\"");

    @TempDir Path tmp;

    static void requireFixtures() {
        Prerequisites.require(Files.isDirectory(GO_RPMDB.resolve("testdata")), "go-rpmdb's rpm databases (" + GO_RPMDB
                + "/testdata)", "golang-github-knqyf263-go-rpmdb-dev");
    }

    /** {name, [epoch:]version-release, source rpm} as go-rpmdb's tests list them for one database. */
    static Set<List<String>> expected(String variable) throws Exception {
        List<String> lines = Files.readAllLines(GO_RPMDB.resolve("rpmdb_testcase.go"));
        int start = lines.indexOf("\t" + variable + " = []*PackageInfo{");
        assertThat(start).as(variable).isNotNegative();
        Set<List<String>> out = new HashSet<>();
        for (int i = start + 1; !lines.get(i).equals("\t}"); i++) {
            Matcher m = ROW.matcher(lines.get(i));
            if (!m.find()) continue;
            String epoch = m.group(1).equals("0") ? "" : m.group(1) + ":";
            String name = m.group(2);
            if (name.equals("gpg-pubkey")) continue;
            out.add(List.of(name, epoch + m.group(3) + "-" + m.group(4), m.group(6)));
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"centos7-plain,CentOS7Plain", "centos6-plain,CentOS6Plain", "centos7-many,CentOS7Many",
            "centos5-plain,CentOS5Plain"})
    void berkeleyDbPackagesMatchGoRpmdbsExpectations(String dir, String variable) throws Exception {
        requireFixtures();
        Path l0 = tmp.resolve("l0");
        write(l0, "etc/redhat-release", "CentOS Linux release 7.5.1804 (Core)\n");
        copy(l0, "var/lib/rpm/Packages", GO_RPMDB.resolve("testdata/" + dir + "/Packages"));
        Inventories inventories = Inventories.defaults();
        ImageInventory inv = inventories.read(LayeredDirectoryFilesystem.of(inventories.interest(), l0));

        Set<List<String>> expected = expected(variable);
        Set<List<String>> found = inv.packages().stream().map(p -> List.of(p.name(), p.version().replaceFirst("^0:", ""),
                p.sourceName())).collect(Collectors.toSet());
        Set<List<String>> expectedWithSourceNames = expected.stream().map(e -> List.of(e.get(0), e.get(1),
                e.get(2).isEmpty() ? e.get(0) : e.get(2).replaceFirst("-[^-]+-[^-]+\\.src\\.rpm$", ""))).collect(Collectors.toSet());
        assertThat(found).hasSizeGreaterThan(100).isEqualTo(expectedWithSourceNames);
        assertThat(inv.problems()).isEmpty();
        assertThat(inv.distro()).get().extracting(Distro::namespace).isEqualTo("centos:7");
    }

    /**
     * rpm >= 4.16's sqlite database with the same real CentOS 7 headers: Debian's rpm exports them from the Berkeley
     * DB (read-only backend) and imports them into a fresh sqlite database.
     */
    @Test
    void sqliteDatabaseWrittenByRpm() throws Exception {
        requireFixtures();
        Prerequisites.require(Files.isExecutable(Path.of("/usr/bin/rpmdb")), "rpmdb (/usr/bin/rpmdb)", "rpm");
        Path bdb = tmp.resolve("bdb"), sqlite = tmp.resolve("sqlite"), export = tmp.resolve("headers");
        Files.createDirectories(bdb);
        Files.createDirectories(sqlite);
        Files.copy(GO_RPMDB.resolve("testdata/centos7-plain/Packages"), bdb.resolve("Packages"));
        Process out = new ProcessBuilder("rpmdb", "--dbpath", bdb.toString(), "--define", "_db_backend bdb_ro", "--exportdb")
                .redirectOutput(export.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(out.waitFor()).isZero();
        Process in = new ProcessBuilder("rpmdb", "--dbpath", sqlite.toString(), "--define", "_db_backend sqlite", "--importdb")
                .redirectInput(export.toFile()).redirectErrorStream(true).start();
        String log = new String(in.getInputStream().readAllBytes());
        assertThat(in.waitFor()).as(log).isZero();

        Path l0 = tmp.resolve("l0");
        write(l0, "etc/redhat-release", "CentOS Linux release 7.5.1804 (Core)\n");
        copy(l0, "var/lib/rpm/rpmdb.sqlite", sqlite.resolve("rpmdb.sqlite"));
        Inventories inventories = Inventories.defaults();
        ImageInventory inv = inventories.read(LayeredDirectoryFilesystem.of(inventories.interest(), l0));

        Set<List<String>> found = inv.packages().stream().map(p -> List.of(p.name(), p.version().replaceFirst("^0:", "")))
                .collect(Collectors.toSet());
        Set<List<String>> expected = expected("CentOS7Plain").stream().map(e -> e.subList(0, 2)).collect(Collectors.toSet());
        assertThat(found).hasSizeGreaterThan(100).isEqualTo(expected);
        assertThat(inv.problems()).isEmpty();
        assertThat(inv.packages()).allSatisfy(p -> assertThat(p.path()).isEqualTo("var/lib/rpm/rpmdb.sqlite"));
    }

    @Test
    void corruptRpmDatabaseIsAProblemNotACrash() throws Exception {
        Path l0 = tmp.resolve("l0");
        byte[] junk = new byte[64 * 1024];
        new java.util.Random(3).nextBytes(junk);
        write(l0, "var/lib/rpm/Packages", junk);
        write(l0, "var/lib/rpm/rpmdb.sqlite", junk);
        Inventories inventories = Inventories.defaults();
        ImageInventory inv = inventories.read(LayeredDirectoryFilesystem.of(inventories.interest(), l0));
        assertThat(inv.packages()).isEmpty();
        assertThat(inv.problems()).extracting(ScanProblem::message).hasSize(2)
                .anySatisfy(m -> assertThat(m).contains("bad magic"))
                .anySatisfy(m -> assertThat(m).startsWith("unreadable rpm database ("));
    }
}
