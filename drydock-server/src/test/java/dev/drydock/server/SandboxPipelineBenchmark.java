package dev.drydock.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * Pipeline overhead of a build whose adapter exits at once: from the push's completion (the build's {@code pending}
 * history entry, written by the manifest PUT) to its verdict (the {@code available}/{@code invalid} entry), minus the
 * container's own run time ({@code run} step: start returned → exit seen). Prints the median split: queue (push →
 * testing began), image checks ("scan": platform, layers, manifest, entrypoint), the sandbox's pull, network,
 * create, copy, start, wait (the run), logs, cleanup, and report (storing the verdict). Skipped unless
 * {@code -Dsandbox.bench=N} (N measured builds after one warm-up):
 *
 * <pre>./mvnw -o -q verify -pl drydock-server -am -Dtest=SandboxPipelineBenchmark -Dsandbox.bench=10 -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
class SandboxPipelineBenchmark {
    @Test
    void overheadOfABuildThatExitsAtOnce() throws Exception {
        int n = Integer.getInteger("sandbox.bench", 0);
        Assumptions.assumeTrue(n > 0, "benchmark: run with -Dsandbox.bench=N");
        SandboxE2ETest.require();
        Path tmp = Files.createTempDirectory("drydock-pipeline-bench");
        Tools tools = new Tools(Map.of(), tmp.resolve("out"));
        try (TestDrydock d = BuildFixture.start(Map.of("sandbox.engine", "podman", "worker.concurrency", "1"))) {
            BuildFixture fx = new BuildFixture(d);
            BuildFixture.Owner owner = fx.orgWithRobot(17532);
            // no engineId in the manifest: the same image serves every adapter of the benchmark
            SandboxAdapters adapters = new SandboxAdapters(tools, tmp);
            adapters.build("bench", adapters.context("bench", null, "#!/bin/busybox sh\necho done\n"));

            Map<String, List<Long>> splits = new LinkedHashMap<>();
            for (int i = 0; i <= n; i++) {
                String name = "bench-" + i;
                String engineId = fx.registerAdapter(owner, name);
                String id = fx.buildId(engineId, adapters.push("bench", d.host(), name, owner.login(), owner.secret()), owner.auth());
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() -> {
                    String s = d.api("GET", "/api/v1/builds/" + id, owner.auth(), null, 200).get("state").asText();
                    return s.equals("available") || s.equals("invalid");
                });
                if (i == 0) continue; // warm-up
                JsonNode build = d.api("GET", "/api/v1/builds/" + id, owner.auth(), null, 200);
                Instant pushed = null, fetching = null, verdict = null;
                for (JsonNode h : build.get("history")) {
                    Instant at = instant(h.get("at"));
                    switch (h.get("to").asText()) {
                        case "pending" -> pushed = at;
                        case "fetching" -> fetching = at;
                        default -> verdict = at;
                    }
                }
                JsonNode report = fx.report(id, owner.auth());
                JsonNode steps = null;
                for (JsonNode c : report.get("checks")) if (c.get("id").asText().equals("run.exit")) steps = c.get("evidence").get("steps");
                long total = Duration.between(pushed, verdict).toMillis();
                long run = steps.path("run").asLong();
                long scan = 0;
                for (var e : report.get("durations").properties()) if (!e.getKey().equals("run")) scan += e.getValue().asLong();
                long checks = scan + report.get("durations").path("run").asLong();
                add(splits, "queue (push → testing)", Duration.between(pushed, fetching).toMillis());
                add(splits, "scan (image + manifest checks)", scan);
                for (String step : List.of("pull", "network", "create", "copy", "start", "run", "logs", "cleanup")) {
                    add(splits, step.equals("run") ? "wait (container run, excluded)" : step, steps.path(step).asLong());
                }
                add(splits, "report (store verdict)", Math.max(0, Duration.between(fetching, verdict).toMillis() - checks));
                add(splits, "TOTAL push → verdict", total);
                add(splits, "OVERHEAD (total - run)", total - run);
            }
            StringBuilder out = new StringBuilder("\nPipeline overhead, median of " + n + " builds (ms):\n");
            splits.forEach((k, v) -> out.append(String.format("  %-34s %6d%n", k, median(v))));
            System.out.println(out);
        } finally {
            try (Stream<Path> walk = Files.walk(tmp)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static Instant instant(JsonNode at) {
        if (at.isNumber()) return Instant.ofEpochMilli(Math.round(at.asDouble() * (at.asDouble() > 1e11 ? 1 : 1000)));
        return Instant.parse(at.asText());
    }

    private static void add(Map<String, List<Long>> splits, String key, long value) {
        splits.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
    }

    private static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }
}
