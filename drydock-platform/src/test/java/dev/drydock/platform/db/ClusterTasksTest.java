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

/**
 * Maintenance on several nodes sharing a database: of two nodes looking at the same time one runs a task, the other
 * not (also not while the first still runs); it is due again one interval after the run, for either node; a node that
 * dies mid-task leaves it to the others once its lease runs out.
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
