package dev.drydock.server.builds;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.server.BuildFixture;
import dev.drydock.server.BuildFixture.Party;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Conflicting actions raced from many threads through the REST API: of conflicting transitions exactly one
 * wins and the others get 409; whatever the interleaving, history stays a consistent chain and an adapter
 * never ends up with two deployed builds, or with a deployed build while disabled.
 */
class BuildConcurrencyTest {
    private static final int THREADS = 8;
    private static BuildFixture w;
    private static int names;

    @BeforeAll
    static void start() {
        w = BuildFixture.withParties();
    }

    @AfterAll
    static void stop() {
        if (w != null) w.close();
    }

    @Test
    void approveRacingDisapproveHasExactlyOneWinner() throws Exception {
        for (int round = 0; round < 4; round++) {
            String id = w.prepare(name("review"), "submitted");
            List<HttpResponse<String>> responses = race(THREADS, i -> i % 2 == 0
                    ? w.tryAct(w.reviewer(), id, "approve", null)
                    : w.tryAct(w.auth(Party.platformAdmin), id, "disapprove", "racing " + i));

            List<HttpResponse<String>> won = responses.stream().filter(r -> r.statusCode() == 200).toList();
            assertThat(won).as("winners").hasSize(1);
            for (HttpResponse<String> r : responses) {
                if (r.statusCode() != 200) assertConflict(r);
            }
            String finalState = BuildFixture.parse(won.getFirst().body()).get("state").asText();
            JsonNode build = w.build(id);
            assertThat(build.get("state").asText()).isEqualTo(finalState).isIn("approved", "disapproved");
            assertThat(fromState(build, "submitted")).as("transitions out of submitted").hasSize(1);
            assertConsistentHistory(build);
        }
    }

    @Test
    void racingDeploysLeaveExactlyOneDeployedBuild() throws Exception {
        for (int round = 0; round < 3; round++) {
            String name = name("deploy");
            String first = w.prepare(name, "approved");
            String engineId = w.build(first).get("engineId").asText();
            List<String> ids = new ArrayList<>(List.of(first));
            for (int i = 1; i < 4; i++) {
                String id = w.push(name, "1." + i, "amd64");
                w.awaitState(id, "available");
                w.act(w.dev(), id, "submit", null, 200);
                w.act(w.reviewer(), id, "approve", null, 200);
                ids.add(id);
            }
            List<HttpResponse<String>> responses = race(ids.size(), i -> w.tryAct(
                    w.auth(i % 2 == 0 ? Party.developer : Party.robot), ids.get(i), "deploy", null));

            for (HttpResponse<String> r : responses) {
                if (r.statusCode() != 200) assertConflict(r);
            }
            assertThat(responses).anyMatch(r -> r.statusCode() == 200);
            List<String> deployed = new ArrayList<>();
            for (int i = 0; i < ids.size(); i++) {
                JsonNode b = w.build(ids.get(i));
                assertConsistentHistory(b);
                String state = b.get("state").asText();
                if (state.equals("deployed")) deployed.add(ids.get(i));
                if (responses.get(i).statusCode() == 200) {
                    assertThat(state).as("a build deployed in the race is deployed or was paused by a later deploy")
                            .isIn("deployed", "paused");
                    assertThat(BuildFixture.history(b, "deploy")).hasSize(1);
                } else {
                    assertThat(state).isEqualTo("approved");
                }
            }
            assertThat(deployed).as("deployed builds of one adapter").hasSize(1);
            assertThat(w.adapterState(engineId)).isEqualTo("active");
        }
    }

