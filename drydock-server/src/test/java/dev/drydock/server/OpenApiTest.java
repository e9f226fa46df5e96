package dev.drydock.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.platform.ApiErrorCode;
import dev.drydock.server.http.Access;
import dev.drydock.server.http.Route;
import dev.drydock.server.http.Routes;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * GET /api/v1/openapi.json: public, valid JSON, and complete: every route of the routes table ({@link Routes}) under
 * {@code /api/v1} (and {@code /graphql}) is documented with the same method and path, nothing else is, the table's
 * public routes are the document's public operations, and the error codes are {@link ApiErrorCode}'s. Adding an
 * endpoint without documenting it fails here.
 */
class OpenApiTest {
    private static final Set<String> HTTP_METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

    @Test
    void documentsExactlyTheRoutesTable() {
        try (TestDrydock d = TestDrydock.start()) {
            HttpResponse<String> r = d.send(HttpRequest.newBuilder(URI.create(d.url() + "/api/v1/openapi.json")).GET().build());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
            JsonNode doc = BuildFixture.parse(r.body());
            assertThat(doc.get("openapi").asText()).isEqualTo("3.1.0");

            Set<String> declared = new TreeSet<>();
            Set<String> declaredPublic = new TreeSet<>();
            for (Route route : d.server().routes()) {
                if (route.path().startsWith("/api/v1/") || route.path().equals("/graphql")) {
                    String operation = route.method().name() + " " + route.path();
                    assertThat(declared.add(operation)).as(operation + " is declared once").isTrue();
                    if (route.access() == Access.PUBLIC) declaredPublic.add(operation);
                }
            }
            // Make sure the table is not trivially empty.
            assertThat(declared).contains("POST /api/v1/login", "GET /api/v1/builds/{buildId}", "GET /api/v1/openapi.json",
                    "GET /api/v1/builds/{buildId}/events", "GET /api/v1/adapters/{engineId}/events", "POST /graphql");
            assertThat(declared).hasSizeGreaterThan(20);
            assertThat(declaredPublic).contains("POST /api/v1/login", "GET /api/v1/openapi.json");

            Set<String> documented = new TreeSet<>();
            Set<String> documentedPublic = new TreeSet<>();
            doc.get("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(op -> {
                if (!HTTP_METHODS.contains(op.getKey())) return;
                String operation = op.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey();
                documented.add(operation);
                if (op.getValue().has("security") && op.getValue().get("security").isEmpty()) documentedPublic.add(operation);
            }));
            assertThat(documented).as("documented operations (left) vs the routes table").isEqualTo(declared);
            assertThat(documentedPublic).as("operations documented as public (left) vs the table's public routes")
                    .isEqualTo(declaredPublic);
        }
    }

    @Test
    void operationsAreCompleteAndReferencesResolve() {
        try (TestDrydock d = TestDrydock.start()) {
            JsonNode doc = d.api("GET", "/api/v1/openapi.json", null, null, 200);

            List<String> codes = new ArrayList<>();
            doc.at("/components/schemas/ErrorCode/enum").forEach(c -> codes.add(c.asText()));
            assertThat(codes).containsExactlyElementsOf(Arrays.stream(ApiErrorCode.values()).map(Enum::name).toList());
            for (ApiErrorCode code : ApiErrorCode.values()) {
                assertThat(doc.at("/components/schemas/ErrorCode/description").asText()).contains(code.name() + " " + code.status);
            }

            Set<String> operationIds = new TreeSet<>();
            doc.get("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(op -> {
                String where = op.getKey() + " " + path.getKey();
                JsonNode o = op.getValue();
                assertThat(o.hasNonNull("summary")).as(where + " summary").isTrue();
                assertThat(operationIds.add(o.path("operationId").asText())).as(where + " unique operationId").isTrue();
                List<String> statuses = new ArrayList<>();
                o.get("responses").fieldNames().forEachRemaining(statuses::add);
                assertThat(statuses).as(where + " responses").anyMatch(s -> s.startsWith("2")).contains("500");
                boolean isPublic = o.has("security") && o.get("security").isEmpty();
                if (!isPublic) assertThat(statuses).as(where + " documents 401").contains("401");
                for (Iterator<String> names = path.getValue().fieldNames(); names.hasNext(); ) {
                    String name = names.next();
                    assertThat(HTTP_METHODS).as(where + " key").contains(name);
                }
                // Path parameters are declared.
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{(\\w+)}").matcher(path.getKey());
                while (m.find()) {
                    String param = m.group(1);
                    boolean declared = false;
                    for (JsonNode p : o.path("parameters")) {
                        JsonNode resolved = p.has("$ref") ? resolve(doc, p.get("$ref").asText()) : p;
                        if (resolved.path("name").asText().equals(param) && resolved.path("in").asText().equals("path")) declared = true;
                    }
                    assertThat(declared).as(where + " declares path parameter " + param).isTrue();
                }
            }));
            checkRefs(doc, doc);
        }
    }

    @Test
    void manifestAndReportSchemasArePublicAndServedAsShipped() {
        try (TestDrydock d = TestDrydock.start()) {
            for (var schema : java.util.Map.of("/api/v1/schemas/manifest.json", dev.drydock.compliance.ShippedSchema.MANIFEST,
                    "/api/v1/schemas/report.json", dev.drydock.compliance.ShippedSchema.REPORT).entrySet()) {
                HttpResponse<String> r = d.send(HttpRequest.newBuilder(URI.create(d.url() + schema.getKey())).GET().build());
                assertThat(r.statusCode()).as(schema.getKey()).isEqualTo(200);
                assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/schema+json");
                assertThat(r.body()).isEqualTo(schema.getValue().text());
                assertThat(BuildFixture.parse(r.body()).get("$schema").asText()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
            }
        }
    }

    private static void checkRefs(JsonNode doc, JsonNode node) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> {
                if (e.getKey().equals("$ref")) {
                    assertThat(resolve(doc, e.getValue().asText()).isMissingNode()).as("$ref " + e.getValue().asText()).isFalse();
                } else {
                    checkRefs(doc, e.getValue());
                }
            });
        } else if (node.isArray()) {
            node.forEach(n -> checkRefs(doc, n));
        }
    }

    private static JsonNode resolve(JsonNode doc, String ref) {
        assertThat(ref).startsWith("#/");
        return doc.at(ref.substring(1));
    }
}
