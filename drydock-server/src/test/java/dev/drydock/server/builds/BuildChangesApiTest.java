package dev.drydock.server.builds;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.platform.jobs.BuildTester;
import dev.drydock.server.BuildFixture;
import dev.drydock.server.BuildFixture.Owner;
import dev.drydock.server.BuildFixture.Party;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code GET /api/v1/builds/{buildId}/changes}: what changed since the adapter's previous build, or since a named one. */
class BuildChangesApiTest {
    private static final CountDownLatch RELEASE = new CountDownLatch(1);
    private static final UnaryOperator<BuildTester> HOLD = tester -> (build, run) -> {
        if (build.tag() != null && build.tag().startsWith("hold")) RELEASE.await();
        return tester.test(build, run);
    };
    private static BuildFixture w;
    /** Builds of adapter "compared": an invalid linux/arm64 build, then an available linux/amd64 one. */
    private static String invalid;
    private static String available;

    @BeforeAll
    static void start() {
        w = BuildFixture.withParties(Map.of("worker.concurrency", "2"), HOLD);
        w.register("compared");
        invalid = w.push("compared", "1.0", "arm64");
        w.awaitState(invalid, "invalid");
        available = w.push("compared", "2.0", "amd64");
        w.awaitState(available, "available");
    }

    @AfterAll
    static void stop() {
        RELEASE.countDown();
        if (w != null) w.close();
    }

    private static JsonNode changes(String buildId, String query, String auth, int status) {
        return w.d.api("GET", "/api/v1/builds/" + buildId + "/changes" + query, auth, null, status);
    }

    private static Map<String, String[]> verdicts(JsonNode changes) {
        Map<String, String[]> result = new java.util.LinkedHashMap<>();
        for (JsonNode c : changes.get("checks")) {
            result.put(c.get("id").asText(), new String[]{c.get("before").asText(null), c.get("after").asText(null)});
        }
        return result;
    }

    @Test
    void comparesWithThePreviousTestedBuildOfTheAdapter() {
        JsonNode changes = changes(available, "", w.dev(), 200);

        assertThat(changes.at("/build/id").asText()).isEqualTo(available);
        assertThat(changes.at("/build/tag").asText()).isEqualTo("2.0");
        assertThat(changes.at("/previous/id").asText()).isEqualTo(invalid);
        assertThat(changes.at("/previous/tag").asText()).isEqualTo("1.0");
        assertThat(changes.at("/previous/digest").asText()).isEqualTo(w.build(invalid).get("digest").asText());
        assertThat(changes.at("/previous/uploadTime").asLong()).isEqualTo(w.build(invalid).get("uploadTime").asLong());
        assertThat(verdicts(changes)).containsEntry("image.platform", new String[]{"failed", "passed"});
        JsonNode platform = find(changes.get("checks"), "image.platform");
        assertThat(platform.get("message").asText()).contains("amd64");
        assertThat(changes.get("nothingChanged").asBoolean()).isFalse();
        assertThat(changes.at("/vulnerabilities/added").isArray()).isTrue();
        assertThat(changes.at("/vulnerabilities/fixed").isArray()).isTrue();
        assertThat(changes.at("/network/added").isArray()).isTrue();
        assertThat(changes.at("/image/sizeAfter").asLong()).isPositive();
        assertThat(changes.at("/image/layersAfter").asInt()).isPositive();
        assertThat(changes.at("/testDuration/after").isIntegralNumber()).isTrue();
        assertThat(changes.at("/testDuration").has("before")).isTrue();
        assertThat(changes.at("/testDuration/after").asLong()).as("the test time the builds list shows")
                .isEqualTo(w.build(available).get("testDuration").asLong());
        // the reviewer (platform role) sees it as the developer does
        assertThat(changes(available, "", w.reviewer(), 200).at("/previous/id").asText()).isEqualTo(invalid);
    }

    @Test
    void theAdaptersFirstBuildHasNoPreviousBuild() {
        JsonNode changes = changes(invalid, "", w.dev(), 200);

        assertThat(changes.get("previous").isNull()).isTrue();
        assertThat(changes.get("checks")).isEmpty();
        assertThat(changes.get("nothingChanged").asBoolean()).isFalse();
        assertThat(changes.at("/testDuration/before").isNull()).isTrue();
        assertThat(changes.at("/testDuration/after").isIntegralNumber()).isTrue();
    }

