package dev.drydock.server.builds;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.platform.jobs.BuildTester;
import dev.drydock.server.BuildFixture;
import dev.drydock.server.BuildFixture.Party;
import dev.drydock.server.TestDrydock;
import dev.drydock.server.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Adapters around their builds: derived adapter state, one deployed build per adapter, disable/enable/delete,
 * registration rules, pushes that create (or do not create) builds, reports and the review queue.
 */
class AdapterLifecycleTest {
    private static final CountDownLatch RELEASE = new CountDownLatch(1);
    private static final UnaryOperator<BuildTester> HOLD = tester -> (build, run) -> {
        if (build.tag() != null && build.tag().startsWith("hold")) RELEASE.await();
        return tester.test(build, run);
    };
    private static BuildFixture w;

    @BeforeAll
    static void start() {
        w = BuildFixture.withParties(Map.of("worker.concurrency", "2"), HOLD);
    }

    @AfterAll
    static void stop() {
        RELEASE.countDown();
        if (w != null) w.close();
    }

    @Test
    void adapterStateFollowsBuildsAndDeployPausesThePreviouslyDeployedBuild() {
        String engineId = w.register("states");
        assertThat(w.adapterState(engineId)).isEqualTo("pending");
        String first = w.push("states", "1.0", "amd64");
        w.awaitState(first, "available");
        assertThat(w.adapterState(engineId)).isEqualTo("pending");
        w.act(w.dev(), first, "submit", null, 200);
        assertThat(w.adapterState(engineId)).isEqualTo("pending");
        w.act(w.reviewer(), first, "approve", "looks good", 200);
        assertThat(w.adapterState(engineId)).isEqualTo("ready");
        w.act(w.dev(), first, "deploy", null, 200);
        assertThat(w.adapterState(engineId)).isEqualTo("active");
        w.act(w.dev(), first, "pause", null, 200);
        assertThat(w.adapterState(engineId)).isEqualTo("ready");
        w.act(w.auth(Party.robot), first, "unpause", null, 200);
        assertThat(w.adapterState(engineId)).isEqualTo("active");

        String second = w.push("states", "2.0", "amd64");
        w.awaitState(second, "available");
        w.act(w.dev(), second, "submit", null, 200);
        w.act(w.reviewer(), second, "approve", null, 200);
        assertThat(w.adapterState(engineId)).isEqualTo("active");
        w.act(w.auth(Party.orgAdmin), second, "deploy", null, 200);

        assertThat(w.state(second)).isEqualTo("deployed");
        JsonNode paused = w.build(first);
        assertThat(paused.get("state").asText()).isEqualTo("paused");
        JsonNode entry = last(paused);
        assertThat(entry.get("action").asText()).isEqualTo("pause");
        assertThat(entry.get("from").asText()).isEqualTo("deployed");
        assertThat(entry.get("to").asText()).isEqualTo("paused");
        assertThat(entry.get("actor").asText()).isEqualTo(BuildFixture.ORG_ADMIN);
        assertThat(entry.get("reason").asText()).isEqualTo("build " + second + " was deployed");
        assertThat(w.builds(engineId, "deployed")).hasSize(1);
        assertThat(w.adapterState(engineId)).isEqualTo("active");

        // unpausing the first deploys it again and pauses the second: still one deployed build
        w.act(w.dev(), first, "unpause", null, 200);
        assertThat(w.state(second)).isEqualTo("paused");
        assertThat(w.builds(engineId, "deployed")).extracting(b -> b.get("id").asText()).containsExactly(first);

        w.act(w.dev(), first, "delete", null, 200);
        assertThat(w.adapterState(engineId)).as("a paused approved build still makes it ready").isEqualTo("ready");
        w.act(w.reviewer(), second, "invalidate", "found a CVE", 200);
        assertThat(w.adapterState(engineId)).isEqualTo("pending");
        assertThat(w.builds(engineId, "")).extracting(b -> b.get("id").asText()).containsExactly(second);
        assertThat(w.builds(engineId, "deleted,invalid")).hasSize(2);
        JsonNode badState = w.d.api("GET", "/api/v1/adapters/" + engineId + "/builds?state=bogus", w.dev(), null, 400);
        assertThat(badState.get("error").get("detail").get("field").asText()).isEqualTo("state");
    }

