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

    static final String BUILD_FIELDS = "id engineId status state dockerImage createdDateTime modifiedDateTime digest tag uploadTime user "
            + "validStateActions allowedActions";
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
        assertThat(texts(build.get("validStateActions"))).containsExactlyInAnyOrder("submit", "delete", "retest");
        assertThat(build.get("state").asText()).isEqualTo("available");
        assertThat(Instant.parse(build.get("createdDateTime").asText()).truncatedTo(java.time.temporal.ChronoUnit.MILLIS))
                .isEqualTo(Instant.parse(build.get("uploadTime").asText()));
        assertThat(Instant.parse(build.get("modifiedDateTime").asText())).isAfterOrEqualTo(Instant.parse(build.get("createdDateTime").asText()));

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
        // The platform has no "submitted" status: a build waiting for approval is pending there.
        assertThat(submitted.get("status").asText()).isEqualTo("pending");
        assertThat(submitted.get("state").asText()).isEqualTo("submitted");
        assertThat(submitted.get("allowedActions")).isEmpty(); // the owner waits for a reviewer
        assertThat(submitted.get("validStateActions")).isEmpty();

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

    /**
     * One engine with a build in every Drydock state, reached through updateEngineBuild with every action name
     * (pending and fetching, which only testing holds, are set in the database): each shows its platform status
     * and validStateActions, and every BuildStatus filter finds exactly its builds.
     */
    @Test
    void everyStateShowsItsPlatformStatusAndEveryFilterFindsItsBuilds() {
        BuildFixture.Owner devOwner = f.orgWithRobot(1006);
        String dev = devOwner.auth();
        String engineId = f.registerAdapter(devOwner, "states-adapter");
        Map<String, String> byState = new java.util.LinkedHashMap<>(); // Drydock state -> build id
        java.util.function.Function<String, String> available = tag -> f.pushTested(devOwner, engineId, "states-adapter", tag, "amd64", "available");

        byState.put("available", available.apply("available"));
        byState.put("invalid", f.pushTested(devOwner, engineId, "states-adapter", "invalid", "arm64", "invalid"));
        String submitted = available.apply("submitted");
        act(dev, submitted, engineId, "submit", null, "pending", "submitted");
        byState.put("submitted", submitted);
        String approved = available.apply("approved");
        act(dev, approved, engineId, "submit", null, "pending", "submitted");
        act(admin, approved, engineId, "approve", null, "approved", "approved");
        byState.put("approved", approved);
        String disapproved = available.apply("disapproved");
        act(dev, disapproved, engineId, "submit", null, "pending", "submitted");
        act(admin, disapproved, engineId, "disapprove", "the manifest lacks supportedSourceTypes", "disapproved", "disapproved");
        byState.put("disapproved", disapproved);
        String paused = available.apply("paused");
        act(dev, paused, engineId, "submit", null, "pending", "submitted");
        act(admin, paused, engineId, "approve", null, "approved", "approved");
        act(dev, paused, engineId, "deploy", null, "deployed", "deployed");
        act(dev, paused, engineId, "pause", null, "paused", "paused");
        act(dev, paused, engineId, "unpause", null, "deployed", "deployed");
        String deployed = available.apply("deployed");
        act(dev, deployed, engineId, "submit", null, "pending", "submitted");
        act(admin, deployed, engineId, "approve", null, "approved", "approved");
        act(dev, deployed, engineId, "deploy", null, "deployed", "deployed"); // pauses the other one
        byState.put("deployed", deployed);
        byState.put("paused", paused);
        String deleted = available.apply("deleted");
        act(dev, deleted, engineId, "delete", null, "deleted", "deleted");
        byState.put("deleted", deleted);
        String invalidated = available.apply("invalidated");
        act(admin, invalidated, engineId, "invalidate", "uses a forbidden port", "invalid", "invalid");
        String retested = available.apply("retested");
        act(dev, retested, engineId, "retest", null, "pending", "pending");
        f.awaitState(retested, dev, "available");
        String pending = available.apply("pending");
        String fetching = available.apply("fetching");
        d.server().database().jdbi().useHandle(h -> {
            h.execute("update builds set state = 'pending' where id = ?", pending);
            h.execute("update builds set state = 'fetching' where id = ?", fetching);
        });
        byState.put("pending", pending);
        byState.put("fetching", fetching);

        // Each state: its status, and the actions it offers to the owner and to a reviewer (validStateActions = allowedActions).
        Map<String, String> status = Map.of("pending", "pending", "fetching", "fetching", "available", "available", "invalid", "invalid",
                "submitted", "pending", "approved", "approved", "disapproved", "disapproved", "deployed", "deployed",
                "paused", "paused", "deleted", "deleted");
        Map<String, List<String>> owner = Map.of("pending", List.of("delete"), "fetching", List.of(),
                "available", List.of("submit", "delete", "retest"), "invalid", List.of("delete", "retest"), "submitted", List.of(),
                "approved", List.of("deploy", "delete"), "disapproved", List.of("delete"), "deployed", List.of("pause", "delete"),
                "paused", List.of("unpause", "delete"), "deleted", List.of());
        Map<String, List<String>> reviewer = Map.of("pending", List.of(), "fetching", List.of(), "available", List.of("invalidate"),
                "invalid", List.of(), "submitted", List.of("approve", "disapprove", "invalidate"), "approved", List.of("invalidate"),
                "disapproved", List.of(), "deployed", List.of("invalidate"), "paused", List.of("invalidate"), "deleted", List.of());
        assertThat(byState.keySet()).containsExactlyInAnyOrderElementsOf(status.keySet());
        String one = "query($id: ID!) { engineBuild(id: $id) { status state validStateActions allowedActions } }";
        byState.forEach((state, id) -> {
            JsonNode asOwner = data(gql(dev, one, Map.of("id", id))).get("engineBuild");
            assertThat(asOwner.get("status").asText()).as(state).isEqualTo(status.get(state));
            assertThat(asOwner.get("state").asText()).as(state).isEqualTo(state);
            assertThat(texts(asOwner.get("validStateActions"))).as(state).containsExactlyInAnyOrderElementsOf(owner.get(state));
            assertThat(texts(asOwner.get("allowedActions"))).as(state).containsExactlyInAnyOrderElementsOf(owner.get(state));
            JsonNode asReviewer = data(gql(admin, one, Map.of("id", id))).get("engineBuild");
            assertThat(texts(asReviewer.get("validStateActions"))).as(state).containsExactlyInAnyOrderElementsOf(reviewer.get(state));
            assertThat(texts(asReviewer.get("allowedActions"))).as(state).containsExactlyInAnyOrderElementsOf(reviewer.get(state));
        });

        // Every platform status as a filter, as the enum (buildStatus) and as a string (status).
        Map<String, List<String>> expected = new HashMap<>();
        expected.put("approved", List.of(approved));
        expected.put("available", List.of(byState.get("available"), retested));
        expected.put("deleted", List.of(deleted));
        expected.put("deploying", List.of());
        expected.put("deployed", List.of(deployed));
        expected.put("deployFailed", List.of());
        expected.put("disapproved", List.of(disapproved));
        expected.put("fetching", List.of(fetching));
        expected.put("invalid", List.of(byState.get("invalid"), invalidated));
        expected.put("paused", List.of(paused));
        expected.put("pending", List.of(submitted, pending)); // waiting for a reviewer, and waiting to be tested
        expected.put("uploaded", List.of());
        String byEnum = "query($id: ID!, $s: [BuildStatus!]) { engine(id: $id) { builds(buildStatus: $s) { count offset limit records { id status } } } }";
        String byString = "query($id: ID!, $s: [String]) { engine(id: $id) { builds(status: $s) { count records { id } } } }";
        for (String platformStatus : texts(data(gql(dev, "{ __type(name: \"BuildStatus\") { enumValues { name } } }", null))
                .at("/__type/enumValues"), "name")) {
            List<String> want = expected.get(platformStatus);
            assertThat(want).as("expected builds for " + platformStatus).isNotNull();
            JsonNode list = data(gql(dev, byEnum, Map.of("id", engineId, "s", List.of(platformStatus)))).at("/engine/builds");
            assertThat(texts(list.get("records"), "id")).as(platformStatus).containsExactlyInAnyOrderElementsOf(want);
            assertThat(list.get("count").asInt()).as(platformStatus).isEqualTo(want.size());
            assertThat(list.get("offset").asInt()).isZero();
            assertThat(list.get("limit").asInt()).isEqualTo(30);
            list.get("records").forEach(r -> assertThat(r.get("status").asText()).isEqualTo(platformStatus));
            JsonNode strings = data(gql(dev, byString, Map.of("id", engineId, "s", List.of(platformStatus)))).at("/engine/builds");
            assertThat(texts(strings.get("records"), "id")).as(platformStatus).containsExactlyInAnyOrderElementsOf(want);
        }
        // Several statuses at once, a single value for the list (as the platform's own examples write it), and none.
        JsonNode several = data(gql(dev, "{ engine(id: \"" + engineId + "\") { builds(buildStatus: [deployed, paused, uploaded]) { records { id } } } }", null));
        assertThat(texts(several.at("/engine/builds/records"), "id")).containsExactlyInAnyOrder(deployed, paused);
        JsonNode single = data(gql(dev, "{ engine(id: \"" + engineId + "\") { builds(buildStatus: deployed) { records { id } } } }", null));
        assertThat(texts(single.at("/engine/builds/records"), "id")).containsExactly(deployed);
        JsonNode all = data(gql(dev, "{ engine(id: \"" + engineId + "\") { builds(limit: 100) { count records { id } } } }", null));
        assertThat(texts(all.at("/engine/builds/records"), "id")).hasSize(11).doesNotContain(deleted);

        // Paging and the id argument.
        JsonNode page = data(gql(dev, "{ engine(id: \"" + engineId + "\") { builds(offset: 9, limit: 5) { count offset limit records { id } } } }", null));
        assertThat(page.at("/engine/builds/count").asInt()).isEqualTo(2);
        assertThat(page.at("/engine/builds/offset").asInt()).isEqualTo(9);
        assertThat(page.at("/engine/builds/limit").asInt()).isEqualTo(5);
        assertThat(texts(page.at("/engine/builds/records"), "id")).isEqualTo(texts(all.at("/engine/builds/records"), "id").subList(9, 11));
        JsonNode byId = data(gql(dev, "{ engine(id: \"" + engineId + "\") { builds(id: \"" + approved + "\") { count records { id } } } }", null));
        assertThat(texts(byId.at("/engine/builds/records"), "id")).containsExactly(approved);
        JsonNode nulls = data(gql(dev, "{ engine(id: \"" + engineId + "\") { builds(offset: null, limit: null) { offset limit } } }", null));
        assertThat(nulls.at("/engine/builds/offset").asInt()).isZero();
        assertThat(nulls.at("/engine/builds/limit").asInt()).isEqualTo(30);
        assertThat(code(gql(dev, "{ engine(id: \"" + engineId + "\") { builds(limit: 0) { count } } }", null))).isEqualTo("VALIDATION_FAILED");
        assertThat(code(gql(dev, "{ engine(id: \"" + engineId + "\") { builds(offset: -1) { count } } }", null))).isEqualTo("VALIDATION_FAILED");
        JsonNode badString = gql(dev, "{ engine(id: \"" + engineId + "\") { builds(status: [\"submitted\"]) { count } } }", null);
        assertThat(code(badString)).isEqualTo("VALIDATION_FAILED");
        assertThat(badString.at("/errors/0/extensions/detail/field").asText()).isEqualTo("status");
        // "submitted" is not a platform status: as an enum literal it is a GraphQL validation error.
        assertThat(code(gql(dev, "{ engine(id: \"" + engineId + "\") { builds(buildStatus: [submitted]) { count } } }", null)))
                .isEqualTo("VALIDATION_FAILED");
    }

    @Test
    void uploadIsRefusedBecauseBuildsComeFromPushes() {
        BuildFixture.Owner devOwner = f.orgWithRobot(1007);
        String dev = devOwner.auth();
        String engineId = f.registerAdapter(devOwner, "upload-adapter");
        String id = f.pushTested(devOwner, engineId, "upload-adapter", "1.0", "amd64", "available");

        JsonNode upload = gql(dev, UPDATE, Map.of("in", input(id, engineId, "upload", null)));
        assertThat(code(upload)).isEqualTo(ApiErrorCode.BUILD_ACTION_NOT_ALLOWED.name());
        assertThat(upload.at("/errors/0/message").asText()).contains("no upload action").contains("docker push");
        assertThat(upload.at("/errors/0/extensions/detail/action").asText()).isEqualTo("upload");
        assertThat(texts(upload.at("/errors/0/extensions/detail/allowedActions"))).containsExactlyInAnyOrder("submit", "delete", "retest");
        assertThat(upload.at("/data/updateEngineBuild").isNull()).isTrue();
        // Reviewers get the same answer, and a build that is not yours is still not found first.
        assertThat(code(gql(admin, UPDATE, Map.of("in", input(id, engineId, "upload", null))))).isEqualTo("BUILD_ACTION_NOT_ALLOWED");
        String other = f.orgWithRobot(1008).auth();
        assertThat(code(gql(other, UPDATE, Map.of("in", input(id, engineId, "upload", null))))).isEqualTo("BUILD_NOT_FOUND");

        // The platform's dockerImage input goes with upload; with another action it is refused, not ignored.
        Map<String, Object> withImage = input(id, engineId, "submit", null);
        withImage.put("dockerImage", "registry.example.com/other:1.0");
        JsonNode image = gql(dev, UPDATE, Map.of("in", withImage));
        assertThat(code(image)).isEqualTo("VALIDATION_FAILED");
        assertThat(image.at("/errors/0/extensions/detail/field").asText()).isEqualTo("dockerImage");

        JsonNode after = data(gql(dev, "query($id: ID!) { engineBuild(id: $id) { status validStateActions } }", Map.of("id", id)));
        assertThat(after.at("/engineBuild/status").asText()).isEqualTo("available");
        assertThat(texts(after.at("/engineBuild/validStateActions"))).doesNotContain("upload");
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

        // The schema spells the build enums as Veritone's platform does (plus our retest).
        JsonNode statuses = data(gql(dev, "{ __type(name: \"BuildStatus\") { enumValues { name } } }", null));
        assertThat(texts(statuses.at("/__type/enumValues"), "name")).containsExactly("approved", "available", "deleted", "deploying",
                "deployed", "deployFailed", "disapproved", "fetching", "invalid", "paused", "pending", "uploaded");
        JsonNode actions = data(gql(dev, "{ __type(name: \"BuildUpdateAction\") { enumValues { name } } }", null));
        assertThat(texts(actions.at("/__type/enumValues"), "name")).containsExactly("deploy", "pause", "unpause", "approve",
                "disapprove", "invalidate", "submit", "upload", "delete", "retest");
        // Drydock's own states stay available under their REST names.
        JsonNode states = data(gql(dev, "{ __type(name: \"DrydockBuildState\") { enumValues { name } } }", null));
        assertThat(texts(states.at("/__type/enumValues"), "name")).containsExactly("pending", "fetching", "available", "invalid",
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

    /** Takes the action through updateEngineBuild and checks the platform status and Drydock state it leads to. */
    static void act(String auth, String id, String engineId, String action, String reason, String status, String state) {
        JsonNode build = data(gql(auth, UPDATE, Map.of("in", input(id, engineId, action, reason)))).get("updateEngineBuild");
        assertThat(build.get("status").asText()).as(action).isEqualTo(status);
        assertThat(build.get("state").asText()).as(action).isEqualTo(state);
    }

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