    @Test
    void sinceComparesWithTheNamedBuildOfTheSameAdapter() {
        JsonNode backwards = changes(invalid, "?since=" + available, w.dev(), 200);

        assertThat(backwards.at("/previous/id").asText()).isEqualTo(available);
        assertThat(verdicts(backwards)).containsEntry("image.platform", new String[]{"passed", "failed"});

        JsonNode itself = changes(available, "?since=" + available, w.dev(), 200);
        assertThat(itself.get("checks")).isEmpty();
        assertThat(itself.get("nothingChanged").asBoolean()).isTrue();
    }

    @Test
    void sinceOfAnotherAdapterIsRefusedNamingSince() {
        String other = w.prepare("another-adapter", "available");

        JsonNode error = changes(available, "?since=" + other, w.dev(), 400);

        assertThat(error.at("/error/code").asText()).isEqualTo("VALIDATION_FAILED");
        assertThat(error.at("/error/detail/field").asText()).isEqualTo("since");
        assertThat(error.at("/error/message").asText()).contains("same adapter");
    }

    @Test
    void anUnknownAndAnInvisibleSinceGetTheSameNotFound() {
        Owner other = w.orgWithRobot(5151);
        String engineId = w.registerAdapter(other, "elsewhere");
        String hidden = w.pushTested(other, engineId, "elsewhere", "1.0", "amd64", "available");

        JsonNode invisible = changes(available, "?since=" + hidden, w.dev(), 404);
        JsonNode unknown = changes(available, "?since=" + UUID.randomUUID(), w.dev(), 404);
        JsonNode garbage = changes(available, "?since=not-a-build", w.dev(), 404);

        for (JsonNode error : List.of(invisible, unknown, garbage)) {
            assertThat(error.at("/error/code").asText()).isEqualTo("BUILD_NOT_FOUND");
        }
        assertThat(invisible.at("/error/message").asText().replace(hidden, "ID"))
                .isEqualTo(unknown.at("/error/message").asText().replace(unknown.at("/error/detail/buildId").asText(), "ID"));
    }

    @Test
    void aBuildOfAnotherOrganizationIsNotFound() {
        JsonNode error = changes(available, "", w.auth(Party.otherOrgMember), 404);

        assertThat(error.at("/error/code").asText()).isEqualTo("BUILD_NOT_FOUND");
        assertThat(w.get(null, "/api/v1/builds/" + available + "/changes").statusCode()).isEqualTo(401);
    }

    @Test
    void aBuildStillBeingTestedHasNoChangesYet() {
        String held = w.push("compared", "hold-3.0", "amd64");

        JsonNode error = changes(held, "", w.dev(), 409);

        assertThat(error.at("/error/code").asText()).isEqualTo("REPORT_NOT_AVAILABLE");
        // and a build still being tested cannot be compared with either
        JsonNode since = changes(available, "?since=" + held, w.dev(), 400);
        assertThat(since.at("/error/detail/field").asText()).isEqualTo("since");
    }

    @Test
    void theReviewQueueNamesOrganizationAdapterAndReportSummary() {
        String submitted = w.prepare("queued", "submitted");

        List<JsonNode> queue = new ArrayList<>();
        w.d.api("GET", "/api/v1/reviews", w.reviewer(), null, 200).forEach(queue::add);

        JsonNode item = queue.stream().filter(b -> b.get("id").asText().equals(submitted)).findFirst().orElseThrow();
        assertThat(item.get("orgId").asLong()).isEqualTo(BuildFixture.ORG);
        assertThat(item.get("adapter").asText()).isEqualTo("queued");
        assertThat(item.at("/summary/success").asBoolean()).isTrue();
        assertThat(item.at("/summary/failingChecks").asInt()).isZero();
        assertThat(item.at("/summary/vulnerabilityCounts").isObject()).isTrue();
    }

    private static JsonNode find(JsonNode checks, String id) {
        for (JsonNode c : checks) if (c.get("id").asText().equals(id)) return c;
        throw new AssertionError("no check " + id + " in " + checks);
    }
}
