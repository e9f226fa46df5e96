package dev.drydock.server.builds;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.platform.jobs.BuildTester;
import dev.drydock.server.BuildFixture;
import dev.drydock.server.BuildFixture.Party;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every (build state × action × party) combination through the real REST API, against the lifecycle as
 * specified (written out here independently of {@code BuildLifecycle}). Allowed combinations get a fresh build
 * of their own adapter and must do exactly the transition: the build's state, one history entry with actor,
 * action, from, to and reason, and the adapter's derived state. Refused ones run against one witness build per
 * state, which must not change: 409 BUILD_ACTION_NOT_ALLOWED with the party's allowed actions when the state
 * does not offer the action, 403 FORBIDDEN when it does but not to that party, 404 for a member of another
 * organization, 401 without credentials.
 *
 * <p>Builds reach available/invalid by the real worker and compliance pipeline (tiny images pushed over HTTP;
 * arm64 ones fail image.platform). To hold builds in {@code fetching} and {@code pending}, the tester blocks
 * images tagged {@code hold*} and the worker runs one test at a time, so one held build keeps the others queued.
 */
class LifecycleTableTest {
    private static final List<String> STATES = List.of("available", "invalid", "submitted", "approved", "disapproved",
            "deployed", "paused", "deleted", "fetching", "pending");
    private static final List<String> ACTIONS = List.of("submit", "approve", "disapprove", "deploy", "pause", "unpause",
            "delete", "invalidate", "retest");
    private static final Set<String> REVIEWER_ACTIONS = Set.of("approve", "disapprove", "invalidate");
    private static final Set<Party> OWNERS = Set.of(Party.developer, Party.orgAdmin, Party.robot);
    private static final Set<Party> REVIEWERS = Set.of(Party.reviewer, Party.platformAdmin);

    /** The specification: state → (action → next state). */
    private static final Map<String, Map<String, String>> NEXT = Map.of(
            "pending", Map.of("delete", "deleted"),
            "fetching", Map.of(),
            "available", Map.of("submit", "submitted", "delete", "deleted", "invalidate", "invalid", "retest", "pending"),
            "invalid", Map.of("delete", "deleted", "retest", "pending"),
            "submitted", Map.of("approve", "approved", "disapprove", "disapproved", "invalidate", "invalid"),
            "approved", Map.of("deploy", "deployed", "delete", "deleted", "invalidate", "invalid"),
            "disapproved", Map.of("delete", "deleted"),
            "deployed", Map.of("pause", "paused", "delete", "deleted", "invalidate", "invalid"),
            "paused", Map.of("unpause", "deployed", "delete", "deleted", "invalidate", "invalid"),
            "deleted", Map.of());

    private static final CountDownLatch RELEASE = new CountDownLatch(1);
    private static final UnaryOperator<BuildTester> HOLD = tester -> (build, run) -> {
        if (build.tag() != null && build.tag().startsWith("hold")) RELEASE.await();
        return tester.test(build, run);
    };

    private static BuildFixture w;
    private static final Map<String, String> witness = new HashMap<>();
    private static final Map<String, Integer> witnessHistory = new HashMap<>();
    private static final List<String> deletedWhilePending = new ArrayList<>();
    private static final AtomicInteger adapters = new AtomicInteger();
    private static final Map<String, AtomicInteger> outcomes = new LinkedHashMap<>();

    @BeforeAll
    static void start() {
        w = BuildFixture.withParties(Map.of("worker.concurrency", "1"), HOLD);
    }

    @AfterAll
    static void stop() {
        RELEASE.countDown();
        if (w != null) w.close();
        System.out.println("LifecycleTableTest outcomes: " + outcomes);
    }

    @TestFactory
    Stream<DynamicNode> everyStateActionAndParty() {
        Stream<DynamicNode> table = STATES.stream().map(state -> DynamicContainer.dynamicContainer(state,
                ACTIONS.stream().flatMap(action -> Stream.of(Party.values()).map(party -> DynamicTest.dynamicTest(
                        state + ": " + action + " by " + party + " → " + expected(state, action, party),
                        () -> check(state, action, party))))));
        Stream<DynamicNode> after = Stream.of(DynamicTest.dynamicTest(
                "held builds finish once released; builds deleted while pending are never tested", LifecycleTableTest::release));
        return Stream.concat(table, after);
    }

    private static String expected(String state, String action, Party party) {
        if (party == Party.anonymous) return "401 UNAUTHENTICATED";
        if (party == Party.otherOrgMember) return "404 BUILD_NOT_FOUND";
        String next = NEXT.get(state).get(action);
        if (next == null) return "409 BUILD_ACTION_NOT_ALLOWED";
        if (!mayTake(party, action)) return "403 FORBIDDEN";
        return "200 " + next;
    }

    private static boolean mayTake(Party party, String action) {
        return REVIEWER_ACTIONS.contains(action) ? REVIEWERS.contains(party) : OWNERS.contains(party);
    }

    /** The actions the state offers the party, per the specification. */
    private static Set<String> allowedFor(String state, Party party) {
        Set<String> allowed = new TreeSet<>();
        for (String a : NEXT.get(state).keySet()) if (mayTake(party, a)) allowed.add(a);
        return allowed;
    }

