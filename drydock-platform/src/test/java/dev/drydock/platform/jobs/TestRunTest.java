package dev.drydock.platform.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drydock.compliance.BuildReport;
import dev.drydock.compliance.CheckResult;
import dev.drydock.compliance.TestDeadline;
import dev.drydock.platform.AuditLog;
import dev.drydock.platform.adapters.AdapterService;
import dev.drydock.platform.builds.Build;
import dev.drydock.platform.builds.BuildAction;
import dev.drydock.platform.builds.BuildEvents;
import dev.drydock.platform.builds.BuildService;
import dev.drydock.platform.builds.BuildState;
import dev.drydock.platform.db.Database;
import dev.drydock.platform.db.TestDatabase;
import dev.drydock.platform.identity.Principal;
import dev.drydock.oci.Digest;
import dev.drydock.registry.events.RegistryEvent;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rules of one test run, without a worker: the one deadline (limit, grace, the timeout messages) and the testing
 * moves it makes (fetching at the start, available or invalid with the typed report at the end, back to pending).
 */
class TestRunTest {
    private static final long ORG = 17532;
    private static final Principal DEV = new Principal.User(1, "dev@acme.test", null, Map.of(ORG, Principal.OrgRole.developer));
    private static final ObjectMapper JSON = new ObjectMapper();

    private Database db;
    private BuildService builds;

    @BeforeEach
    void open() {
        db = TestDatabase.open();
        Jdbi jdbi = db.jdbi();
        InstantSource clock = InstantSource.system();
        jdbi.useHandle(h -> h.execute("insert into orgs (id, name, created_at) values (?, ?, ?)", ORG, "Acme", clock.instant()));
        AuditLog audit = new AuditLog(jdbi, clock);
        builds = new BuildService(jdbi, new JobQueue(jdbi, clock), new BuildEvents(), audit, clock);
        new AdapterService(jdbi, builds, audit, clock).register(DEV, ORG, "adapter", "pull", "FullyNetworkIsolated", "batch");
    }

    @AfterEach
    void close() {
        try {
            db.jdbi().useHandle(h -> h.execute("shutdown"));
        } catch (RuntimeException expected) {
            // the connection closes under the statement
        }
        db.close();
    }

    // ---------------------------------------------------------------- the deadline

