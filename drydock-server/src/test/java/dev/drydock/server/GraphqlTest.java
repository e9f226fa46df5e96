package dev.drydock.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.platform.ApiErrorCode;
import dev.drydock.server.http.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** POST /graphql: engines and builds, Veritone-shaped, with the REST API's auth and error codes. */
class GraphqlTest {
    static TestDrydock d;
    static BuildFixture f;
    static String admin;

    static final String BUILD_FIELDS = "id engineId status dockerImage digest tag uploadTime user allowedActions";
    static final String UPDATE = "mutation($in: UpdateBuild!) { updateEngineBuild(input: $in) { " + BUILD_FIELDS + " } }";

    @BeforeAll
    static void start() {
        d = BuildFixture.start(Map.of());
        f = new BuildFixture(d);
        admin = f.admin();
    }

    @AfterAll
    static void stop() {
        if (d != null) d.close();
    }

    @Test
    void engineBuildsFilteredByStatus() {
        BuildFixture.Owner devOwner = f.orgWithRobot(1001);
        String dev = devOwner.auth();
        String engineId = f.registerAdapter(devOwner, "filter-adapter");
        String good = f.pushTested(devOwner, engineId, "filter-adapter", "1.0", "amd64", "available");
        String bad = f.pushTested(devOwner, engineId, "filter-adapter", "arm", "arm64", "invalid");

        String q = "query($id: ID!, $s: [BuildStatus!]) { engine(id: $id) { id name state category "
                + "builds(buildStatus: $s) { count records { " + BUILD_FIELDS + " } } } }";
        JsonNode available = data(gql(dev, q, Map.of("id", engineId, "s", List.of("available"))));
        JsonNode engine = available.get("engine");
        assertThat(engine.get("id").asText()).isEqualTo(engineId);
        assertThat(engine.get("name").asText()).isEqualTo("filter-adapter");
        assertThat(engine.get("state").asText()).isEqualTo("pending");
        assertThat(engine.get("category").asText()).isEqualTo("pull");
        assertThat(engine.at("/builds/count").asInt()).isEqualTo(1);
        JsonNode build = engine.at("/builds/records/0");
        assertThat(build.get("id").asText()).isEqualTo(good);
        assertThat(build.get("engineId").asText()).isEqualTo(engineId);
        assertThat(build.get("status").asText()).isEqualTo("available");
        assertThat(build.get("tag").asText()).isEqualTo("1.0");
        assertThat(build.get("dockerImage").asText()).isEqualTo(d.host() + "/1001/filter-adapter:1.0");
        assertThat(build.get("digest").asText()).startsWith("sha256:");
        assertThat(build.get("user").asText()).isEqualTo("1001+ci");
        assertThat(Instant.parse(build.get("uploadTime").asText())).isBefore(Instant.now().plusSeconds(1));
        assertThat(texts(build.get("allowedActions"))).containsExactlyInAnyOrder("submit", "delete", "retest");

        JsonNode invalid = data(gql(dev, "{ engine(id: \"" + engineId + "\") { builds(buildStatus: [invalid]) { count records { id status } } } }", null));
        assertThat(invalid.at("/engine/builds/count").asInt()).isEqualTo(1);
        assertThat(invalid.at("/engine/builds/records/0/id").asText()).isEqualTo(bad);

        JsonNode all = data(gql(dev, "{ engine(id: \"" + engineId + "\") { builds { count records { id } } } }", null));
        assertThat(texts(all.at("/engine/builds/records"), "id")).containsExactly(bad, good); // newest first

        JsonNode none = data(gql(dev, "{ engine(id: \"" + engineId + "\") { builds(buildStatus: [deployed, paused]) { count records { id } } } }", null));
        assertThat(none.at("/engine/builds/count").asInt()).isZero();
        assertThat(none.at("/engine/builds/records")).isEmpty();

        JsonNode one = data(gql(dev, "query($id: ID!) { engineBuild(id: $id) { id status } }", Map.of("id", bad)));
        assertThat(one.at("/engineBuild/status").asText()).isEqualTo("invalid");
    }

