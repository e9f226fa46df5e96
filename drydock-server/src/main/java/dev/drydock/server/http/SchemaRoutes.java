package dev.drydock.server.http;

import dev.drydock.compliance.ShippedSchema;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The documents Drydock serves as shipped: the OpenAPI description of the REST API and the JSON Schemas it tests
 * against (what {@code /var/manifest.json} must look like, what a build report looks like). Public: they are
 * documentation a developer needs before having an account (e.g. to validate a manifest in CI), and reveal
 * nothing about anyone's data.
 */
public final class SchemaRoutes {
    public static final String OPENAPI_PATH = "/api/v1/openapi.json";
    public static final String MANIFEST_PATH = "/api/v1/schemas/manifest.json";
    public static final String REPORT_PATH = "/api/v1/schemas/report.json";
    /** The hand-written OpenAPI 3.1 description of the API (OpenApiTest keeps it and the routes table in step). */
    private static final byte[] OPENAPI = resource("api/openapi.json");
    private static final byte[] MANIFEST = ShippedSchema.MANIFEST.text().getBytes(StandardCharsets.UTF_8);
    private static final byte[] REPORT = ShippedSchema.REPORT.text().getBytes(StandardCharsets.UTF_8);

    void openApi(Context ctx) {
        ctx.status(200).contentType("application/json").result(OPENAPI);
    }

    void manifest(Context ctx) {
        ctx.status(200).contentType("application/schema+json").result(MANIFEST);
    }

    void report(Context ctx) {
        ctx.status(200).contentType("application/schema+json").result(REPORT);
    }

    private static byte[] resource(String name) {
        try (InputStream in = SchemaRoutes.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException(name + " is missing from the classpath");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
