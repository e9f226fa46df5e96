package dev.drydock.platform.db;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Maintenance on several nodes sharing a database: of two nodes looking at the same time one runs a task, the other
 * not (also not while the first still runs); it is due again one interval after the run, for either node; a node that
 * dies mid-task leaves it to the others once its lease runs out; an operator's run out of turn takes the same lease.
 */
class ClusterTasksTest {
    private static final Duration DAY = Duration.ofDays(1);
    private final MovableClock clock = new MovableClock();
    private Database db;

    static final class MovableClock implements InstantSource {
        private volatile Duration offset = Duration.ZERO;

        @Override
        public Instant instant() {
            return Instant.now().plus(offset);
        }

        void advance(Duration d) {
            offset = offset.plus(d);
        }
    }

    @BeforeEach
    void open() {
        db = TestDatabase.open(4);
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void oneNodeRunsATaskOncePerInterval() throws Exception {
        try (ClusterTasks a = new ClusterTasks(db.jdbi(), clock); ClusterTasks b = new ClusterTasks(db.jdbi(), clock)) {
            AtomicInteger runs = new AtomicInteger();
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Thread first = Thread.ofVirtual().start(() -> a.runIfDue(ClusterTasks.Task.GARBAGE_COLLECTION, DAY, () -> {
                runs.incrementAndGet();
                running.countDown();
                await(release);
            }));
            assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(b.runIfDue(ClusterTasks.Task.GARBAGE_COLLECTION, DAY, runs::incrementAndGet))
                    .as("not while A runs it").isFalse();
            assertThat(b.runIfDue(ClusterTasks.Task.VULNDB_UPDATE, DAY, () -> { })).as("another task is free").isTrue();
            release.countDown();
            first.join();
            assertThat(b.runIfDue(ClusterTasks.Task.GARBAGE_COLLECTION, DAY, runs::incrementAndGet))
                    .as("not due until a day after A's run").isFalse();
            clock.advance(DAY.plusMinutes(1));
            assertThat(b.runIfDue(ClusterTasks.Task.GARBAGE_COLLECTION, DAY, runs::incrementAndGet)).isTrue();
            assertThat(runs).hasValue(2);
        }
    }

    @Test
    void anOperatorsRunGoesAheadOutOfTurnButNeverBesideANodesAndLeavesTheScheduleAlone() throws Exception {
        try (ClusterTasks node = new ClusterTasks(db.jdbi(), clock); ClusterTasks cli = new ClusterTasks(db.jdbi(), clock, "drydock gc")) {
            AtomicInteger runs = new AtomicInteger();
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Thread first = Thread.ofVirtual().start(() -> node.runIfDue(ClusterTasks.Task.GARBAGE_COLLECTION, DAY, () -> {
                running.countDown();
                await(release);
            }));
            assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(cli.runNow(ClusterTasks.Task.GARBAGE_COLLECTION, runs::incrementAndGet)).as("not beside the node").isFalse();
            ClusterTasks.Holder holder = cli.holder(ClusterTasks.Task.GARBAGE_COLLECTION).orElseThrow();
            assertThat(holder.owner()).startsWith("node on ");
            assertThat(holder.until()).isAfter(clock.instant());
            release.countDown();
            first.join();
            assertThat(cli.holder(ClusterTasks.Task.GARBAGE_COLLECTION)).isEmpty();

            // not due for a day: the operator's run goes ahead all the same, holding the lease while it runs
            assertThat(cli.runNow(ClusterTasks.Task.GARBAGE_COLLECTION, () -> {
                runs.incrementAndGet();
                assertThat(node.holder(ClusterTasks.Task.GARBAGE_COLLECTION).orElseThrow().owner()).startsWith("drydock gc on ");
                assertThat(node.runNow(ClusterTasks.Task.GARBAGE_COLLECTION, runs::incrementAndGet)).isFalse();
            })).isTrue();
            assertThat(runs).hasValue(1);
            assertThat(node.runIfDue(ClusterTasks.Task.GARBAGE_COLLECTION, DAY, runs::incrementAndGet))
                    .as("the nodes' schedule is unchanged: still a day after the node's run").isFalse();
            assertThatThrownBy(() -> cli.runNow(ClusterTasks.Task.GARBAGE_COLLECTION, () -> {
                throw new IllegalStateException("bucket away");
            })).hasMessage("bucket away");
            assertThat(cli.holder(ClusterTasks.Task.GARBAGE_COLLECTION)).as("given back after a failure too").isEmpty();
            String error = db.jdbi().withHandle(h -> h.createQuery("select last_error from maintenance_tasks where name = 'gc'")
                    .mapTo(String.class).one());
            assertThat(error).contains("bucket away");
            clock.advance(DAY.plusMinutes(1));
            assertThat(node.runIfDue(ClusterTasks.Task.GARBAGE_COLLECTION, DAY, runs::incrementAndGet)).isTrue();
        }
    }

    @Test
    void aFailedRunIsRecordedAndDueAgainAfterItsInterval() {
        try (ClusterTasks a = new ClusterTasks(db.jdbi(), clock)) {
            assertThat(a.runIfDue(ClusterTasks.Task.GARBAGE_COLLECTION, DAY, () -> {
                throw new IllegalStateException("bucket away");
            })).isTrue();
            String error = db.jdbi().withHandle(h -> h.createQuery("select last_error from maintenance_tasks where name = 'gc'")
                    .mapTo(String.class).one());
            assertThat(error).contains("bucket away");
            assertThat(a.runIfDue(ClusterTasks.Task.GARBAGE_COLLECTION, DAY, () -> { })).isFalse();
        }
    }

    @Test
    void aDeadNodesTaskIsTakenOverOnceItsLeaseRunsOut() {
        Duration lease = Duration.ofMinutes(2);
        ClusterTasks dead = new ClusterTasks(db.jdbi(), clock, lease);
        try (ClusterTasks alive = new ClusterTasks(db.jdbi(), clock, lease)) {
            // the dead node took the lease and never ended it: as if killed mid-task
            assertThat(new LeaseQueue(db.jdbi(), clock, new LeaseQueue.Table("maintenance_tasks", "run_after", "waiting",
                    "running", false, 2000)).claim(ClusterTasks.Task.GARBAGE_COLLECTION.id, "node-dead", lease, clock.instant()))
                    .isTrue();
            assertThat(alive.runIfDue(ClusterTasks.Task.GARBAGE_COLLECTION, DAY, () -> { })).isFalse();
            clock.advance(lease.plusSeconds(1));
            assertThat(alive.runIfDue(ClusterTasks.Task.GARBAGE_COLLECTION, DAY, () -> { })).isTrue();
        } finally {
            dead.close();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