    @Test
    void buildGoesThroughSubmitApproveDeployByMutations() {
        BuildFixture.Owner devOwner = f.orgWithRobot(1002);
        String dev = devOwner.auth();
        String engineId = f.registerAdapter(devOwner, "flow-adapter");
        String id = f.pushTested(devOwner, engineId, "flow-adapter", "1.0", "amd64", "available");

        JsonNode submitted = data(gql(dev, UPDATE, Map.of("in", input(id, engineId, "submit", null)))).get("updateEngineBuild");
        assertThat(submitted.get("status").asText()).isEqualTo("submitted");
        assertThat(submitted.get("allowedActions")).isEmpty(); // the owner waits for a reviewer

        // The owner may not approve its own build.
        JsonNode forbidden = gql(dev, UPDATE, Map.of("in", input(id, engineId, "approve", null)));
        assertThat(code(forbidden)).isEqualTo("FORBIDDEN");
        assertThat(forbidden.at("/data/updateEngineBuild").isNull()).isTrue();
        assertThat(forbidden.at("/errors/0/path/0").asText()).isEqualTo("updateEngineBuild");

        JsonNode approved = data(gql(admin, UPDATE, Map.of("in", input(id, engineId, "approve", "looks good")))).get("updateEngineBuild");
        assertThat(approved.get("status").asText()).isEqualTo("approved");

        JsonNode deployed = data(gql(dev, UPDATE, Map.of("in", input(id, engineId, "deploy", null)))).get("updateEngineBuild");
        assertThat(deployed.get("status").asText()).isEqualTo("deployed");
        assertThat(texts(deployed.get("allowedActions"))).containsExactlyInAnyOrder("pause", "delete");
        assertThat(data(gql(dev, "{ engine(id: \"" + engineId + "\") { state } }", null)).at("/engine/state").asText()).isEqualTo("active");

        // The REST API sees the same history.
        JsonNode history = d.api("GET", "/api/v1/builds/" + id, dev, null, 200).get("history");
        assertThat(texts(history, "action")).containsSubsequence("push", "tested", "submit", "approve", "deploy");

        // A disallowed action: the state does not offer it.
        JsonNode notAllowed = gql(dev, UPDATE, Map.of("in", input(id, engineId, "submit", null)));
        assertThat(code(notAllowed)).isEqualTo(ApiErrorCode.BUILD_ACTION_NOT_ALLOWED.name());
        assertThat(notAllowed.at("/errors/0/message").asText()).contains("cannot submit a build that is deployed");
        assertThat(texts(notAllowed.at("/errors/0/extensions/detail/allowedActions"))).containsExactlyInAnyOrder("pause", "delete");
        assertThat(notAllowed.at("/data/updateEngineBuild").isNull()).isTrue();

        // Delete through its own mutation.
        JsonNode deleted = data(gql(dev, "mutation($in: DeleteBuild!) { deleteEngineBuild(input: $in) { id message } }",
                Map.of("in", Map.of("id", id, "engineId", engineId)))).get("deleteEngineBuild");
        assertThat(deleted.get("id").asText()).isEqualTo(id);
        assertThat(deleted.get("message").asText()).contains("deleted");
        assertThat(data(gql(dev, "{ engineBuild(id: \"" + id + "\") { status allowedActions } }", null)).at("/engineBuild/status").asText())
                .isEqualTo("deleted");
    }

    @Test
    void validationErrorsCarryTheirCode() {
        BuildFixture.Owner devOwner = f.orgWithRobot(1003);
        String dev = devOwner.auth();
        String engineId = f.registerAdapter(devOwner, "validate-adapter");
        String id = f.pushTested(devOwner, engineId, "validate-adapter", "1.0", "amd64", "available");
        data(gql(dev, UPDATE, Map.of("in", input(id, engineId, "submit", null))));

        JsonNode noReason = gql(admin, UPDATE, Map.of("in", input(id, engineId, "disapprove", null)));
        assertThat(code(noReason)).isEqualTo("VALIDATION_FAILED");
        assertThat(noReason.at("/errors/0/extensions/detail/field").asText()).isEqualTo("reason");

        // graphql-java's own errors (syntax, unknown field, bad enum value in variables) are the client's too.
        assertThat(code(gql(dev, "{ engine(id: ", null))).isEqualTo("VALIDATION_FAILED");
        assertThat(code(gql(dev, "{ engine(id: \"x\") { colour } }", null))).isEqualTo("VALIDATION_FAILED");
        assertThat(code(gql(dev, UPDATE, Map.of("in", input(id, engineId, "launch", null))))).isEqualTo("VALIDATION_FAILED");

        // Request errors are HTTP errors with the GraphQL body shape.
        HttpResponse<String> noQuery = post(dev, "{\"variables\":{}}");
        assertThat(noQuery.statusCode()).isEqualTo(400);
        assertThat(code(BuildFixture.parse(noQuery.body()))).isEqualTo("VALIDATION_FAILED");
        HttpResponse<String> notJson = post(dev, "query { engine }");
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(code(BuildFixture.parse(notJson.body()))).isEqualTo("MALFORMED_JSON");

        // The schema spells the enums as the record does.
        JsonNode statuses = data(gql(dev, "{ __type(name: \"BuildStatus\") { enumValues { name } } }", null));
        assertThat(texts(statuses.at("/__type/enumValues"), "name")).containsExactly("pending", "fetching", "available", "invalid",
                "submitted", "approved", "disapproved", "deployed", "paused", "deleted");
    }

