package dev.drydock.platform.jobs;

import dev.drydock.compliance.BuildReport;
import dev.drydock.platform.builds.BuildService;
import dev.drydock.platform.builds.BuildState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Claims build-test jobs and runs each as a {@link TestRun}: the build goes {@code pending → fetching}, the tester
 * runs under a renewed lease and the test's one deadline ({@code test.timeout} from the start), and the build ends
 * {@code available} or {@code invalid} with its report. The pipeline keeps the deadline itself and reports a
 * timeout with every check done so far; the worker gives up only on a pipeline that has not returned
 * {@link dev.drydock.compliance.TestDeadline#giveUpPastLimit()} after the deadline, and then reports the checks done so
 * far and the timeout. A crash mid-test leaves the lease to expire, and the job then runs again from the start; after
 * {@code maxAttempts} the build is marked invalid with the last error, so no build stays fetching forever.
 */
public final class Worker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Worker.class);

    /** Tunables, validated by the caller's configuration. */
    public record Settings(int concurrency, Duration lease, Duration poll, Duration testTimeout, int maxAttempts) {}


    private final JobQueue queue;
    private final BuildService builds;
    private final BuildTester tester;
    private final Settings settings;
    private final String owner = "worker-" + UUID.randomUUID();
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1, daemon("drydock-worker-poll"));
    private final ExecutorService runners = Executors.newVirtualThreadPerTaskExecutor();
    private final Semaphore slots;
    private final java.util.concurrent.atomic.AtomicInteger testing = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean running = true;
    private volatile Runnable stopWakeUps = () -> {};

    public Worker(JobQueue queue, BuildService builds, BuildTester tester, Settings settings) {
        this.queue = queue;
        this.builds = builds;
        this.tester = tester;
        this.settings = settings;
        this.slots = new Semaphore(settings.concurrency());
    }

    /** Starts polling, and looks for work at once whenever a build becomes pending (a push, a retest). */
    public void start() {
        stopWakeUps = builds.subscribe(change -> {
            if (change.to() == BuildState.pending) wakeUp();
        });
        scheduler.scheduleWithFixedDelay(this::poll, 0, settings.poll().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Looks for work now, so that a new build starts without waiting for the next poll. */
    private void wakeUp() {
        try {
            if (running) scheduler.execute(this::poll);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shutting down: the job stays queued for the next start
        }
    }

    private void poll() {
        try {
            while (running && slots.tryAcquire()) {
                var job = queue.claim(owner, settings.lease());
                if (job.isEmpty()) {
                    slots.release();
                    return;
                }
                runners.execute(() -> {
                    try {
                        run(job.get());
                    } finally {
                        slots.release();
                    }
                });
            }
        } catch (RuntimeException e) {
            log.warn("job poll failed: {}", e.toString());
        }
    }

    private void run(JobQueue.Job job) {
        if (job.attempts() > settings.maxAttempts()) {
            String lastError = job.lastError() == null ? "the last attempt was cut off (the worker stopped or crashed)"
                    : "last error: " + job.lastError();
            TestRun.abandon(builds, job.buildId(), settings.maxAttempts(), lastError);
            queue.fail(job, "gave up after " + settings.maxAttempts() + " attempts");
            return;
        }
        Optional<TestRun> started = TestRun.start(builds, job.buildId(), job.attempts(), settings.testTimeout());
        if (started.isEmpty()) {
            queue.complete(job); // deleted (or otherwise moved on) while queued: nothing to test
            return;
        }
        TestRun testRun = started.get();
        testing.incrementAndGet();
        try {
            test(job, testRun);
        } finally {
            testing.decrementAndGet();
        }
    }

    /** Tests started on this node and not yet ended (metrics). */
    public int testsRunning() {
        return testing.get();
    }

    private void test(JobQueue.Job job, TestRun testRun) {
        Future<BuildReport> run = runners.submit(() -> tester.test(testRun.build(), testRun));
        ScheduledFuture<?> heartbeat = scheduler.scheduleAtFixedRate(() -> {
            try {
                if (!queue.renew(job, settings.lease())) {
                    log.warn("lost the lease on job {} (build {}): stopping its test, the new owner runs it", job.id(), job.buildId());
                    run.cancel(true);
                }
            } catch (RuntimeException e) {
                // an exception would end the periodic renewal for good; the next beat tries again
                log.warn("could not renew the lease on job {}: {}", job.id(), e.toString());
            }
        }, settings.lease().toMillis() / 3, settings.lease().toMillis() / 3, TimeUnit.MILLISECONDS);
        try {
            BuildReport report = run.get(testRun.giveUpAfter().toMillis(), TimeUnit.MILLISECONDS);
            if (stillOwned(job)) {
                testRun.finish(report);
                queue.complete(job);
            }
        } catch (TimeoutException e) {
            run.cancel(true);
            log.warn("test of build {} did not return {} after its limit; reporting what it did so far", job.buildId(),
                    testRun.deadline().giveUpPastLimit());
            if (stillOwned(job)) {
                testRun.giveUp();
                queue.complete(job);
            }
        } catch (ExecutionException e) {
            if (!running) {
                releaseForRestart(job);
                return;
            }
            log.error("testing build {} failed", job.buildId(), e.getCause());
            queue.retryLater(job, String.valueOf(e.getCause()), Duration.ofSeconds(5L * job.attempts()));
            testRun.requeue(e.getCause());
        } catch (CancellationException e) {
            // lost the lease (see the heartbeat): the job and the build are another worker's now
        } catch (InterruptedException e) {
            run.cancel(true);
            if (!running) releaseForRestart(job);
            Thread.currentThread().interrupt();
        } finally {
            heartbeat.cancel(false);
        }
    }

    /**
     * The worker is shutting down mid-test: give the job back at once (rather than waiting for the lease to expire)
     * and leave the build's history alone, since nothing went wrong with the build itself.
     */
    private void releaseForRestart(JobQueue.Job job) {
        boolean interrupted = Thread.interrupted(); // the database write must not see the shutdown's interrupt
        try {
            queue.retryLater(job, "the worker stopped during the test", Duration.ZERO);
        } catch (RuntimeException e) {
            log.debug("could not release job {} on shutdown; its lease will expire instead: {}", job.id(), e.toString());
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /** False (and the result discarded) when the job's lease passed to another worker meanwhile. */
    private boolean stillOwned(JobQueue.Job job) {
        if (queue.stillOwned(job)) return true;
        log.warn("discarding result of job {}: its lease passed to another worker", job.id());
        return false;
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public void close() {
        running = false;
        stopWakeUps.run();
        // Stop the tests first and the scheduler last: a test that has just started still schedules its lease
        // heartbeat, and a scheduler already shut down would throw there and leave the job leased.
        runners.shutdownNow();
        try {
            // running tests see the interrupt and give their jobs back; wait so that happens before the database closes
            if (!runners.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("some tests did not stop within 10 s of shutdown; their jobs run again when their leases expire");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            scheduler.shutdownNow();
        }
    }
}
