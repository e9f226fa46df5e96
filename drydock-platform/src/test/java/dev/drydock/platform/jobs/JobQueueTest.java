package dev.drydock.platform.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drydock.oci.Digest;
import dev.drydock.oci.MediaTypes;
import dev.drydock.platform.AuditLog;
import dev.drydock.platform.adapters.AdapterService;
import dev.drydock.platform.builds.BuildAction;
import dev.drydock.platform.builds.BuildEvents;
import dev.drydock.platform.builds.BuildService;
import dev.drydock.platform.builds.BuildService.HistoryEntry;
import dev.drydock.platform.builds.BuildLifecycle.Move;
import dev.drydock.platform.builds.BuildState;
import dev.drydock.platform.db.Database;
import dev.drydock.platform.db.TestDatabase;
import dev.drydock.platform.identity.Principal;
import dev.drydock.registry.events.RegistryEvent;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The persistent job queue and the worker on an embedded H2 database. Time is a clock that runs with the
 * system clock but can be moved ahead, so leases expire and retry delays pass without sleeping.
 */
class JobQueueTest {
    private static final long ORG = 17532;
    private static final Principal DEV = new Principal.User(1, "dev@acme.test", null, Map.of(ORG, Principal.OrgRole.developer));
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The system clock plus an offset the test moves ahead. */
    static final class MovableClock implements InstantSource {
        private volatile Duration offset = Duration.ZERO;

        @Override
        public Instant instant() {
            return Instant.now().plus(offset);
        }

        synchronized void advance(Duration d) {
            offset = offset.plus(d);
        }
    }

    private final MovableClock clock = new MovableClock();
    private final List<Worker> workers = new ArrayList<>();
    private Database db;
    private Jdbi jdbi;
    private JobQueue queue;
    private BuildService builds;
    private int pushes;

    @BeforeEach
    void open() {
        db = TestDatabase.open(16);
        jdbi = db.jdbi();
        jdbi.useHandle(h -> h.execute("insert into orgs (id, name, created_at) values (?, ?, ?)", ORG, "Acme", clock.instant()));
        AuditLog audit = new AuditLog(jdbi, clock);
        queue = new JobQueue(jdbi, clock);
        builds = new BuildService(jdbi, queue, new BuildEvents(), audit, clock);
        new AdapterService(jdbi, builds, audit, clock).register(DEV, ORG, "adapter", "pull", "FullyNetworkIsolated", "batch");
    }

    @AfterEach
    void close() {
        workers.forEach(Worker::close);
        if (!TestDatabase.onPostgres()) {
            try {
                jdbi.useHandle(h -> h.execute("shutdown")); // frees the in-memory database (DB_CLOSE_DELAY=-1 keeps it)
            } catch (RuntimeException expected) {
                // the connection closes under the statement
            }
        }
        db.close();
    }

    // ---------------------------------------------------------------- queue

    @Test
    void claimIsExclusiveAcrossThreads() throws Exception {
        int jobs = 40;
        for (int i = 0; i < jobs; i++) push();
        Map<Long, String> claimedBy = claimConcurrently(8, jobs, job -> assertThat(job.attempts()).isEqualTo(1));
        assertThat(count("select count(*) from jobs where state = 'leased'")).isEqualTo(jobs);
        for (Map.Entry<Long, String> e : claimedBy.entrySet()) {
            String owner = jdbi.withHandle(h -> h.createQuery("select lease_owner from jobs where id = ?").bind(0, e.getKey())
                    .mapTo(String.class).one());
            assertThat(owner).isEqualTo(e.getValue());
        }
        assertThat(queue.claim("late", LEASE)).isEmpty();
    }

    @Test
    void concurrentWorkersTakeOverTheJobsOfAKilledWorkerOnceEach() throws Exception {
        int jobs = 24;
        for (int i = 0; i < jobs; i++) push();
        List<Long> orphaned = new ArrayList<>();
        for (int i = 0; i < jobs / 2; i++) orphaned.add(queue.claim("killed", LEASE).orElseThrow().id());
        clock.advance(LEASE.plusSeconds(1)); // its leases ran out: it never renews them
        claimConcurrently(6, jobs, job -> { });
        assertThat(count("select count(*) from jobs where lease_owner = 'killed'")).isZero();
        for (long id : orphaned) {
            assertThat(count("select attempts from jobs where id = " + id)).as("job %d: the killed try and one more", id).isEqualTo(2);
        }
        assertThat(queue.claim("late", LEASE)).isEmpty();
    }

