package dev.drydock.server;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Server time of an adapter's page with 1,000 builds under the adapter: the page itself ({@code GET /adapters/{id}},
 * the app's shell), the page with the API calls it makes to draw (me, orgs, the adapter, the first 20 builds), one
 * page of 50 builds, and the whole unpaginated list, interleaved in one run and timed from a client on loopback.
 * Prints median and p95 against the 200 ms target. Skipped unless {@code -Dadapter.bench=N} (N timed rounds after
 * as many warm-up rounds; see bench/README.md):
 *
 * <pre>./mvnw -B -o -q verify -pl drydock-server -am -Dtest=AdapterPageBenchmark -Dadapter.bench=50 -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
class AdapterPageBenchmark {
    private static final int BUILDS = 1000;
    private static final long TARGET_MS = 200;

    @Test
    void adapterPageWithAThousandBuilds() {
        int rounds = Integer.getInteger("adapter.bench", 0);
        Assumptions.assumeTrue(rounds > 0, "benchmark: run with -Dadapter.bench=N");
        try (BuildFixture w = BuildFixture.withParties()) {
            String engineId = w.register("bench");
            w.insertBuilds(engineId, BUILDS, 1500); // rows, not pushes: pushing and testing 1,000 images takes too long
            String builds = "/api/v1/adapters/" + engineId + "/builds";
            Map<String, List<String>> cases = new LinkedHashMap<>();
            cases.put("GET /adapters/{id} (the page's shell)", List.of("/adapters/" + engineId));
            cases.put("the page with its API calls (me, orgs, adapter, 20 builds)", List.of("/adapters/" + engineId, "/api/v1/me",
                    "/api/v1/orgs", "/api/v1/adapters/" + engineId, builds + "?limit=20&offset=0"));
            cases.put("GET …/builds?limit=50", List.of(builds + "?limit=50"));
            cases.put("GET …/builds (unpaginated, 1,000)", List.of(builds));
            Map<String, List<Double>> times = new LinkedHashMap<>();
            cases.keySet().forEach(k -> times.put(k, new ArrayList<>()));
            for (int r = 0; r < 2 * rounds; r++) {
                for (var c : cases.entrySet()) { // interleaved, so load from elsewhere on the machine hits every case alike
                    long start = System.nanoTime();
                    for (String path : c.getValue()) get(w, path);
                    double ms = (System.nanoTime() - start) / 1e6;
                    if (r >= rounds) times.get(c.getKey()).add(ms); // the first rounds warm up
                }
            }
            double unpaginated = median(times.get("GET …/builds (unpaginated, 1,000)"));
            StringBuilder out = new StringBuilder("\nAdapter page with " + BUILDS + " builds, " + rounds
                    + " rounds (after as many warm-up rounds), ms, client on loopback:\n");
            out.append(String.format("%-62s %9s %9s %8s %14s%n", "request", "median", "p95", "≤ 200?", "vs unpaginated"));
            times.forEach((name, list) -> out.append(String.format("%-62s %9.1f %9.1f %8s %13.1fx%n", name, median(list),
                    percentile(list, 95), percentile(list, 95) <= TARGET_MS ? "yes" : "NO", unpaginated / median(list))));
            System.out.println(out);
        }
    }

    private static void get(BuildFixture w, String path) {
        HttpResponse<String> r = w.d.send(HttpRequest.newBuilder(URI.create(w.d.url() + path))
                .header("Authorization", w.dev()).header("Accept", "application/json").GET().build());
        if (r.statusCode() != 200) throw new AssertionError(path + ": " + r.statusCode() + " " + r.body());
    }

    private static double median(List<Double> values) {
        return percentile(values, 50);
    }

    private static double percentile(List<Double> values, int p) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }
}