    private static String adapterStateFor(String buildState) {
        return switch (buildState) {
            case "deployed" -> "active";
            case "approved", "paused" -> "ready";
            default -> "pending";
        };
    }

    private static void check(String state, String action, Party party) {
        String expectation = expected(state, action, party);
        outcomes.computeIfAbsent(expectation.substring(0, 3), k -> new AtomicInteger()).incrementAndGet();
        String reason = "because " + party + " wants to " + action;
        if (expectation.startsWith("200")) {
            allowed(state, action, party, reason);
            return;
        }
        String id = witness(state);
        JsonNode error = w.act(w.auth(party), id, action, reason, Integer.parseInt(expectation.substring(0, 3))).get("error");
        assertThat(error.get("code").asText()).isEqualTo(expectation.substring(4));
        if (expectation.startsWith("409")) {
            assertThat(error.get("detail").get("state").asText()).isEqualTo(state);
            assertThat(error.get("detail").get("action").asText()).isEqualTo(action);
            Set<String> allowed = new TreeSet<>();
            error.get("detail").get("allowedActions").forEach(a -> allowed.add(a.asText()));
            assertThat(allowed).as("allowedActions").isEqualTo(allowedFor(state, party));
        }
        JsonNode after = w.build(id);
        assertThat(after.get("state").asText()).as("witness state").isEqualTo(state);
        assertThat(after.get("history").size()).as("witness history").isEqualTo(witnessHistory.get(state));
    }

    private static void allowed(String state, String action, Party party, String reason) {
        String name = "t" + adapters.incrementAndGet() + "-" + state + "-" + action;
        String id = switch (state) {
            case "pending" -> {
                holdWorker();
                String engine = w.register(name);
                String pending = w.push(name, "1.0", "amd64");
                assertThat(w.state(pending)).isEqualTo("pending");
                assertThat(w.adapterState(engine)).isEqualTo("pending");
                if (action.equals("delete")) deletedWhilePending.add(pending);
                yield pending;
            }
            default -> w.prepare(name, state);
        };
        String engineId = w.build(id).get("engineId").asText();
        String next = NEXT.get(state).get(action);

        JsonNode response = w.act(w.auth(party), id, action, reason, 200);

        assertThat(response.get("state").asText()).isEqualTo(next);
        Set<String> allowedNow = new TreeSet<>();
        response.get("allowedActions").forEach(a -> allowedNow.add(a.asText()));
        assertThat(allowedNow).as("allowedActions after " + action).isEqualTo(allowedFor(next, party));
        JsonNode build = w.build(id);
        if (!action.equals("retest")) { // a retested build goes on to be tested again at once
            assertThat(build.get("state").asText()).isEqualTo(next);
        }
        List<JsonNode> entries = BuildFixture.history(build, action).stream()
                .filter(h -> h.get("from").asText().equals(state)).toList();
        assertThat(entries).as("history entries for " + action).hasSize(1);
        JsonNode entry = entries.getFirst();
        assertThat(entry.get("actor").asText()).isEqualTo(BuildFixture.actorName(party));
        assertThat(entry.get("to").asText()).isEqualTo(next);
        assertThat(entry.get("reason").asText()).isEqualTo(reason);
        assertThat(entry.get("at").asText()).isNotEmpty();
        assertThat(w.adapterState(engineId)).as("adapter state").isEqualTo(adapterStateFor(next));
    }

    /** The build refused actions run against (created on first use), one per state. */
    private static String witness(String state) {
        return witness.computeIfAbsent(state, s -> {
            String id = switch (s) {
                case "fetching" -> holdWorker();
                case "pending" -> {
                    holdWorker();
                    w.register("w-pending");
                    yield w.push("w-pending", "1.0", "amd64");
                }
                default -> w.prepare("w-" + s, s);
            };
            JsonNode build = w.build(id);
            assertThat(build.get("state").asText()).isEqualTo(s);
            witnessHistory.put(s, build.get("history").size());
            return id;
        });
    }

    /** Occupies the worker's only slot with a held build (the fetching witness); returns it. */
    private static String holdWorker() {
        String held = witness.get("fetching");
        if (held != null) return held;
        w.register("w-fetching");
        held = w.push("w-fetching", "hold-1", "amd64");
        w.awaitState(held, "fetching");
        return held;
    }

    private static void release() {
        String fetching = witness.get("fetching");
        String pending = witness.get("pending");
        assertThat(w.state(pending)).isEqualTo("pending");
        RELEASE.countDown();
        w.awaitState(fetching, "available");
        w.awaitState(pending, "available");
        org.awaitility.Awaitility.await("job queue drained").atMost(BuildFixture.WAIT).until(() -> w.d.server().database().jdbi()
                .withHandle(h -> h.createQuery("select count(*) from jobs where state in ('queued', 'leased')")
                        .mapTo(Integer.class).one()) == 0);
        Set<String> stillDeleted = new HashSet<>();
        for (String id : deletedWhilePending) {
            JsonNode b = w.build(id);
            assertThat(BuildFixture.history(b, "fetch")).as("a build deleted while queued is never fetched").isEmpty();
            if (b.get("state").asText().equals("deleted")) stillDeleted.add(id);
        }
        assertThat(stillDeleted).containsExactlyInAnyOrderElementsOf(deletedWhilePending);
    }
}