    /**
     * {@code threads} workers, started at once, claim until {@code jobs} jobs are claimed; asserts no job was claimed
     * twice and each came back to the worker that claimed it. Returns who claimed which job.
     */
    private Map<Long, String> claimConcurrently(int threads, int jobs, java.util.function.Consumer<JobQueue.Job> check)
            throws Exception {
        CyclicBarrier start = new CyclicBarrier(threads);
        Map<Long, String> claimedBy = new ConcurrentHashMap<>();
        AtomicInteger duplicates = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String owner = "worker-" + t;
                done.add(pool.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    while (claimedBy.size() + duplicates.get() < jobs) {
                        Optional<JobQueue.Job> job = queue.claim(owner, LEASE);
                        if (job.isEmpty()) continue;
                        if (claimedBy.putIfAbsent(job.get().id(), owner) != null) duplicates.incrementAndGet();
                        assertThat(job.get().owner()).isEqualTo(owner);
                        check.accept(job.get());
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) f.get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertThat(duplicates).hasValue(0);
        assertThat(claimedBy).hasSize(jobs);
        return claimedBy;
    }

    @Test
    void anExpiredLeaseIsClaimableAgain() {
        String build = push();
        JobQueue.Job first = queue.claim("dead", LEASE).orElseThrow();
        assertThat(first.buildId()).isEqualTo(build);
        assertThat(queue.claim("other", LEASE)).as("while the lease runs").isEmpty();

        clock.advance(LEASE.minusSeconds(5));
        assertThat(queue.claim("other", LEASE)).as("before it expires").isEmpty();
        clock.advance(Duration.ofSeconds(6));
        JobQueue.Job second = queue.claim("other", LEASE).orElseThrow();
        assertThat(second.id()).isEqualTo(first.id());
        assertThat(second.owner()).isEqualTo("other");
        assertThat(second.attempts()).isEqualTo(2);
        assertThat(queue.stillOwned(second)).isTrue();
        assertThat(queue.stillOwned(first)).isFalse();
    }

    @Test
    void renewAndCompleteFailAfterAnotherOwnerClaimed() {
        push();
        JobQueue.Job mine = queue.claim("slow", LEASE).orElseThrow();
        assertThat(queue.renew(mine, LEASE)).isTrue();
        clock.advance(LEASE.plusSeconds(1));
        JobQueue.Job theirs = queue.claim("fast", LEASE).orElseThrow();

        assertThat(queue.renew(mine, LEASE)).isFalse();
        assertThat(queue.stillOwned(mine)).isFalse();
        queue.complete(mine);
        queue.retryLater(mine, "stale", Duration.ZERO);
        queue.fail(mine, "stale");
        assertThat(jobState(theirs.id())).isEqualTo("leased");
        assertThat(queue.stillOwned(theirs)).isTrue();
        assertThat(queue.renew(theirs, LEASE)).isTrue();
        queue.complete(theirs);
        assertThat(jobState(theirs.id())).isEqualTo("done");
        assertThat(queue.open()).isZero();
    }

    @Test
    void retestWhileLeasedRequeuesTheJob() {
        String build = push();
        JobQueue.Job running = queue.claim("worker-a", LEASE).orElseThrow();
        builds.systemTransition(build, Move.FETCH, "attempt 1", null);
        // the test finished and the build is available, but worker-a has not completed the job yet
        builds.systemTransition(build, Move.TEST_PASSED, null, null);
        assertThat(builds.act(DEV, build, BuildAction.retest, "flaky registry").state()).isEqualTo(BuildState.pending);

        assertThat(count("select count(*) from jobs where build_id = '" + build + "'")).as("still one job").isEqualTo(1);
        assertThat(jobState(running.id())).isEqualTo("queued");
        assertThat(queue.stillOwned(running)).isFalse();
        assertThat(queue.renew(running, LEASE)).isFalse();
        queue.complete(running); // worker-a finishing late must not swallow the retest
        assertThat(jobState(running.id())).isEqualTo("queued");

        JobQueue.Job again = queue.claim("worker-b", LEASE).orElseThrow();
        assertThat(again.id()).isEqualTo(running.id());
        assertThat(again.attempts()).as("a retest starts counting attempts afresh").isEqualTo(1);

        // and at queue level: enqueue while leased gives the job back to the queue at once
        JobQueue.Job leased = again;
        jdbi.useTransaction(h -> queue.enqueue(h, build, clock.instant()));
        assertThat(jobState(leased.id())).isEqualTo("queued");
        assertThat(queue.claim("worker-c", LEASE).orElseThrow().id()).isEqualTo(leased.id());
    }

    @Test
    void retestAfterTheJobFinishedQueuesANewJob() {
        String build = push();
        JobQueue.Job job = queue.claim("w", LEASE).orElseThrow();
        builds.systemTransition(build, Move.FETCH, "attempt 1", null);
        builds.systemTransition(build, Move.TEST_FAILED, null, null);
        queue.complete(job);
        builds.act(DEV, build, BuildAction.retest, null);
        assertThat(count("select count(*) from jobs where build_id = '" + build + "' and state = 'queued'")).isEqualTo(1);
        assertThat(queue.claim("w", LEASE).orElseThrow().id()).isNotEqualTo(job.id());
    }

    @Test
    void systemMovesTheTableRefusesLeaveTheBuildAlone() {
        String build = push();
        assertThat(builds.systemTransition(build, Move.TEST_PASSED, null, passed(builds.find(build).orElseThrow()))).as("not fetching yet").isFalse();
        assertThat(builds.systemTransition(build, Move.REQUEUE, "internal error", null)).isFalse();
        assertThat(state(build)).isEqualTo(BuildState.pending);
        assertThat(builds.report(build)).isEmpty();
        assertThatThrownBy(() -> builds.systemTransition(build, Move.SUBMIT, null, null))
                .as("a user's move").isInstanceOf(IllegalArgumentException.class);
        builds.act(DEV, build, BuildAction.delete, null);
        assertThat(builds.systemTransition(build, Move.FETCH, "attempt 1", null)).as("deleted while queued").isFalse();
        assertThat(builds.systemTransition(build, Move.TEST_GAVE_UP, "gave up", null)).isFalse();
        assertThat(actions(build)).containsExactly("push pending->pending", "delete pending->deleted");
    }

    // ---------------------------------------------------------------- worker

    @Test
    void workerTestsABuildAndKeepsItsLeaseWhileTheTestOutlastsTheLease() throws Exception {
        String build = push();
        Duration lease = Duration.ofMillis(1500);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        start((b, run) -> {
            started.countDown();
            finish.await();
            return passed(b);
        }, new Worker.Settings(1, lease, Duration.ofMillis(20), Duration.ofMinutes(1), 3));
        assertThat(started.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(state(build)).isEqualTo(BuildState.fetching);
        // several lease lengths pass: the heartbeat renews it, so a competitor never gets the job
        long until = System.nanoTime() + lease.multipliedBy(3).toNanos();
        while (System.nanoTime() < until) {
            assertThat(queue.claim("competitor", lease)).isEmpty();
            Thread.sleep(50);
        }
        finish.countDown();
        await().atMost(WAIT).until(() -> state(build) == BuildState.available);
        await().atMost(WAIT).until(() -> queue.open() == 0);
        assertThat(report(build).get("success").asBoolean()).as("the tester's report, stored").isTrue();
        assertThat(actions(build)).containsExactly("push pending->pending", "fetch pending->fetching", "tested fetching->available");
    }

    @Test
    void aWorkerThatLostItsLeaseStopsItsTestAndLeavesTheBuildToTheNewOwner() throws Exception {
        String build = push();
        Duration lease = Duration.ofMillis(600);
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        start((b, run) -> {
            started.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                interrupted.set(true);
                throw e;
            }
            throw new AssertionError("unreachable");
        }, new Worker.Settings(1, lease, Duration.ofMillis(20), Duration.ofMinutes(5), 3));
        assertThat(started.await(60, TimeUnit.SECONDS)).isTrue();

        // the worker stalls (e.g. a long GC pause): its lease expires and another node takes the job
        AtomicReference<JobQueue.Job> taken = new AtomicReference<>();
        await().atMost(WAIT).until(() -> {
            clock.advance(Duration.ofMinutes(1));
            queue.claim("other-node", Duration.ofMinutes(30)).ifPresent(taken::set);
            return taken.get() != null;
        });
        assertThat(taken.get().attempts()).isEqualTo(2);

        await("the stale run is interrupted").atMost(WAIT).untilTrue(interrupted);
        // the stale worker wrote nothing: the build is the new owner's to finish
        Thread.sleep(200);
        assertThat(state(build)).isEqualTo(BuildState.fetching);
        assertThat(jobState(taken.get().id())).isEqualTo("leased");
        assertThat(queue.stillOwned(taken.get())).isTrue();
        assertThat(actions(build)).filteredOn(a -> a.startsWith("requeue")).isEmpty();
    }

    @Test
    void workerGivesUpAfterMaxAttemptsOfCrashedWorkers() {
        String build = push();
        // three workers claimed the job, started testing and died
        for (int attempt = 1; attempt <= 3; attempt++) {
            JobQueue.Job job = queue.claim("dead-" + attempt, LEASE).orElseThrow();
            assertThat(job.attempts()).isEqualTo(attempt);
            builds.systemTransition(build, Move.FETCH, "attempt " + attempt, null);
            clock.advance(LEASE.plusSeconds(1));
        }
        AtomicInteger calls = new AtomicInteger();
        start((b, run) -> {
            calls.incrementAndGet();
            return passed(b);
        }, new Worker.Settings(1, LEASE, Duration.ofMillis(20), Duration.ofMinutes(1), 3));

        await().atMost(WAIT).until(() -> state(build) == BuildState.invalid);
        assertThat(calls).hasValue(0);
        assertThat(actions(build)).containsExactly("push pending->pending", "fetch pending->fetching",
                "fetch fetching->fetching", "fetch fetching->fetching", "tested fetching->invalid");
        HistoryEntry last = builds.history(build).getLast();
        assertThat(last.actor()).isEqualTo(BuildService.SYSTEM);
        assertThat(last.from()).isEqualTo(BuildState.fetching);
        assertThat(last.reason()).contains("3 times");
        JsonNode report = report(build);
        assertThat(report.get("success").asBoolean()).isFalse();
        assertThat(report.get("errors").get(0).asText())
                .startsWith("Testing did not finish after 3 attempts; the last attempt was cut off (the worker stopped or crashed)");
        await().atMost(WAIT).until(() -> "failed".equals(jdbi.withHandle(h -> h.createQuery(
                "select state from jobs where build_id = ?").bind(0, build).mapTo(String.class).one())));
        assertThat(lastError(build)).contains("gave up after 3 attempts");
    }

    @Test
    void workerRetriesATesterThatFailsAndGivesUpAfterMaxAttempts() {
        String build = push();
        AtomicInteger calls = new AtomicInteger();
        start((b, run) -> {
            calls.incrementAndGet();
            throw new java.io.IOException("blob store unreadable");
        }, new Worker.Settings(1, LEASE, Duration.ofMillis(20), Duration.ofMinutes(1), 3));

        // each failure is retried after a delay (5 s x attempt): move the clock past it instead of waiting
        await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
            clock.advance(Duration.ofSeconds(20));
            return state(build) == BuildState.invalid;
        });
        assertThat(calls).hasValue(3);
        List<String> actions = actions(build);
        assertThat(actions).filteredOn(a -> a.startsWith("fetch ")).hasSize(3);
        assertThat(actions).filteredOn(a -> a.startsWith("requeue ")).hasSize(3);
        assertThat(builds.history(build)).filteredOn(h -> h.action().equals("requeue"))
                .allSatisfy(h -> assertThat(h.reason()).contains("blob store unreadable"));
        assertThat(actions.getLast()).isEqualTo("tested pending->invalid");
        // the give-up report carries the real cause, not only the count
        assertThat(report(build).get("errors").get(0).asText()).contains("3 attempts").contains("blob store unreadable");
    }

    @Test
    void aWorkerShutDownMidTestGivesTheJobBackAtOnceWithoutBlamingTheBuild() throws Exception {
        String build = push();
        CountDownLatch started = new CountDownLatch(1);
        start((b, run) -> {
            started.countDown();
            new CountDownLatch(1).await();
            throw new AssertionError("unreachable");
        }, new Worker.Settings(1, LEASE, Duration.ofMillis(20), Duration.ofMinutes(5), 3));
        assertThat(started.await(60, TimeUnit.SECONDS)).isTrue();

        workers.getFirst().close(); // returns once the test has stopped and the job is released

        String jobState = jdbi.withHandle(h -> h.createQuery("select state from jobs where build_id = ?").bind(0, build)
                .mapTo(String.class).one());
        assertThat(jobState).isEqualTo("queued");
        assertThat(queue.claim("next-node", LEASE)).as("runnable now, not after the lease").isPresent();
        assertThat(actions(build)).containsExactly("push pending->pending", "fetch pending->fetching");
    }

    @Test
    void aTestThatRunsTooLongIsInterruptedAndMarksTheBuildInvalid() {
        String build = push();
        AtomicBoolean interrupted = new AtomicBoolean();
        start((b, run) -> {
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                interrupted.set(true);
                throw e;
            }
            throw new AssertionError("unreachable");
        }, new Worker.Settings(1, LEASE, Duration.ofMillis(20), Duration.ofSeconds(1), 3));

        await().atMost(WAIT).until(() -> state(build) == BuildState.invalid);
        JsonNode report = report(build);
        assertThat(report.get("success").asBoolean()).isFalse();
        assertThat(report.get("errors").get(0).asText()).startsWith("Timed out after 1s");
        assertThat(report.get("build").asText()).isEqualTo(build);
        assertThat(actions(build).getLast()).isEqualTo("tested fetching->invalid");
        await().atMost(WAIT).untilTrue(interrupted);
        await().atMost(WAIT).until(() -> queue.open() == 0);
    }

    /** A check with a fixed passing verdict. */
    private record Passes(String id) implements dev.drydock.compliance.Check {
        @Override
        public dev.drydock.compliance.CheckResult run(dev.drydock.compliance.CheckContext context) {
            return dev.drydock.compliance.CheckResult.passed(id, id + " passed", Map.of());
        }
    }

    /** A check that hangs: until interrupted, or (stubborn) until the test releases it, ignoring interrupts. */
    private record Hangs(boolean stubborn, CountDownLatch release) implements dev.drydock.compliance.Check {
        @Override public String id() { return "vulnerabilities"; }
        @Override public dev.drydock.compliance.CheckResult run(dev.drydock.compliance.CheckContext context) throws InterruptedException {
            while (true) {
                try {
                    release.await();
                    return dev.drydock.compliance.CheckResult.passed(id(), "released", Map.of());
                } catch (InterruptedException e) {
                    if (!stubborn) throw e;
                }
            }
        }
    }

    /** Runs a real pipeline of {@code checks} within the worker's deadline, as ComplianceTester does. */
    private static BuildTester pipelineTester(dev.drydock.compliance.Check... checks) {
        dev.drydock.compliance.Pipeline pipeline = new dev.drydock.compliance.Pipeline(List.of(checks));
        return (build, run) -> pipeline.run(new dev.drydock.compliance.BuildUnderTest(build.engineId(),
                        build.id(), build.uploadTime(), build.user(), build.imagePath(), build.repository(),
                        build.digest(), "pull", "batch", "FullyNetworkIsolated"), NO_IMAGE, run.deadline(),
                run::reportingWith);
    }

    /** A passing report of {@code build} with no checks (testers that stand in for the pipeline). */
    private static dev.drydock.compliance.BuildReport passed(dev.drydock.platform.builds.Build build) {
        return new dev.drydock.compliance.BuildReport(build.engineId(), build.id(), build.uploadTime(), build.user(),
                build.imagePath(), null, null, null, null, true, List.of(), List.of(), Map.of(), null);
    }

    private static final dev.drydock.image.ImageSource NO_IMAGE = new dev.drydock.image.ImageSource() {
        @Override public Optional<Manifest> manifest(Digest digest) { return Optional.empty(); }
        @Override public Optional<Long> blobSize(Digest digest) { return Optional.empty(); }
        @Override public java.io.InputStream blob(Digest digest) { throw new UnsupportedOperationException(); }
    };

    /**
     * Issue 16: a check hanging past test.timeout is stopped by the pipeline one grace after the deadline (1 s here),
     * and the build's report keeps the checks done before it, with the timeout as the hung check's result.
     */
    @Test
    void aCheckThatHangsPastTheDeadlineEndsInAReportWithTheChecksBefore() {
        String build = push();
        CountDownLatch never = new CountDownLatch(1);
        start(pipelineTester(new Passes("image.platform"), new Passes("image.filesystem"), new Hangs(false, never),
                new Passes("manifest.present")), new Worker.Settings(1, LEASE, Duration.ofMillis(20), Duration.ofSeconds(1), 3));

        await().atMost(WAIT).until(() -> state(build) == BuildState.invalid);
        JsonNode report = report(build);
        assertThat(report.get("success").asBoolean()).isFalse();
        assertThat(report.get("checks").findValuesAsText("id"))
                .containsExactly("image.platform", "image.filesystem", "vulnerabilities", "manifest.present");
        assertThat(report.get("checks").findValuesAsText("verdict")).containsExactly("passed", "passed", "failed", "skipped");
        assertThat(report.get("errors").get(0).asText()).isEqualTo("Timed out after 1s: vulnerabilities was still running 1s"
                + " after the limit and was stopped: testing must finish within that time");
        assertThat(report.get("errors")).hasSize(1);
        await().atMost(WAIT).until(() -> queue.open() == 0);
    }

    /**
     * A pipeline that does not stop even when interrupted: the worker gives up two graces after the deadline and
     * reports the checks done so far, the hung one failed with the timeout (no longer an empty report).
     */
    @Test
    void aPipelineThatNeverStopsIsGivenUpWithTheChecksDoneSoFar() {
        String build = push();
        CountDownLatch release = new CountDownLatch(1);
        try {
            start(pipelineTester(new Passes("image.platform"), new Hangs(true, release), new Passes("manifest.present")),
                    new Worker.Settings(1, LEASE, Duration.ofMillis(20), Duration.ofSeconds(1), 3));
            await().atMost(WAIT).until(() -> state(build) == BuildState.invalid);
            JsonNode report = report(build);
            assertThat(report.get("checks").findValuesAsText("id")).containsExactly("image.platform", "vulnerabilities");
            assertThat(report.get("checks").findValuesAsText("verdict")).containsExactly("passed", "failed");
            assertThat(report.get("errors").get(0).asText()).isEqualTo("Timed out after 1s: testing must finish within that time"
                    + " (it did not stop 2s after the limit)");
            assertThat(report.get("durations").has("image.platform")).isTrue();
        } finally {
            release.countDown();
        }
    }

    @Test
    void aBuildDeletedWhileQueuedIsNeverTested() {
        String build = push();
        builds.act(DEV, build, BuildAction.delete, null);
        AtomicInteger calls = new AtomicInteger();
        start((b, run) -> {
            calls.incrementAndGet();
            return passed(b);
        }, new Worker.Settings(1, LEASE, Duration.ofMillis(20), Duration.ofMinutes(1), 3));
        await().atMost(WAIT).until(() -> queue.open() == 0);
        assertThat(calls).hasValue(0);
        assertThat(state(build)).isEqualTo(BuildState.deleted);
    }

    // ---------------------------------------------------------------- helpers

    private String push() {
        int n = ++pushes;
        RegistryEvent.ManifestPushed event = new RegistryEvent.ManifestPushed(ORG, ORG + "/adapter", "v" + n,
                Digest.sha256(("image " + n + " " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8)),
                MediaTypes.OCI_MANIFEST, DEV.name());
        return builds.onManifestPushed(event).orElseThrow().id();
    }

    private void start(BuildTester tester, Worker.Settings settings) {
        Worker worker = new Worker(queue, builds, tester, settings);
        workers.add(worker);
        worker.start();
    }

    private BuildState state(String build) {
        return builds.find(build).orElseThrow().state();
    }

    /** The report the worker stored, after checking it against the report schema (as every written report must). */
    private JsonNode report(String build) {
        String json = builds.report(build).orElseThrow();
        assertThat(dev.drydock.compliance.ShippedSchema.REPORT.violations(json)).as("report schema violations of " + json).isEmpty();
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** History as "action from->to" (the push has no from state: shown as its to state). */
    private List<String> actions(String build) {
        List<String> result = new ArrayList<>();
        for (HistoryEntry h : builds.history(build)) {
            result.add(h.action() + " " + (h.from() == null ? h.to() : h.from()) + "->" + h.to());
        }
        return result;
    }

    private String jobState(long id) {
        return jdbi.withHandle(h -> h.createQuery("select state from jobs where id = ?").bind(0, id).mapTo(String.class).one());
    }

    private String lastError(String build) {
        return jdbi.withHandle(h -> h.createQuery("select last_error from jobs where build_id = ?").bind(0, build)
                .mapTo(String.class).one());
    }

    private int count(String sql) {
        return jdbi.withHandle(h -> h.createQuery(sql).mapTo(Integer.class).one());
    }
}
