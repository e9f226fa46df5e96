package dev.drydock.compliance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.ExecutionContext;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaContext;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.BasicDialectRegistry;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.AbstractKeywordValidator;
import com.networknt.schema.keyword.Keyword;
import com.networknt.schema.keyword.KeywordValidator;
import com.networknt.schema.keyword.NonValidationKeyword;
import com.networknt.schema.path.NodePath;
import com.networknt.schema.path.PathType;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * vtn-standard, Veritone's engine output standard: validates an engine's JSON output against a <em>validation
 * contract</em> ({@code transcript}, {@code object}, {@code text} …) with the official JSON Schemas of the npm package
 * {@code veritone-json-schemas} (Apache-2.0). The build fetches the package and puts its schemas on the classpath under
 * {@code dev/drydock/compliance/vtn/} (see drydock-compliance's pom); nothing of it is committed, and nothing is
 * fetched at run time.
 *
 * <p>The package's layout: {@code master.json} holds the shared definitions and lists the validation contracts (the
 * enum of {@code #/definitions/validationContracts}); each contract has its schema at {@code <contract>/<contract>.json}
 * (plus {@code aion/aion.json}, the whole-file AION format, which is not a validation contract). The schemas are
 * draft-07; the contract schemas name {@code master.json} as their {@code $schema} and reach its definitions with
 * relative {@code $ref}s ({@code ../master.json#/definitions/PREAMBLE}), resolved here against their
 * {@code https://docs.veritone.com/schemas/vtn-standard/…} ids mapped to the classpath.
 *
 * <p>Veritone validates with ajv 6 (the package's own {@code src/index.js}); to give the same verdicts this class
 * asserts formats as ajv does and adds the one custom keyword the package defines, {@code requireBestPath} (a
 * transcript lattice has exactly one word with {@code bestPath: true}), for the {@code transcript} contract only,
 * as {@code index.js} does. The package's {@code examples/} and {@code invalid-examples/} are the test
 * ({@code VtnStandardExamplesTest}).
 */
public final class VtnStandard {
    /** The npm package the schemas come from. */
    public static final String PACKAGE = "veritone-json-schemas";
    static final String BASE_IRI = "https://docs.veritone.com/schemas/vtn-standard/";
    static final String RESOURCES = "dev/drydock/compliance/vtn/";
    private static final String MASTER_IRI = BASE_IRI + "master.json";
    private static final String DRAFT_07 = "http://json-schema.org/draft-07/schema#";
    private static final Pattern UUID = Pattern.compile("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The contract(s) an output of each registered engine category should meet, after Veritone's table of validation
     * contracts and the capabilities they apply to (its engine output standard). A category with an empty list has
     * no formalised contract in the package (face, logo, speaker, audio fingerprint, geolocation outputs are
     * documented by example only, e.g. {@code "validationContracts": ["face"]}); {@code pull}, {@code push} and
     * {@code transcode} produce recordings or media, not engine output. Translation has three documented forms:
     * plain or rich text ({@code media-translated}), extracted or recognised text ({@code text}) and transcripts
     * ({@code transcript}); the first is the primary one. Keep in step with the manifest schema's categories.
     */
    static final Map<String, List<String>> CATEGORY_CONTRACTS = categoryContracts();

    private static Map<String, List<String>> categoryContracts() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put("pull", List.of());
        m.put("push", List.of());
        m.put("transcription", List.of("transcript"));
        m.put("translation", List.of("media-translated", "text", "transcript"));
        m.put("object-detection", List.of("object"));
        m.put("face-detection", List.of());
        m.put("face-recognition", List.of());
        m.put("text-recognition", List.of("text"));
        m.put("logo-recognition", List.of());
        m.put("speaker-separation", List.of());
        m.put("speaker-recognition", List.of());
        m.put("language-identification", List.of("language"));
        m.put("sentiment", List.of("sentiment"));
        m.put("keyword-extraction", List.of("keyword"));
        m.put("content-classification", List.of("concept"));
        m.put("audio-fingerprinting", List.of());
        m.put("audio-detection", List.of());
        m.put("geolocation", List.of());
        m.put("transcode", List.of());
        return java.util.Collections.unmodifiableMap(m);
    }

    /** One way an output breaks a contract: where ({@code $.series[0].words}, {@code $} for the root) and what. */
    public record Violation(String path, String message) {
        @Override
        public String toString() {
            return path + ": " + message;
        }
    }

    private static final class Holder {
        static final VtnStandard INSTANCE = load();
    }

    private final String version;
    private final List<String> contracts;
    private final Map<String, Schema> schemas;
    private final Schema aion;

    private VtnStandard(String version, List<String> contracts, Map<String, Schema> schemas, Schema aion) {
        this.version = version;
        this.contracts = contracts;
        this.schemas = schemas;
        this.aion = aion;
    }

    /** The schemas on the classpath, loaded and compiled once. */
    public static VtnStandard get() {
        return Holder.INSTANCE;
    }

    /** The package's version, e.g. {@code 1.2.0} (from its package.json). */
    public String version() {
        return version;
    }

    /** {@code veritone-json-schemas 1.2.0}: where the schemas come from, for messages and evidence. */
    public String source() {
        return PACKAGE + " " + version;
    }

    /** The validation contracts the package defines, in its order (master.json's list). */
    public List<String> contracts() {
        return contracts;
    }

    /** Whether the package has a schema for this validation contract. */
    public boolean isContract(String name) {
        return name != null && schemas.containsKey(name);
    }

    /**
     * Every way the output breaks the contract's schema, in document order; empty when it meets it.
     *
     * @throws IllegalArgumentException when the package has no such contract ({@link #isContract})
     */
    public List<Violation> validate(JsonNode output, String contract) {
        Schema schema = schemas.get(contract);
        if (schema == null) {
            throw new IllegalArgumentException("no vtn-standard validation contract '" + contract + "' in " + source()
                    + " (it has " + String.join(", ", contracts) + ")");
        }
        return violations(schema, output);
    }

    /**
     * Every way the output breaks the AION schema ({@code aion/aion.json}: any vtn-standard document, whatever the
     * capability; necessary for a contract but not sufficient).
     */
    public List<Violation> validateAion(JsonNode output) {
        return violations(aion, output);
    }

    private static List<Violation> violations(Schema schema, JsonNode output) {
        String text;
        try {
            text = JSON.writeValueAsString(output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // a definition reached through two allOf branches reports the same problem twice: list it once
        java.util.Set<Violation> violations = new java.util.LinkedHashSet<>();
        for (Error e : schema.validate(text, InputFormat.JSON)) {
            String path = String.valueOf(e.getInstanceLocation());
            violations.add(new Violation(path.isEmpty() ? "$" : path, e.getMessage()));
        }
        return List.copyOf(violations);
    }

    /**
     * The output's {@code validationContracts}: the strings of that top-level array, in order; empty when the
     * output declares none (no such field, not an array, or not an object at all).
     */
    public static List<String> declaredContracts(JsonNode output) {
        List<String> declared = new ArrayList<>();
        JsonNode array = output == null ? null : output.get("validationContracts");
        if (array != null && array.isArray()) {
            array.forEach(n -> {
                if (n.isTextual() && !declared.contains(n.asText())) declared.add(n.asText());
            });
        }
        return declared;
    }

    /**
     * Whether a declared validation contract names the schema of a structured data object (a UUID, which master.json
     * allows besides the contract names): such outputs are checked against that schema by the platform, which
     * Drydock does not have.
     */
    public static boolean isStructuredDataSchemaId(String contract) {
        return contract != null && UUID.matcher(contract).matches();
    }

    /** The primary contract of a registered category's output (e.g. transcription: transcript), if it has one. */
    public static Optional<String> contractFor(String category) {
        return contractsFor(category).stream().findFirst();
    }

    /** Every contract an output of the category may meet (translation has three); empty when none is formalised. */
    public static List<String> contractsFor(String category) {
        if (category == null) return List.of();
        return CATEGORY_CONTRACTS.getOrDefault(category.trim().toLowerCase(Locale.ROOT), List.of());
    }

    /**
     * The output as if it declared just this contract: the contract schemas require {@code validationContracts} to
     * contain their name, so an output that declares no contract the package defines is checked with
     * {@code "validationContracts": [contract]} in place of whatever it had.
     */
    static JsonNode declaring(JsonNode output, String contract) {
        if (!(output instanceof ObjectNode object)) return output;
        ObjectNode copy = object.deepCopy();
        copy.putArray("validationContracts").add(contract);
        return copy;
    }

    // --- loading ---

    private static VtnStandard load() {
        JsonNode packageJson = readResource("package.json");
        JsonNode master = readResource("master.json");
        String version = packageJson.path("version").asText();
        if (!PACKAGE.equals(packageJson.path("name").asText())) {
            throw new IllegalStateException(RESOURCES + "package.json is not " + PACKAGE + "'s");
        }
        List<String> contracts = new ArrayList<>();
        for (JsonNode item : master.path("definitions").path("validationContracts").path("items")) {
            for (JsonNode alternative : item.path("anyOf")) {
                alternative.path("enum").forEach(n -> contracts.add(n.asText()));
            }
        }
        if (contracts.isEmpty()) {
            throw new IllegalStateException(RESOURCES + "master.json lists no validation contracts: has the layout of "
                    + PACKAGE + " changed?");
        }
        // index.js adds requireBestPath to the transcript validator only; the others ignore the keyword (ajv 6 ignores
        // unknown keywords), so two registries
        SchemaRegistry plain = registry(false);
        SchemaRegistry withBestPath = registry(true);
        Map<String, Schema> schemas = new LinkedHashMap<>();
        for (String contract : contracts) {
            SchemaRegistry registry = contract.equals("transcript") ? withBestPath : plain;
            Schema schema = registry.getSchema(SchemaLocation.of(BASE_IRI + contract + "/" + contract + ".json"));
            schema.initializeValidators(); // resolve every $ref now: a broken package fails at start-up, not mid-build
            schemas.put(contract, schema);
        }
        Schema aion = plain.getSchema(SchemaLocation.of(BASE_IRI + "aion/aion.json"));
        aion.initializeValidators();
        return new VtnStandard(version, List.copyOf(contracts), Map.copyOf(schemas), aion);
    }

    private static JsonNode readResource(String name) {
        try (InputStream in = VtnStandard.class.getClassLoader().getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCES + name + " is missing from the drydock-compliance jar: the build"
                        + " fetches " + PACKAGE + " with npm (see drydock-compliance/pom.xml)");
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static SchemaRegistry registry(boolean requireBestPath) {
        List<Dialect> dialects = new ArrayList<>();
        // the contract schemas name master.json as their meta-schema; it is draft-07 (as is master.json itself)
        for (String id : List.of(DRAFT_07, MASTER_IRI)) {
            Dialect.Builder b = Dialect.builder(id, Dialects.getDraft7());
            // without it the keyword is known but not checked (as ajv 6 ignores it), and not logged as unknown
            b.keyword(requireBestPath ? new RequireBestPath() : new NonValidationKeyword(RequireBestPath.NAME));
            dialects.add(b.build());
        }
        SchemaRegistryConfig config = SchemaRegistryConfig.builder()
                .pathType(PathType.JSON_PATH)
                .formatAssertionsEnabled(true) // ajv 6 asserts formats (date-time)
                .build();
        return SchemaRegistry.builder()
                .defaultDialectId(DRAFT_07)
                .dialectRegistry(new BasicDialectRegistry(dialects))
                .schemaRegistryConfig(config)
                // every $ref resolves to the classpath; nothing is fetched over the network
                .schemaLoader(loader -> loader.fetchRemoteResources(false)
                        .schemaIdResolvers(ids -> ids.mapPrefix(BASE_IRI, "classpath:" + RESOURCES)))
                .build();
    }

    /** The package's custom keyword: an array (a transcript lattice) has exactly one element with {@code bestPath: true}. */
    static final class RequireBestPath implements Keyword {
        static final String NAME = "requireBestPath";

        @Override
        public String getValue() {
            return NAME;
        }

        @Override
        public KeywordValidator newValidator(SchemaLocation location, tools.jackson.databind.JsonNode schemaNode, Schema parent,
                                             SchemaContext context) {
            return new AbstractKeywordValidator(this, schemaNode, location) {
                @Override
                public void validate(ExecutionContext execution, tools.jackson.databind.JsonNode node,
                                     tools.jackson.databind.JsonNode root, NodePath at) {
                    if (!schemaNode.asBoolean(false) || !node.isArray()) return;
                    int best = 0;
                    for (tools.jackson.databind.JsonNode word : node) {
                        if (word.path("bestPath").isBoolean() && word.path("bestPath").asBoolean()) best++;
                    }
                    if (best != 1) {
                        execution.addError(Error.builder().keyword(NAME).instanceLocation(at).instanceNode(node)
                                .evaluationPath(execution.getEvaluationPath()).schemaLocation(location)
                                .message("there should be one and only one bestPath in a transcription lattice (found " + best + ")")
                                .build());
                    }
                }
            };
        }
    }
}