    @Test
    void disableRacingDeployNeverLeavesADisabledAdapterWithADeployedBuild() throws Exception {
        for (int round = 0; round < 4; round++) {
            String name = name("disable");
            String deployed = w.prepare(name, "deployed");
            String engineId = w.build(deployed).get("engineId").asText();
            String approved = w.push(name, "2.0", "amd64");
            w.awaitState(approved, "available");
            w.act(w.dev(), approved, "submit", null, 200);
            w.act(w.reviewer(), approved, "approve", null, 200);

            List<HttpResponse<String>> responses = race(2, i -> i == 0
                    ? w.d.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(w.d.url() + "/api/v1/adapters/" + engineId + "/actions"))
                    .header("Authorization", w.dev()).header("Content-Type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"action\":\"disable\"}")).build())
                    : w.tryAct(w.auth(Party.orgAdmin), approved, "deploy", null));

            assertThat(responses.get(0).statusCode()).as(responses.get(0).body()).isEqualTo(200);
            if (responses.get(1).statusCode() != 200) assertConflict(responses.get(1));
            assertThat(w.adapterState(engineId)).isEqualTo("disabled");
            assertThat(w.builds(engineId, "deployed")).as("deployed builds of a disabled adapter").isEmpty();
            assertConsistentHistory(w.build(deployed));
            assertConsistentHistory(w.build(approved));

            // enabling deploys again exactly one build
            w.adapterAction(w.dev(), engineId, "enable", 200);
            assertThat(w.builds(engineId, "deployed")).hasSize(1);
            assertThat(w.adapterState(engineId)).isEqualTo("active");
        }
    }

    @Test
    void ownerActionsRacingReviewerInvalidateHaveExactlyOneWinner() throws Exception {
        for (int round = 0; round < 3; round++) {
            String id = w.prepare(name("mixed"), "deployed");
            List<HttpResponse<String>> responses = race(THREADS, i -> switch (i % 4) {
                case 0 -> w.tryAct(w.dev(), id, "pause", null);
                case 1 -> w.tryAct(w.auth(Party.robot), id, "delete", null);
                case 2 -> w.tryAct(w.reviewer(), id, "invalidate", "racing");
                default -> w.tryAct(w.auth(Party.orgAdmin), id, "pause", null);
            });
            // pause leads to paused, which still offers delete and invalidate, and invalid offers delete: several
            // may win one after the other, but each win is exactly one transition and no state is left twice.
            JsonNode build = w.build(id);
            assertConsistentHistory(build);
            List<JsonNode> raced = new ArrayList<>();
            for (JsonNode h : build.get("history")) {
                if (List.of("pause", "delete", "invalidate").contains(h.get("action").asText())) raced.add(h);
            }
            assertThat(responses.stream().filter(r -> r.statusCode() == 200).count()).as("wins").isEqualTo(raced.size());
            assertThat(fromState(build, "deployed")).hasSize(1);
            for (HttpResponse<String> r : responses) {
                if (r.statusCode() != 200) assertConflict(r);
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private static String name(String prefix) {
        return prefix + "-" + (++names);
    }

    @FunctionalInterface
    interface Call {
        HttpResponse<String> call(int i) throws Exception;
    }

    /** Runs {@code n} calls released together by a barrier; responses in call order. */
    private static List<HttpResponse<String>> race(int n, Call call) throws Exception {
        CyclicBarrier barrier = new CyclicBarrier(n);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<HttpResponse<String>>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int index = i;
                futures.add(pool.submit((Callable<HttpResponse<String>>) () -> {
                    barrier.await(30, TimeUnit.SECONDS);
                    return call.call(index);
                }));
            }
            List<HttpResponse<String>> responses = new ArrayList<>();
            for (Future<HttpResponse<String>> f : futures) responses.add(f.get(60, TimeUnit.SECONDS));
            return responses;
        } finally {
            pool.shutdownNow();
        }
    }

    private static void assertConflict(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
        assertThat(BuildFixture.parse(r.body()).get("error").get("code").asText()).isEqualTo("BUILD_ACTION_NOT_ALLOWED");
    }

    private static List<JsonNode> fromState(JsonNode build, String state) {
        List<JsonNode> result = new ArrayList<>();
        for (JsonNode h : build.get("history")) if (h.get("from").asText().equals(state)) result.add(h);
        return result;
    }

    /** Each entry starts where the previous one ended, and the last one ends in the build's state. */
    private static void assertConsistentHistory(JsonNode build) {
        String previous = null;
        for (JsonNode h : build.get("history")) {
            String from = h.get("from").isNull() ? null : h.get("from").asText();
            assertThat(from).as("history of " + build.get("id") + ": " + build.get("history")).isEqualTo(previous);
            previous = h.get("to").asText();
        }
        assertThat(previous).isEqualTo(build.get("state").asText());
    }
}
