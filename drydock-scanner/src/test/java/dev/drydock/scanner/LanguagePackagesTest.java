package dev.drydock.scanner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drydock.scanner.inventory.PythonInventory;
import dev.drydock.testkit.Prerequisites;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * npm and Python inventories over real installed trees of this (Debian) machine: the npm that ships with Node.js
 * and the Debian python3 packages, copied into a test layer (metadata files only).
 */
class LanguagePackagesTest {
    static final Path NPM = Path.of("/usr/lib/node_modules/npm");
    static final Path DIST_PACKAGES = Path.of("/usr/lib/python3/dist-packages");

    @TempDir Path tmp;

    private static void copyMatching(Path from, Path layer, String prefix, String... suffixes) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                String name = p.toString();
                if (Stream.of(suffixes).anyMatch(name::endsWith)) {
                    TestLayers.copy(layer, prefix + from.relativize(p), p);
                }
            }
        }
    }

    @Test
    void npmPackagesOfARealNodeModulesTree() throws Exception {
        Prerequisites.require(Files.isDirectory(NPM), "npm's installed tree (" + NPM + ", bundled with Node.js)", "nodejs");
        Path l0 = tmp.resolve("l0");
        copyMatching(NPM, l0, "usr/lib/node_modules/npm/", "/package.json");
        ImageInventory inv = Inventories.defaults().read(LayeredDirectoryFilesystem.of(Scanner.INTEREST, l0));

        long dirs;
        try (Stream<Path> walk = Files.walk(NPM)) {
            dirs = walk.filter(p -> p.getFileName().toString().equals("package.json")).filter(p -> {
                Path dir = p.getParent(), parent = dir.getParent();
                return parent.getFileName().toString().equals("node_modules")
                        || (dir.getFileName().toString().length() > 0 && parent.getFileName().toString().startsWith("@")
                        && parent.getParent().getFileName().toString().equals("node_modules"));
            }).count();
        }
        assertThat(inv.packages()).filteredOn(p -> p.ecosystem().equals("npm")).hasSize((int) dirs)
                .anySatisfy(p -> assertThat(p.name()).isEqualTo("npm"))
                .anySatisfy(p -> assertThat(p.name()).startsWith("@npmcli/"))
                .allSatisfy(p -> assertThat(p.version()).matches("\\d+\\.\\d+\\.\\d+.*"));
    }

    @Test
    void pythonDistributionsAgreeWithImportlibMetadata() throws Exception {
        boolean present = Files.isDirectory(DIST_PACKAGES) && Files.isExecutable(Path.of("/usr/bin/python3"));
        Prerequisites.require(present, "python3 and Debian's python3 dist-packages (" + DIST_PACKAGES + ")", "python3");
        Path l0 = tmp.resolve("l0");
        copyMatching(DIST_PACKAGES, l0, "usr/lib/python3/dist-packages/", ".dist-info/METADATA", ".egg-info/PKG-INFO", ".egg-info");
        ImageInventory inv = Inventories.defaults().read(LayeredDirectoryFilesystem.of(Scanner.INTEREST, l0));

        Process py = new ProcessBuilder("python3", "-c", "import importlib.metadata as m\n"
                + "for d in m.distributions(path=['" + DIST_PACKAGES + "']):\n"
                + "    print(d.metadata['Name'] + '\\t' + d.version)").start();
        Set<List<String>> expected = new String(py.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                .map(l -> l.split("\t")).map(f -> List.of(PythonInventory.normalize(f[0]), f[1])).collect(Collectors.toSet());
        Set<List<String>> found = inv.packages().stream().filter(p -> p.ecosystem().equals("PyPI"))
                .map(p -> List.of(p.name(), p.version())).collect(Collectors.toSet());
        assertThat(found).hasSizeGreaterThan(10).containsAll(expected);
    }
}
