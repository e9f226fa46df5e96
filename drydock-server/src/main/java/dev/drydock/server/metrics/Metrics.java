package dev.drydock.server.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.platform.builds.BuildChanged;
import dev.drydock.platform.builds.BuildEvents;
import dev.drydock.platform.builds.BuildService;
import dev.drydock.platform.builds.BuildState;
import dev.drydock.platform.jobs.JobQueue;
import dev.drydock.platform.jobs.Worker;
import dev.drydock.platform.webhooks.WebhookDispatcher;
import dev.drydock.registry.Registry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Every metric Drydock serves at {@code /metrics} (Prometheus text format), in one place. The lower modules expose
 * what is measured without knowing of Micrometer: build changes arrive as {@link BuildEvents}, webhook attempts
 * through the dispatcher's listener, counts through small getters ({@link JobQueue#backlog}, {@link Worker#testsRunning},
 * {@link Registry#openUploads}); HTTP requests are measured by {@link HttpMetrics}.
 * <p>
 * Label values are bounded: route templates (never raw paths), status classes, check ids and verdicts from the
 * pipeline's fixed set; no organization, repository, user or digest is ever a label.
 */
public final class Metrics implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Metrics.class);
    /** Check ids and verdicts are the pipeline's own (a fixed set); anything else is not made a label. */
    private static final Pattern LABEL = Pattern.compile("[a-z][a-z0-9._-]{0,63}");

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final HttpMetrics http = new HttpMetrics(registry);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private volatile Runnable unsubscribe = () -> {};

    public Metrics() {
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        for (WebhookDispatcher.AttemptResult r : WebhookDispatcher.AttemptResult.values()) webhookCounter(r); // 0 from the start
    }

    /** HTTP request rate, latency and registry blob bytes (installed as Javalin's request logger). */
    public HttpMetrics http() {
        return http;
    }

    /** Counts one webhook delivery attempt by its result (the dispatcher's listener). */
    public void webhookAttempt(WebhookDispatcher.AttemptResult result) {
        webhookCounter(result).increment();
    }

    private Counter webhookCounter(WebhookDispatcher.AttemptResult result) {
        return Counter.builder("drydock.webhook.deliveries").description("webhook delivery attempts by result")
                .tag("outcome", result.name()).register(registry);
    }

    /**
     * Starts reporting the state of this node's queue, worker and registry, and counts tested builds: their end
     * state, each check's verdict and duration (from the report the test wrote). Stops at {@link #close}.
     */
    public void watch(Registry blobs, JobQueue jobs, Worker worker, BuildEvents events, BuildService builds, InstantSource clock) {
        Gauge.builder("drydock.registry.upload.sessions", blobs, Registry::openUploads)
                .description("upload sessions open (all nodes)").register(registry);
        Gauge.builder("drydock.jobs.queued", jobs, j -> j.backlog().queued())
                .description("test jobs waiting for a worker (due now or retrying later; all nodes)").register(registry);
        Gauge.builder("drydock.jobs.oldest.due.age", jobs, j -> {
                    Instant oldest = j.backlog().oldestDue();
                    return oldest == null ? 0 : Math.max(0, Duration.between(oldest, clock.instant()).toMillis() / 1000.0);
                }).baseUnit("seconds").description("how long the longest-waiting due test job has waited (0: none waits)")
                .register(registry);
        Gauge.builder("drydock.tests.running", worker, Worker::testsRunning)
                .description("builds being tested on this node").register(registry);
        for (BuildState end : new BuildState[]{BuildState.available, BuildState.invalid}) testedCounter(end);
        unsubscribe = events.subscribe(change -> {
            if (change.from() == BuildState.fetching && (change.to() == BuildState.available || change.to() == BuildState.invalid)) {
                tested(change, builds);
            }
        });
    }

    private Counter testedCounter(BuildState end) {
        return Counter.builder("drydock.builds.tested").description("builds whose test ended, by the state it left them in")
                .tag("state", end.name()).register(registry);
    }

    /** A build's test ended: count its end state, and each check's verdict and time from its report. */
    private void tested(BuildChanged change, BuildService builds) {
        testedCounter(change.to()).increment();
        try {
            JsonNode tree = builds.reportTree(change.buildId()).orElse(null);
            if (tree == null) return;
            for (JsonNode check : tree.path("checks")) {
                String id = check.path("id").asText();
                String verdict = check.path("verdict").asText();
                if (!LABEL.matcher(id).matches() || !LABEL.matcher(verdict).matches()) continue;
                Counter.builder("drydock.check.verdicts").description("check results of tested builds, by check and verdict")
                        .tag("check", id).tag("verdict", verdict).register(registry).increment();
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = tree.path("durations").properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> d = it.next();
                if (!LABEL.matcher(d.getKey()).matches() || !d.getValue().canConvertToLong()) continue;
                Timer.builder("drydock.check.duration").description("time each check of a build's test took")
                        .tag("check", d.getKey()).serviceLevelObjectives(CHECK_BUCKETS)
                        .register(registry).record(d.getValue().asLong(), TimeUnit.MILLISECONDS);
            }
        } catch (Exception e) {
            log.debug("no check metrics for build {}: {}", change.buildId(), e.toString());
        }
    }

    private static final Duration[] CHECK_BUCKETS = {Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(5),
            Duration.ofSeconds(15), Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(5),
            Duration.ofMinutes(10)};

    /** The Prometheus text exposition of every metric. */
    public String scrape() {
        return registry.scrape();
    }

    /** For tests: the registry behind {@link #scrape}. */
    public MeterRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        unsubscribe.run();
        gc.close();
        registry.close();
    }
}