    @Test
    void theGraceIsAQuarterOfTheLimitBetweenOneSecondAndOneMinute() {
        assertThat(TestDeadline.after(Duration.ofMinutes(10)).grace()).isEqualTo(Duration.ofMinutes(1));
        assertThat(TestDeadline.after(Duration.ofMinutes(2)).grace()).isEqualTo(Duration.ofSeconds(30));
        assertThat(TestDeadline.after(Duration.ofSeconds(2)).grace()).isEqualTo(Duration.ofSeconds(1));
        assertThat(TestDeadline.after(Duration.ofHours(1)).grace()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void theDeadlineCountsFromItsStartAndNamesTheWholeLimit() throws Exception {
        TestDeadline deadline = TestDeadline.after(Duration.ofMillis(100), Duration.ofMillis(50));
        assertThat(deadline.expired()).isFalse();
        assertThat(deadline.remaining()).isPositive().isLessThanOrEqualTo(Duration.ofMillis(100));
        Thread.sleep(150);
        assertThat(deadline.expired()).isTrue();
        assertThat(deadline.remaining()).isZero();
        assertThat(TestDeadline.after(Duration.ofSeconds(90)).timedOut("what happened"))
                .isEqualTo("Timed out after 1m30s: what happened");
        assertThat(TestDeadline.after(Duration.ofSeconds(1)).notStopped())
                .isEqualTo("Timed out after 1s: testing must finish within that time (it did not stop 2s after the limit)");
    }

    @Test
    void aLimitMustBePositive() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TestDeadline.after(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theWorkerGivesUpTwoGracesAfterTheLimit() {
        TestRun run = TestRun.start(builds, push(), 1, Duration.ofMinutes(10)).orElseThrow();
        assertThat(run.deadline().limit()).isEqualTo(Duration.ofMinutes(10));
        assertThat(run.giveUpAfter()).isEqualTo(Duration.ofMinutes(12));
    }

    // ---------------------------------------------------------------- the moves

    @Test
    void startingMovesTheBuildToFetchingAndAPassingReportMakesItAvailable() throws Exception {
        String id = push();
        TestRun run = TestRun.start(builds, id, 1, Duration.ofMinutes(1)).orElseThrow();
        assertThat(state(id)).isEqualTo(BuildState.fetching);
        assertThat(run.build().id()).isEqualTo(id);
        run.finish(report(run.build(), true, List.of()));
        assertThat(state(id)).isEqualTo(BuildState.available);
        assertThat(JSON.readTree(builds.report(id).orElseThrow()).get("success").asBoolean()).isTrue();
        assertThat(actions(id)).containsExactly("push", "fetch", "tested");
    }

    @Test
    void aFailingReportMakesTheBuildInvalidWithItsErrors() throws Exception {
        String id = push();
        TestRun run = TestRun.start(builds, id, 1, Duration.ofMinutes(1)).orElseThrow();
        run.finish(report(run.build(), false, List.of("manifest.present: no manifest")));
        assertThat(state(id)).isEqualTo(BuildState.invalid);
        assertThat(JSON.readTree(builds.report(id).orElseThrow()).get("errors").get(0).asText())
                .isEqualTo("manifest.present: no manifest");
    }

    @Test
    void aBuildDeletedWhileQueuedIsNotStarted() {
        String id = push();
        builds.act(DEV, id, BuildAction.delete, null);
        assertThat(TestRun.start(builds, id, 1, Duration.ofMinutes(1))).isEmpty();
        assertThat(state(id)).isEqualTo(BuildState.deleted);
    }

    @Test
    void aNewAttemptAfterALostLeaseStartsAgainFromFetching() {
        String id = push();
        TestRun.start(builds, id, 1, Duration.ofMinutes(1)).orElseThrow();
        assertThat(TestRun.start(builds, id, 2, Duration.ofMinutes(1))).isPresent();
        assertThat(actions(id)).containsExactly("push", "fetch", "fetch");
        assertThat(builds.history(id).getLast().reason()).isEqualTo("attempt 2");
    }

    @Test
    void givingUpReportsTheChecksSoFarWithTheTimeout() throws Exception {
        String id = push();
        TestRun run = TestRun.start(builds, id, 1, Duration.ofSeconds(1)).orElseThrow();
        run.reportingWith(error -> report(run.build(), false, List.of(error)));
        run.giveUp();
        assertThat(state(id)).isEqualTo(BuildState.invalid);
        assertThat(JSON.readTree(builds.report(id).orElseThrow()).get("errors").get(0).asText())
                .isEqualTo("Timed out after 1s: testing must finish within that time (it did not stop 2s after the limit)");
    }

    @Test
    void givingUpBeforeThePipelineStartedReportsOnlyTheTimeout() throws Exception {
        String id = push();
        TestRun run = TestRun.start(builds, id, 1, Duration.ofSeconds(1)).orElseThrow();
        run.giveUp();
        var report = JSON.readTree(builds.report(id).orElseThrow());
        assertThat(report.get("success").asBoolean()).isFalse();
        assertThat(report.get("checks")).isEmpty();
        assertThat(report.get("build").asText()).isEqualTo(id);
        assertThat(report.get("errors").get(0).asText()).startsWith("Timed out after 1s");
    }

    @Test
    void anInternalErrorPutsTheBuildBackToPending() {
        String id = push();
        TestRun run = TestRun.start(builds, id, 1, Duration.ofMinutes(1)).orElseThrow();
        run.requeue(new IllegalStateException("blob store unreadable"));
        assertThat(state(id)).isEqualTo(BuildState.pending);
        assertThat(builds.history(id).getLast().reason())
                .isEqualTo("internal error, will retry: java.lang.IllegalStateException: blob store unreadable");
    }

    @Test
    void abandoningMakesTheBuildInvalidWithTheLastError() throws Exception {
        String id = push();
        TestRun.abandon(builds, id, 3, "last error: boom");
        assertThat(state(id)).isEqualTo(BuildState.invalid);
        assertThat(JSON.readTree(builds.report(id).orElseThrow()).get("errors").get(0).asText())
                .isEqualTo("Testing did not finish after 3 attempts; last error: boom. Push again or ask an operator to retest");
        assertThat(builds.history(id).getLast().reason()).isEqualTo("testing failed 3 times; last error: boom");
    }

    // ---------------------------------------------------------------- helpers

    private String push() {
        RegistryEvent.ManifestPushed event = new RegistryEvent.ManifestPushed(ORG, ORG + "/adapter", "v1",
                Digest.sha256(("image " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8)),
                "application/vnd.oci.image.manifest.v1+json", DEV.name());
        return builds.onManifestPushed(event).orElseThrow().id();
    }

    private static BuildReport report(Build build, boolean success, List<String> errors) {
        return new BuildReport(build.engineId(), build.id(), build.uploadTime(), build.user(), build.imagePath(), null, null,
                null, null, success, errors, List.<CheckResult>of(), Map.of(), null);
    }

    private BuildState state(String id) {
        return builds.find(id).orElseThrow().state();
    }

    private List<String> actions(String id) {
        return builds.history(id).stream().map(BuildService.HistoryEntry::action).toList();
    }
}