    @Test
    void disableOnlyFromReadyOrActivePausesTheDeployedBuildAndEnableRedeploysIt() {
        String engineId = w.register("toggle");
        JsonNode refused = w.adapterAction(w.dev(), engineId, "disable", 409);
        assertThat(refused.get("error").get("code").asText()).isEqualTo("ADAPTER_ACTION_NOT_ALLOWED");
        assertThat(refused.get("error").get("detail").get("state").asText()).isEqualTo("pending");
        w.adapterAction(w.dev(), engineId, "enable", 409);

        String deployed = w.push("toggle", "1.0", "amd64");
        w.awaitState(deployed, "available");
        w.act(w.dev(), deployed, "submit", null, 200);
        w.act(w.reviewer(), deployed, "approve", null, 200);
        // ready -> disabled -> enabled: back to ready, nothing deployed
        assertThat(w.adapterAction(w.dev(), engineId, "disable", 200).get("state").asText()).isEqualTo("disabled");
        assertThat(w.adapterAction(w.dev(), engineId, "enable", 200).get("state").asText()).isEqualTo("ready");
        w.act(w.dev(), deployed, "deploy", null, 200);
        String approved = w.push("toggle", "2.0", "amd64");
        w.awaitState(approved, "available");
        w.act(w.dev(), approved, "submit", null, 200);
        w.act(w.reviewer(), approved, "approve", null, 200);

        // only the organization's members and robots may disable
        assertThat(w.adapterAction(w.reviewer(), engineId, "disable", 403).get("error").get("code").asText()).isEqualTo("FORBIDDEN");
        assertThat(w.adapterAction(w.auth(Party.otherOrgMember), engineId, "disable", 404).get("error").get("code").asText())
                .isEqualTo("ADAPTER_NOT_FOUND");
        w.adapterAction(null, engineId, "disable", 401);
        assertThat(w.adapterAction(w.dev(), engineId, "switch-off", 400).get("error").get("detail").get("field").asText())
                .isEqualTo("action");

        assertThat(w.adapterAction(w.auth(Party.robot), engineId, "disable", 200).get("state").asText()).isEqualTo("disabled");
        JsonNode paused = w.build(deployed);
        assertThat(paused.get("state").asText()).isEqualTo("paused");
        assertThat(last(paused).get("reason").asText()).isEqualTo("adapter disabled");
        assertThat(last(paused).get("actor").asText()).isEqualTo(BuildFixture.ROBOT);
        assertThat(paused.get("allowedActions")).extracting(JsonNode::asText).doesNotContain("unpause").contains("delete");
        assertThat(w.build(approved).get("allowedActions")).extracting(JsonNode::asText).doesNotContain("deploy");

        JsonNode unpause = w.act(w.dev(), deployed, "unpause", null, 409);
        assertThat(unpause.get("error").get("code").asText()).isEqualTo("BUILD_ACTION_NOT_ALLOWED");
        assertThat(unpause.get("error").get("detail").get("adapterState").asText()).isEqualTo("disabled");
        assertThat(unpause.get("error").get("message").asText()).contains("enable it");
        w.act(w.dev(), approved, "deploy", null, 409);
        assertThat(w.adapterAction(w.dev(), engineId, "disable", 409).get("error").get("code").asText())
                .isEqualTo("ADAPTER_ACTION_NOT_ALLOWED");
        assertThat(w.state(deployed)).isEqualTo("paused");
        assertThat(w.state(approved)).isEqualTo("approved");

        assertThat(w.adapterAction(w.auth(Party.orgAdmin), engineId, "enable", 200).get("state").asText()).isEqualTo("active");
        JsonNode redeployed = w.build(deployed);
        assertThat(redeployed.get("state").asText()).isEqualTo("deployed");
        assertThat(last(redeployed).get("action").asText()).isEqualTo("unpause");
        assertThat(last(redeployed).get("reason").asText()).isEqualTo("adapter enabled");
        assertThat(last(redeployed).get("actor").asText()).isEqualTo(BuildFixture.ORG_ADMIN);
        w.act(w.dev(), approved, "deploy", null, 200);
        assertThat(w.state(deployed)).isEqualTo("paused");
    }

