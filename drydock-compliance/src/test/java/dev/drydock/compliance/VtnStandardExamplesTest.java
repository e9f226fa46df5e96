package dev.drydock.compliance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The package's own examples are the test, as in its {@code src/index.test.js}: every file under
 * {@code <contract>/examples/} meets the contract named by its directory, every file under
 * {@code <contract>/invalid-examples/} breaks it. The build copies them to the test classpath under
 * {@code dev/drydock/compliance/vtn-examples/}. {@code aion/} is the whole-file format, not a validation contract
 * (index.js validates it with the same machinery), so its examples are checked against {@code aion/aion.json} here.
 */
class VtnStandardExamplesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** veritone-json-schemas 1.2.0 has 69 examples and 114 invalid examples; far fewer means the layout changed. */
    private static final int MIN_EXAMPLES = 60;
    private static final int MIN_INVALID_EXAMPLES = 100;

    record Example(String contract, Path file, boolean valid) {
        @Override
        public String toString() {
            return contract + "/" + (valid ? "examples/" : "invalid-examples/") + file.getFileName();
        }
    }

    static Path root() {
        URL url = VtnStandardExamplesTest.class.getClassLoader().getResource("dev/drydock/compliance/vtn-examples");
        assertThat(url).as("the build copies the package's examples to the test classpath").isNotNull();
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<Example> all() {
        List<Example> out = new java.util.ArrayList<>();
        try (Stream<Path> files = Files.walk(root())) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                Path rel = root().relativize(f);
                // <contract>/(examples|invalid-examples)/<file>.json, the layout index.test.js relies on
                assertThat(rel.getNameCount()).as(rel.toString()).isEqualTo(3);
                String dir = rel.getName(1).toString();
                assertThat(dir).as(rel.toString()).isIn("examples", "invalid-examples");
                out.add(new Example(rel.getName(0).toString(), f, dir.equals("examples")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    static Stream<Example> examples() {
        return all().stream().filter(e -> !e.contract().equals("aion"));
    }

    static Stream<Example> aionExamples() {
        return all().stream().filter(e -> e.contract().equals("aion"));
    }

    @Test
    void thePackageHasItsExamplesAndEveryContractHasSome() {
        List<Example> all = all();
        assertThat(all.stream().filter(Example::valid).count()).isGreaterThanOrEqualTo(MIN_EXAMPLES);
        assertThat(all.stream().filter(e -> !e.valid()).count()).isGreaterThanOrEqualTo(MIN_INVALID_EXAMPLES);
        List<String> dirs = all.stream().map(Example::contract).distinct().filter(c -> !c.equals("aion")).sorted().toList();
        // every directory of examples is a contract master.json lists, and every contract has examples
        assertThat(dirs).containsExactlyInAnyOrderElementsOf(VtnStandard.get().contracts());
        for (String contract : VtnStandard.get().contracts()) {
            assertThat(all).as(contract).anyMatch(e -> e.contract().equals(contract) && e.valid());
            assertThat(all).as(contract).anyMatch(e -> e.contract().equals(contract) && !e.valid());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void everyExampleMeetsItsContractAndEveryInvalidExampleBreaksIt(Example example) throws IOException {
        JsonNode output = JSON.readTree(example.file().toFile());
        List<VtnStandard.Violation> violations = VtnStandard.get().validate(output, example.contract());
        if (example.valid()) {
            assertThat(violations).as(example.toString()).isEmpty();
        } else {
            assertThat(violations).as(example.toString()).isNotEmpty();
            assertThat(violations).allSatisfy(v -> {
                assertThat(v.path()).startsWith("$");
                assertThat(v.message()).isNotBlank();
            });
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("aionExamples")
    void everyAionExampleMeetsTheAionSchemaAndEveryInvalidOneBreaksIt(Example example) throws IOException {
        JsonNode output = JSON.readTree(example.file().toFile());
        List<VtnStandard.Violation> violations = VtnStandard.get().validateAion(output);
        if (example.valid()) {
            assertThat(violations).as(example.toString()).isEmpty();
        } else {
            assertThat(violations).as(example.toString()).isNotEmpty();
        }
    }
}
