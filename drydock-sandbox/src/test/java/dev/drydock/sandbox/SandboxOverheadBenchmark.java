package dev.drydock.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sandbox overhead for a busybox adapter that exits at once: the split per step (median and max over N runs).
 * Runs only when asked: {@code ./mvnw -o -q verify -pl drydock-sandbox -Dtest=SandboxOverheadBenchmark
 * -Dsandbox.bench=10 -Dsurefire.failIfNoSpecifiedTests=false} (add {@code -Dsandbox.bench.keep-images=true} to keep the
 * image between runs, so pull only checks the registry); the table is in
 * {@code target/surefire-reports/dev.drydock.sandbox.SandboxOverheadBenchmark-output.txt}.
 */
class SandboxOverheadBenchmark {
    @Test
    void overheadOfAnAdapterThatExitsAtOnce() throws Exception {
        String runs = System.getProperty("sandbox.bench");
        Assumptions.assumeTrue(runs != null, "set -Dsandbox.bench=N to run the benchmark");
        int n = Integer.parseInt(runs);
        boolean keep = Boolean.getBoolean("sandbox.bench.keep-images");
        try (EngineFixture engine = new EngineFixture();
             Sandbox sandbox = Sandbox.open(SandboxConfig.defaults(engine.endpoint()).withKeepImages(keep))) {
            String manifest = Adapters.manifest("pull", null);
            String ref = engine.buildAdapter("instant", manifest, "#!/bin/sh\necho hi\n");
            SandboxRequest request = SandboxRequest.of(ref, new ObjectMapper().readTree(manifest), DeploymentModel.FullyNetworkIsolated)
                    .withAuth(engine.auth());
            sandbox.run(request); // warm-up: first pull stores the layers
            Map<String, List<Long>> steps = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                SandboxResult r = sandbox.run(request);
                assertThat(r.testLog()).containsExactly("hi");
                r.durations().forEach((k, v) -> steps.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
                steps.computeIfAbsent("overhead (total - run)", x -> new ArrayList<>()).add(r.durations().get("total") - r.durations().get("run"));
            }
            StringBuilder table = new StringBuilder(String.format("%n%-24s %8s %8s%n", "step (" + n + " runs, keep-images=" + keep + ")", "median", "max"));
            steps.forEach((k, v) -> {
                List<Long> sorted = v.stream().sorted().toList();
                table.append(String.format("%-24s %6d ms %6d ms%n", k, sorted.get(sorted.size() / 2), sorted.getLast()));
            });
            System.out.println(table);
        }
    }
}