    @Test
    void enableDoesNotRedeployABuildThatWasDeletedWhileDisabled() {
        String deployed = w.prepare("toggle-delete", "deployed");
        String engineId = w.build(deployed).get("engineId").asText();
        w.adapterAction(w.dev(), engineId, "disable", 200);
        w.act(w.dev(), deployed, "delete", null, 200);
        assertThat(w.adapterAction(w.dev(), engineId, "enable", 200).get("state").asText()).isEqualTo("pending");
        assertThat(w.state(deployed)).isEqualTo("deleted");
    }

    @Test
    void deletingAnAdapterDeletesItsBuildsFreesTheNameAndRefusesPushes() {
        String deployed = w.prepare("doomed", "deployed");
        String engineId = w.build(deployed).get("engineId").asText();
        String invalid = w.push("doomed", "arm", "arm64");
        w.awaitState(invalid, "invalid");
        String devRegistryToken = w.d.token(BuildFixture.DEV, TestDrydock.PASSWORD, "repository:" + BuildFixture.ORG + "/doomed:pull");
        String digest = w.build(deployed).get("digest").asText();
        assertThat(headManifest(devRegistryToken, "doomed", digest)).isEqualTo(200);

        assertThat(w.adapterAction(w.reviewer(), engineId, "delete", 403).get("error").get("code").asText()).isEqualTo("FORBIDDEN");
        JsonNode deleted = w.adapterAction(w.dev(), engineId, "delete", 200);
        assertThat(deleted.get("state").asText()).isEqualTo("deleted");
        assertThat(w.state(deployed)).isEqualTo("deleted");
        assertThat(w.state(invalid)).isEqualTo("deleted");
        assertThat(last(w.build(deployed)).get("reason").asText()).isEqualTo("adapter deleted");
        assertThat(w.builds(engineId, "")).isEmpty();
        assertThat(w.builds(engineId, "deleted")).hasSize(2);
        assertThat(headManifest(devRegistryToken, "doomed", digest)).as("the image is released").isEqualTo(404);
        w.adapterAction(w.dev(), engineId, "delete", 409);
        w.adapterAction(w.dev(), engineId, "enable", 409);
        assertThat(w.d.api("GET", "/api/v1/orgs/" + BuildFixture.ORG + "/adapters", w.dev(), null, 200))
                .extracting(a -> a.get("name").asText()).doesNotContain("doomed");

        assertThatThrownBy(() -> w.push("doomed", "3.0", "amd64"))
                .isInstanceOfSatisfying(TestImages.Refused.class, r -> assertThat(r.body).contains("register it first"));

        String again = w.register("doomed");
        assertThat(again).isNotEqualTo(engineId);
        assertThat(w.adapterState(again)).isEqualTo("pending");
        String fresh = w.push("doomed", "1.0", "amd64");
        w.awaitState(fresh, "available");
        assertThat(w.build(fresh).get("engineId").asText()).isEqualTo(again);
    }

    @Test
    void disapproveNeedsAReason() {
        String id = w.prepare("reasons", "submitted");
        JsonNode missing = w.act(w.reviewer(), id, "disapprove", null, 400);
        assertThat(missing.get("error").get("code").asText()).isEqualTo("VALIDATION_FAILED");
        assertThat(missing.get("error").get("detail").get("field").asText()).isEqualTo("reason");
        assertThat(missing.get("error").get("message").asText()).contains("reason");
        w.act(w.reviewer(), id, "disapprove", "   ", 400);
        w.act(w.reviewer(), id, "disapprove", "x".repeat(2001), 400);
        assertThat(w.state(id)).isEqualTo("submitted");

        JsonNode done = w.act(w.reviewer(), id, "disapprove", "the adapter writes to /etc", 200);
        assertThat(done.get("state").asText()).isEqualTo("disapproved");
        assertThat(last(done).get("reason").asText()).isEqualTo("the adapter writes to /etc");
        assertThat(last(done).get("actor").asText()).isEqualTo(BuildFixture.REVIEWER);
    }

