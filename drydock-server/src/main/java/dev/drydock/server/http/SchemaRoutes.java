package dev.drydock.server.http;

import dev.drydock.compliance.ShippedSchema;
import io.javalin.config.RoutesConfig;

import java.nio.charset.StandardCharsets;

/**
 * The JSON Schemas Drydock tests against, served as shipped: what {@code /var/manifest.json} must look like and
 * what a build report looks like. Public, like the OpenAPI document: they are documentation a developer needs
 * before having an account (e.g. to validate a manifest in CI), and reveal nothing about anyone's data.
 */
public final class SchemaRoutes {
    public static final String MANIFEST_PATH = "/api/v1/schemas/manifest.json";
    public static final String REPORT_PATH = "/api/v1/schemas/report.json";

    public void register(RoutesConfig routes) {
        serve(routes, MANIFEST_PATH, ShippedSchema.MANIFEST);
        serve(routes, REPORT_PATH, ShippedSchema.REPORT);
    }

    private static void serve(RoutesConfig routes, String path, ShippedSchema schema) {
        byte[] body = schema.text().getBytes(StandardCharsets.UTF_8);
        routes.get(path, ctx -> ctx.status(200).contentType("application/schema+json").result(body));
    }
}