    @Test
    void otherOrganizationsIdsAreNotFound() {
        BuildFixture.Owner devAOwner = f.orgWithRobot(1004);
        String devA = devAOwner.auth();
        String engineA = f.registerAdapter(devAOwner, "secret-adapter");
        String buildA = f.pushTested(devAOwner, engineA, "secret-adapter", "1.0", "amd64", "available");
        BuildFixture.Owner devBOwner = f.orgWithRobot(1005);
        String devB = devBOwner.auth();
        String engineB = f.registerAdapter(devBOwner, "other-adapter");
        String buildB = f.pushTested(devBOwner, engineB, "other-adapter", "1.0", "amd64", "available");

        JsonNode engine = gql(devB, "query($id: ID!) { engine(id: $id) { id name } }", Map.of("id", engineA));
        assertThat(code(engine)).isEqualTo("ADAPTER_NOT_FOUND");
        assertThat(engine.at("/data/engine").isNull()).isTrue();
        // ...exactly as for an id that does not exist.
        JsonNode missing = gql(devB, "query($id: ID!) { engine(id: $id) { id name } }", Map.of("id", "00000000-0000-0000-0000-000000000000"));
        assertThat(code(missing)).isEqualTo("ADAPTER_NOT_FOUND");

        assertThat(code(gql(devB, "query($id: ID!) { engineBuild(id: $id) { id } }", Map.of("id", buildA)))).isEqualTo("BUILD_NOT_FOUND");
        assertThat(code(gql(devB, UPDATE, Map.of("in", input(buildA, engineA, "delete", null))))).isEqualTo("BUILD_NOT_FOUND");
        assertThat(code(gql(devB, "mutation($in: DeleteBuild!) { deleteEngineBuild(input: $in) { id } }",
                Map.of("in", Map.of("id", buildA, "engineId", engineA))))).isEqualTo("BUILD_NOT_FOUND");
        // Own build, but named with another engine's id: not found either.
        assertThat(code(gql(devB, UPDATE, Map.of("in", input(buildB, engineA, "submit", null))))).isEqualTo("BUILD_NOT_FOUND");
        assertThat(d.api("GET", "/api/v1/builds/" + buildA, devA, null, 200).get("state").asText()).isEqualTo("available");
        assertThat(d.api("GET", "/api/v1/builds/" + buildB, devB, null, 200).get("state").asText()).isEqualTo("available");

        // Several root fields: each one fails or succeeds on its own.
        JsonNode mixed = gql(devB, "{ mine: engine(id: \"" + engineB + "\") { name } theirs: engine(id: \"" + engineA + "\") { name } }", null);
        assertThat(mixed.at("/data/mine/name").asText()).isEqualTo("other-adapter");
        assertThat(mixed.at("/data/theirs").isNull()).isTrue();
        assertThat(mixed.get("errors")).hasSize(1);
        assertThat(mixed.at("/errors/0/path/0").asText()).isEqualTo("theirs");
    }

    @Test
    void anonymousAndWrongCredentialsGet401() {
        HttpResponse<String> anonymous = post(null, "{\"query\":\"{ engine(id: \\\"x\\\") { id } }\"}");
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(code(BuildFixture.parse(anonymous.body()))).isEqualTo("UNAUTHENTICATED");

        HttpResponse<String> wrong = post(TestDrydock.basic(TestDrydock.ADMIN_EMAIL, "not-the-password"),
                "{\"query\":\"{ engine(id: \\\"x\\\") { id } }\"}");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(code(BuildFixture.parse(wrong.body()))).isEqualTo("UNAUTHENTICATED");

        // Basic credentials work as on the REST API.
        HttpResponse<String> basic = post(TestDrydock.basic(TestDrydock.ADMIN_EMAIL, TestDrydock.ADMIN_PASSWORD),
                "{\"query\":\"{ __typename }\"}");
        assertThat(basic.statusCode()).isEqualTo(200);
        assertThat(BuildFixture.parse(basic.body()).at("/data/__typename").asText()).isEqualTo("Query");
    }

    // ---------------------------------------------------------------- helpers

    static Map<String, Object> input(String id, String engineId, String action, String reason) {
        Map<String, Object> in = new HashMap<>();
        in.put("id", id);
        in.put("engineId", engineId);
        in.put("action", action);
        if (reason != null) in.put("reason", reason);
        return in;
    }

    static JsonNode gql(String auth, String query, Map<String, Object> variables) {
        Map<String, Object> body = new HashMap<>();
        body.put("query", query);
        if (variables != null) body.put("variables", variables);
        try {
            HttpResponse<String> r = post(auth, Json.MAPPER.writeValueAsString(body));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
            return BuildFixture.parse(r.body());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static HttpResponse<String> post(String auth, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(d.url() + "/graphql"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (auth != null) b.header("Authorization", auth);
        return d.send(b.build());
    }

    /** The data of a response that must have no errors. */
    static JsonNode data(JsonNode response) {
        assertThat(response.get("errors")).as("errors in %s", response).isNull();
        return response.get("data");
    }

    static String code(JsonNode response) {
        assertThat(response.get("errors")).as("errors in %s", response).isNotNull().isNotEmpty();
        return response.at("/errors/0/extensions/code").asText();
    }

    static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    static List<String> texts(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.get(field).asText()));
        return out;
    }
}
