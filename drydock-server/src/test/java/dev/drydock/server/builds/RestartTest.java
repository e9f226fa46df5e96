package dev.drydock.server.builds;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.platform.jobs.BuildTester;
import dev.drydock.server.BuildFixture;
import dev.drydock.server.TestDrydock;
import dev.drydock.server.TestImages;
import dev.drydock.server.ChildJvm;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import static dev.drydock.server.ChildJvm.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A build whose test is in flight when the server goes away is tested again once its lease expires, and ends
 * available: never stuck in fetching. First with an orderly stop and start in-process, then with SIGKILL of
 * a server in its own JVM.
 */
class RestartTest {
    static final Map<String, String> SETTINGS = Map.of(
            "registry.require-adapter", "true",
            "worker.lease", "2s",
            "token-ttl", "2h");
    private static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void aTestInFlightWhenTheServerStopsRunsAgainAfterRestart() throws Exception {
        CountDownLatch inFlight = new CountDownLatch(1);
        CountDownLatch releaseStale = new CountDownLatch(1);
        AtomicInteger attempts = new AtomicInteger();
        // The first attempt hangs like a process that died mid-test: it ignores the interrupt of the stop and
        // never reports back. Later attempts run the real pipeline.
        UnaryOperator<BuildTester> firstHangs = tester -> (build, run) -> {
            if (attempts.incrementAndGet() > 1) return tester.test(build, run);
            inFlight.countDown();
            while (true) {
                try {
                    releaseStale.await();
                    throw new IllegalStateException("the stale attempt ends without a result");
                } catch (InterruptedException ignored) {
                    // dead processes do not answer
                }
            }
        };
        BuildFixture w = BuildFixture.withParties(SETTINGS, firstHangs);
        try {
            w.register("restart");
            String id = w.push("restart", "1.0", "amd64");
            assertThat(inFlight.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(w.state(id)).isEqualTo("fetching");

            w.d.restart();

            assertThat(w.state(id)).as("the lease has not expired yet").isIn("fetching", "available");
            JsonNode build = w.awaitState(id, "available");
            assertThat(attempts).hasValue(2);
            assertTestedTwice(build, "restart");
            assertThat(openJobs(w.d)).isZero();
            assertThat(w.get(w.dev(), "/api/v1/builds/" + id + "/report").statusCode()).isEqualTo(200);
        } finally {
            releaseStale.countDown();
            w.close();
        }
    }

    @Test
    void aTestInFlightWhenTheServerIsKilledRunsAgainOnTheNextStart() throws Exception {
        Path data = Files.createTempDirectory("drydock-kill");
        ChildJvm child = ChildJvm.start(ChildDrydock.class, "256m", data.toString());
        TestDrydock restarted = null;
        try {
            String port = child.expect("PORT ");
            String url = "http://127.0.0.1:" + port;
            String admin = TestDrydock.basic(TestDrydock.ADMIN_EMAIL, TestDrydock.ADMIN_PASSWORD);
            call(url, "POST", "/api/v1/orgs", admin, Map.of("id", BuildFixture.ORG, "name", "Acme"), 201);
            String robotToken = call(url, "POST", "/api/v1/orgs/" + BuildFixture.ORG + "/robots", admin, Map.of("name", "ci"), 201)
                    .get("token").asText();
            call(url, "POST", "/api/v1/orgs/" + BuildFixture.ORG + "/adapters", TestDrydock.basic(BuildFixture.ROBOT, robotToken),
                    Map.of("name", "killed", "category", "pull", "deploymentModel", "HumanReview", "engineMode", "batch"), 201);
            TestImages.push(url, BuildFixture.ROBOT, robotToken, BuildFixture.ORG + "/killed", TestImages.newAdapter("amd64"), "1.0");
            String id = child.expect("TESTING ");
            assertThat(call(url, "GET", "/api/v1/builds/" + id, admin, null, 200).get("state").asText()).isEqualTo("fetching");

            child.process().destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup, the lease stays in the database
            assertThat(child.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
            child.awaitOutputEnd();

            restarted = TestDrydock.open(data, SETTINGS, UnaryOperator.identity());
            TestDrydock d = restarted;
            await("build " + id + " available after the restart").atMost(WAIT).pollInterval(Duration.ofMillis(100))
                    .until(() -> d.api("GET", "/api/v1/builds/" + id, admin, null, 200).get("state").asText().equals("available"));
            assertTestedTwice(d.api("GET", "/api/v1/builds/" + id, admin, null, 200), "killed");
            assertThat(openJobs(d)).isZero();
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError(e.getMessage() + "\n" + child.output(), e);
        } finally {
            child.close();
            if (restarted != null) restarted.close();
            else new DataDir(data).delete();
        }
    }

    // ---------------------------------------------------------------- helpers

    /** push, fetch (attempt 1), fetch again after the lease expired (attempt 2), tested. */
    private static void assertTestedTwice(JsonNode build, String adapter) {
        List<String> history = new ArrayList<>();
        for (JsonNode h : build.get("history")) {
            history.add(h.get("action").asText() + " " + h.get("from").asText() + "->" + h.get("to").asText()
                    + " " + h.get("reason").asText());
        }
        assertThat(history).as("history").containsExactly(
                "push null->pending " + BuildFixture.ORG + "/" + adapter + ":1.0",
                "fetch pending->fetching attempt 1",
                "fetch fetching->fetching attempt 2",
                "tested fetching->available null");
    }

    private static int openJobs(TestDrydock d) {
        return d.server().database().jdbi().withHandle(h -> h.createQuery(
                "select count(*) from jobs where state in ('queued', 'leased')").mapTo(Integer.class).one());
    }

    private record DataDir(Path path) {
        void delete() {
            try (var paths = Files.walk(path)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // best effort
            }
        }
    }
}
