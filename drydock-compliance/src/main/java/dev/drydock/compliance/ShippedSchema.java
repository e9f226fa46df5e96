package dev.drydock.compliance;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.PathType;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A JSON Schema (draft 2020-12) that ships in this module under {@code schemas/}: its text, served as is by the
 * API, and a validator that reports every violation with the JSON path of the offending value.
 */
public final class ShippedSchema {
    /** What {@code /var/manifest.json} must look like (checked by {@code manifest.valid}). */
    public static final ShippedSchema MANIFEST = load("manifest.schema.json");
    /** What every build report looks like. */
    public static final ShippedSchema REPORT = load("report.schema.json");

    /** One violation: where in the document ({@code $.clusterSize}, {@code $} for the root) and what is wrong. */
    public record Violation(String path, String message) {
        @Override
        public String toString() {
            return path + ": " + message;
        }
    }

    private final String fileName;
    private final String text;
    private final Schema schema;

    private ShippedSchema(String fileName, String text, Schema schema) {
        this.fileName = fileName;
        this.text = text;
        this.schema = schema;
    }

    private static ShippedSchema load(String fileName) {
        String text;
        try (InputStream in = ShippedSchema.class.getResourceAsStream("/schemas/" + fileName)) {
            if (in == null) throw new IllegalStateException("schemas/" + fileName + " is missing from the drydock-compliance jar");
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SchemaRegistryConfig config = SchemaRegistryConfig.builder()
                .pathType(PathType.JSON_PATH)
                // lets a schema replace the validator's regex dump with a message a developer can act on
                .errorMessageKeyword("errorMessage")
                .build();
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
                b -> b.schemaRegistryConfig(config));
        return new ShippedSchema(fileName, text, registry.getSchema(text, InputFormat.JSON));
    }

    public String fileName() {
        return fileName;
    }

    /** The schema document, byte for byte as shipped. */
    public String text() {
        return text;
    }

    /**
     * Every way the JSON document breaks the schema, in document order; empty when it conforms.
     *
     * @throws IllegalArgumentException when the text is not JSON at all
     */
    public List<Violation> violations(String json) {
        List<Error> errors;
        try {
            errors = schema.validate(json, InputFormat.JSON);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
        List<Violation> violations = new ArrayList<>();
        for (Error e : errors) {
            String path = String.valueOf(e.getInstanceLocation());
            violations.add(new Violation(path.isEmpty() ? "$" : path, e.getMessage()));
        }
        return violations;
    }
}