    @Test
    void pushToARepositoryWithoutAdapterIsRefusedWithTheFix() {
        int before = w.d.events.size();
        TestImages.Built image = TestImages.newAdapter("amd64");
        assertThatThrownBy(() -> TestImages.push(w.d.url(), BuildFixture.ROBOT, w.robotToken, BuildFixture.ORG + "/unregistered",
                image, "1.0"))
                .isInstanceOfSatisfying(TestImages.Refused.class, r -> {
                    assertThat(r.status).isEqualTo(403);
                    JsonNode error = BuildFixture.parse(r.body).get("errors").get(0);
                    assertThat(error.get("code").asText()).isEqualTo("DENIED");
                    assertThat(error.get("message").asText())
                            .contains("no adapter named 'unregistered' is registered in organization " + BuildFixture.ORG)
                            .contains("POST /api/v1/orgs/" + BuildFixture.ORG + "/adapters");
                    assertThat(r.getMessage()).startsWith("POST blob upload"); // refused before any byte is stored
                });
        assertThat(w.d.events.subList(before, w.d.events.size())).isEmpty();
    }

    @Test
    void theSameDigestUnderASecondTagCreatesNoSecondBuild() {
        String engineId = w.register("retag");
        TestImages.Built image = TestImages.newAdapter("amd64");
        String repository = BuildFixture.ORG + "/retag";
        TestImages.push(w.d.url(), BuildFixture.ROBOT, w.robotToken, repository, image, "1.0");
        String id = w.buildOf("retag", image.digest().toString());
        w.awaitState(id, "available");
        TestImages.push(w.d.url(), BuildFixture.ROBOT, w.robotToken, repository, image, "latest");
        TestImages.push(w.d.url(), BuildFixture.ROBOT, w.robotToken, repository, image, "1.0");
        assertThat(w.builds(engineId, "")).extracting(b -> b.get("id").asText()).containsExactly(id);
        assertThat(w.build(id).get("tag").asText()).isEqualTo("1.0");
        assertThat(BuildFixture.history(w.build(id), "push")).hasSize(1);

        String other = w.push("retag", "2.0", "amd64");
        assertThat(other).isNotEqualTo(id);
        assertThat(w.builds(engineId, "")).hasSize(2);
    }

