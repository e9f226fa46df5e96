package dev.drydock.compliance;

import dev.drydock.image.ImageSource;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the checks in order and writes the report. A build succeeds only when at least one check ran and none
 * failed or errored: an empty pipeline never passes.
 */
public final class Pipeline {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<Check> checks;

    public Pipeline(List<Check> checks) {
        this.checks = List.copyOf(checks);
    }

    public BuildReport run(BuildUnderTest build, ImageSource image) throws InterruptedException {
        CheckContext context = new CheckContext(build, image);
        List<CheckResult> results = new ArrayList<>();
        Map<String, Long> durations = new LinkedHashMap<>();
        for (Check check : checks) {
            if (Thread.interrupted()) throw new InterruptedException("testing was stopped");
            long start = System.nanoTime();
            CheckResult result;
            try {
                result = check.run(context);
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                result = new CheckResult(check.id(), Verdict.error,
                        "check " + check.id() + " could not run: " + e.getMessage(), Map.of("exception", e.getClass().getSimpleName()));
            }
            durations.put(check.id(), (System.nanoTime() - start) / 1_000_000);
            results.add(result);
        }
        List<String> errors = new ArrayList<>();
        for (CheckResult r : results) {
            if (r.blocksBuild()) errors.add(r.message());
        }
        if (results.isEmpty()) errors.add("No compliance checks ran: the build cannot be marked available");
        boolean success = errors.isEmpty();
        return new BuildReport(build.engineId(), build.buildId(), build.uploadTime(), build.user(), build.image(),
                null, null, null, null, success, errors, results, durations, context.get(ImagePlatformCheck.PLATFORM));
    }

    public static String toJson(BuildReport report) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
