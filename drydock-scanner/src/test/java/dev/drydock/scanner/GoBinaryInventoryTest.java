package dev.drydock.scanner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drydock.testkit.Prerequisites;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Go build info read from real Go executables, checked against {@code go version -m}. */
class GoBinaryInventoryTest {
    static final Path GO = Path.of("/usr/bin/go");
    /** Real release binaries with many modules, when this machine has the Google Cloud SDK. */
    static final List<Path> SDK_BINARIES = List.of(Path.of("/usr/lib/google-cloud-sdk/bin/gke-gcloud-auth-plugin"),
            Path.of("/usr/lib/google-cloud-sdk/bin/gcloud-crc32c"), Path.of("/usr/lib/google-cloud-sdk/bin/cbt"),
            Path.of("/usr/lib/google-cloud-sdk/bin/kpt"));

    @TempDir Path tmp;

    static void requireGo() {
        Prerequisites.require(Files.isExecutable(GO), "the Go toolchain (" + GO + ")", "golang-go");
    }

    /** {name, version} pairs as {@code go version -m} reports them: stdlib, mod (if versioned), deps with replacements. */
    private Set<List<String>> goVersionM(Path binary) throws Exception {
        Process p = new ProcessBuilder(GO.toString(), "version", "-m", binary.toString())
                .redirectErrorStream(true).start();
        List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertThat(p.waitFor()).as(String.join("\n", lines)).isZero();
        List<List<String>> modules = new ArrayList<>();
        Set<List<String>> out = new HashSet<>();
        // "path: go1.23.1 X:nocoverageredesign"
        String go = lines.getFirst().substring(lines.getFirst().indexOf(": ") + 2).split(" ")[0];
        out.add(List.of("stdlib", go.replaceFirst("^go", "")));
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.strip().split("\t");
            if ((f[0].equals("mod") || f[0].equals("dep")) && f.length >= 3) modules.add(List.of(f[1], f[2]));
            if (f[0].equals("=>") && f.length >= 3) modules.set(modules.size() - 1, List.of(f[1], f[2]));
        }
        modules.stream().filter(m -> !m.get(1).equals("(devel)")).forEach(out::add);
        return out;
    }

    private Set<List<String>> scanned(Path layer) {
        ImageInventory inv = Inventories.defaults().read(LayeredDirectoryFilesystem.of(Scanner.INTEREST, layer));
        assertThat(inv.problems()).isEmpty();
        return inv.packages().stream().filter(p -> p.ecosystem().equals("Go"))
                .map(p -> List.of(p.name(), p.version())).collect(Collectors.toSet());
    }

    @Test
    void aProgramBuiltNow() throws Exception {
        requireGo();
        Path src = tmp.resolve("src");
        TestLayers.write(src, "go.mod", "module example.com/hello\n\ngo 1.19\n");
        TestLayers.write(src, "main.go", "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello\") }\n");
        Path layer = tmp.resolve("l0");
        Files.createDirectories(layer.resolve("usr/local/bin"));
        ProcessBuilder build = new ProcessBuilder(GO.toString(), "build", "-o", layer.resolve("usr/local/bin/hello").toString(), ".")
                .directory(src.toFile()).redirectErrorStream(true);
        build.environment().put("GOCACHE", tmp.resolve("gocache").toString());
        build.environment().put("GOPATH", tmp.resolve("gopath").toString());
        build.environment().put("GOFLAGS", "-mod=mod");
        build.environment().put("GOPROXY", "off");
        Process p = build.start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(log).isZero();

        Set<List<String>> expected = goVersionM(layer.resolve("usr/local/bin/hello"));
        assertThat(scanned(layer)).isEqualTo(expected).anySatisfy(m -> assertThat(m.getFirst()).isEqualTo("stdlib"));
        // the same binary where no Go binary is expected (usr/bin) is not kept by the layer pass
        Path other = tmp.resolve("l1");
        TestLayers.copy(other, "usr/bin/hello", layer.resolve("usr/local/bin/hello"));
        assertThat(scanned(other)).isEmpty();
    }

    @Test
    void realReleaseBinariesWithManyModules() throws Exception {
        requireGo();
        List<Path> present = SDK_BINARIES.stream().filter(Files::isRegularFile).toList();
        // extra data where a machine has it (no Debian package ships these), so not a prerequisite that fails on CI
        Assumptions.assumeFalse(present.isEmpty(), "no Google Cloud SDK binaries on this machine");
        for (Path binary : present) {
            Path layer = tmp.resolve(binary.getFileName().toString());
            TestLayers.copy(layer, "usr/local/bin/" + binary.getFileName(), binary);
            assertThat(scanned(layer)).as(binary.toString()).isEqualTo(goVersionM(binary));
        }
    }

    @Test
    void elfFilesThatAreNotGoAndNonElfFilesAreIgnored() throws Exception {
        Path layer = tmp.resolve("l0");
        TestLayers.copy(layer, "usr/local/bin/ls", Path.of("/usr/bin/ls"));
        TestLayers.write(layer, "usr/local/bin/script", "#!/bin/sh\necho hi\n");
        assertThat(scanned(layer)).isEmpty();
    }
}