    @Test
    void registrationValidatesEveryField() {
        JsonNode created = w.registerAdapter(w.dev(), "my-adapter.v2_x", "push", "HumanReview", "stream", 201);
        assertThat(created.get("state").asText()).isEqualTo("pending");
        assertThat(created.get("repository").asText()).isEqualTo(BuildFixture.ORG + "/my-adapter.v2_x");
        assertThat(created.get("image").asText()).isEqualTo(w.d.host() + "/" + BuildFixture.ORG + "/my-adapter.v2_x");
        assertThat(created.get("createdBy").asText()).isEqualTo(BuildFixture.DEV);

        JsonNode duplicate = w.registerAdapter(w.auth(Party.orgAdmin), "my-adapter.v2_x", "pull", "HumanReview", "batch", 409);
        assertThat(duplicate.get("error").get("code").asText()).isEqualTo("ADAPTER_EXISTS");
        assertThat(duplicate.get("error").get("detail").get("name").asText()).isEqualTo("my-adapter.v2_x");

        assertField(w.registerAdapter(w.dev(), "a1", "weather", "HumanReview", "batch", 400), "category");
        assertField(w.registerAdapter(w.dev(), "a2", null, "HumanReview", "batch", 400), "category");
        assertField(w.registerAdapter(w.dev(), "a3", "pull", "Isolated", "batch", 400), "deploymentModel");
        assertField(w.registerAdapter(w.dev(), "a4", "pull", null, "batch", 400), "deploymentModel");
        assertField(w.registerAdapter(w.dev(), "a5", "pull", "HumanReview", "realtime", 400), "engineMode");
        assertField(w.registerAdapter(w.dev(), "a6", "pull", "HumanReview", null, 400), "engineMode");
        for (String name : List.of("Upper", "a/b", "", "-dash", "trailing-", "sp ace", "x".repeat(201))) {
            assertField(w.registerAdapter(w.dev(), name, "pull", "HumanReview", "batch", 400), "name");
        }
        assertField(w.registerAdapter(w.dev(), null, "pull", "HumanReview", "batch", 400), "name");
        JsonNode chunk = w.registerAdapter(w.dev(), "a7", "pull", "HumanReview", "chunk", 400);
        assertField(chunk, "engineMode");
        assertThat(chunk.get("error").get("message").asText()).contains("batch or stream");
        assertField(w.registerAdapter(w.dev(), "a8", "push", "HumanReview", "chunk", 400), "engineMode");
        assertThat(w.registerAdapter(w.dev(), "a9", "transcription", "NonNetworkIsolated", "chunk", 201)
                .get("engineMode").asText()).isEqualTo("chunk");

        assertThat(w.registerAdapter(w.auth(Party.robot), "by-robot", "pull", "HumanReview", "batch", 201)
                .get("createdBy").asText()).isEqualTo(BuildFixture.ROBOT);
        assertThat(w.registerAdapter(w.reviewer(), "by-reviewer", "pull", "HumanReview", "batch", 403)
                .get("error").get("code").asText()).isEqualTo("FORBIDDEN");
        assertThat(w.registerAdapter(w.auth(Party.otherOrgMember), "by-stranger", "pull", "HumanReview", "batch", 404)
                .get("error").get("code").asText()).isEqualTo("ORG_NOT_FOUND");
        w.registerAdapter(null, "by-nobody", "pull", "HumanReview", "batch", 401);
        // none of the refused registrations left an adapter behind
        assertThat(w.d.api("GET", "/api/v1/orgs/" + BuildFixture.ORG + "/adapters", w.dev(), null, 200))
                .extracting(a -> a.get("name").asText())
                .doesNotContain("a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "by-reviewer", "by-stranger", "by-nobody");
    }

    @Test
    void reportIsAnAttachmentOnceTestingFinished() {
        w.register("report");
        w.register("report-2");
        // both worker slots held: the third build stays pending
        String heldA = w.push("report", "hold-a", "amd64");
        String heldB = w.push("report-2", "hold-b", "amd64");
        w.awaitState(heldA, "fetching");
        w.awaitState(heldB, "fetching");
        String queued = w.push("report", "queued", "amd64");
        assertThat(w.state(queued)).isEqualTo("pending");
        for (String id : List.of(heldA, queued)) {
            HttpResponse<String> early = w.get(w.dev(), "/api/v1/builds/" + id + "/report");
            assertThat(early.statusCode()).isEqualTo(409);
            JsonNode error = BuildFixture.parse(early.body()).get("error");
            assertThat(error.get("code").asText()).isEqualTo("REPORT_NOT_AVAILABLE");
            assertThat(error.get("detail").get("state").asText()).isIn("fetching", "pending");
            assertThat(w.build(id).get("reportAvailable").asBoolean()).isFalse();
        }
        RELEASE.countDown();
        w.awaitState(heldA, "available");
        w.awaitState(queued, "available");

        HttpResponse<String> report = w.get(w.auth(Party.robot), "/api/v1/builds/" + heldA + "/report");
        assertThat(report.statusCode()).isEqualTo(200);
        assertThat(report.headers().firstValue("Content-Disposition"))
                .contains("attachment; filename=build-" + heldA + "-report.json");
        assertThat(report.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/json");
        JsonNode body = BuildFixture.parse(report.body());
        assertThat(body.get("build").asText()).isEqualTo(heldA);
        assertThat(body.get("success").asBoolean()).isTrue();
        assertThat(body.get("image").asText()).endsWith(BuildFixture.ORG + "/report:hold-a");
        assertThat(body.get("checks").get(0).get("id").asText()).isEqualTo("image.platform");
        assertThat(w.build(heldA).get("reportAvailable").asBoolean()).isTrue();
        assertThat(w.build(heldA).get("image").asText()).isEqualTo(w.d.host() + "/" + BuildFixture.ORG + "/report:hold-a");
        assertThat(w.get(w.reviewer(), "/api/v1/builds/" + heldA + "/report").statusCode()).isEqualTo(200);
        assertThat(w.get(w.auth(Party.otherOrgMember), "/api/v1/builds/" + heldA + "/report").statusCode()).isEqualTo(404);
        assertThat(w.get(null, "/api/v1/builds/" + heldA + "/report").statusCode()).isEqualTo(401);

        String invalid = w.push("report", "arm", "arm64");
        w.awaitState(invalid, "invalid");
        JsonNode failed = BuildFixture.parse(w.get(w.dev(), "/api/v1/builds/" + invalid + "/report").body());
        assertThat(failed.get("success").asBoolean()).isFalse();
        assertThat(failed.get("errors").get(0).asText()).contains("linux/arm64").contains("--platform linux/amd64");
        assertThat(w.build(invalid).get("checks").get(0).get("verdict").asText()).isEqualTo("failed");

        // a deleted build's report is not served
        w.act(w.dev(), invalid, "delete", null, 200);
        assertThat(w.get(w.dev(), "/api/v1/builds/" + invalid + "/report").statusCode()).isEqualTo(409);
    }

    @Test
    void reviewQueueListsSubmittedBuildsForReviewersOnly() {
        String first = w.prepare("queue-a", "submitted");
        String second = w.prepare("queue-b", "submitted");
        String notSubmitted = w.prepare("queue-c", "available");
        for (String auth : List.of(w.reviewer(), w.auth(Party.platformAdmin))) {
            List<String> queue = ids(w.d.api("GET", "/api/v1/reviews", auth, null, 200));
            assertThat(queue).contains(first, second).doesNotContain(notSubmitted);
            assertThat(queue.indexOf(first)).as("oldest first").isLessThan(queue.indexOf(second));
        }
        w.d.addMember(BuildFixture.REVIEWERS_ORG, "operator@drydock.test", "developer");
        w.d.setPlatformRole("operator@drydock.test", "operator");
        String operator = w.d.login("operator@drydock.test", TestDrydock.PASSWORD);
        for (String auth : List.of(w.dev(), w.auth(Party.orgAdmin), w.auth(Party.robot), w.auth(Party.otherOrgMember), operator)) {
            assertThat(w.d.api("GET", "/api/v1/reviews", auth, null, 403).get("error").get("code").asText()).isEqualTo("FORBIDDEN");
        }
        w.d.api("GET", "/api/v1/reviews", null, null, 401);

        w.act(w.reviewer(), first, "approve", null, 200);
        assertThat(ids(w.d.api("GET", "/api/v1/reviews", w.reviewer(), null, 200))).doesNotContain(first).contains(second);
    }

    // ---------------------------------------------------------------- helpers

    private static JsonNode last(JsonNode build) {
        JsonNode history = build.get("history");
        return history.get(history.size() - 1);
    }

    private static List<String> ids(JsonNode builds) {
        List<String> ids = new ArrayList<>();
        builds.forEach(b -> ids.add(b.get("id").asText()));
        return ids;
    }

    private static void assertField(JsonNode response, String field) {
        assertThat(response.get("error").get("code").asText()).isEqualTo("VALIDATION_FAILED");
        assertThat(response.get("error").get("detail").get("field").asText()).isEqualTo(field);
    }

    private static int headManifest(String registryToken, String name, String digest) {
        return w.d.send(HttpRequest.newBuilder(URI.create(w.d.url() + "/v2/" + BuildFixture.ORG + "/" + name + "/manifests/" + digest))
                .header("Authorization", "Bearer " + registryToken)
                .header("Accept", TestImages.OCI_MANIFEST)
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build()).statusCode();
    }
}
