package dev.drydock.compliance;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drydock.image.ExtractionLimits;
import dev.drydock.image.FileInterest;
import dev.drydock.image.ImageSource;
import dev.drydock.image.LayerPass;
import dev.drydock.scanner.Scanner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs the checks in order and writes the report. A build succeeds only when at least one check ran and none
 * failed or errored: an empty pipeline never passes. Each run gets its own working directory (for the files
 * extracted from the image), deleted with whatever checks registered to close when the run ends.
 */
public final class Pipeline {
    /** Fact: the {@code docker image inspect} JSON of the tested image, which becomes the report's {@code inspect}. */
    public static final String INSPECT = "inspect";
    private static final Logger log = LoggerFactory.getLogger(Pipeline.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<Check> checks;
    private final Path workRoot;
    private final FileInterest fileInterest;

    /** A pipeline whose runs work in the system's temporary directory. */
    public Pipeline(List<Check> checks) {
        this(checks, Path.of(System.getProperty("java.io.tmpdir")));
    }

    /** @param workRoot where each run creates (and then deletes) its working directory */
    public Pipeline(List<Check> checks, Path workRoot) {
        this.checks = List.copyOf(checks);
        this.workRoot = workRoot;
        FileInterest union = path -> false;
        for (Check check : this.checks) union = union.or(check.fileInterest());
        this.fileInterest = union;
    }

    /**
     * Every check Drydock runs, in order: platform, one pass over the layers, the vulnerability scan, the manifest (present, valid,
     * matching the adapter), the entrypoint. The service and {@code ./drydock check} both use this list.
     */
    public static Pipeline standard() {
        return standard(Path.of(System.getProperty("java.io.tmpdir")));
    }

    /**
     * {@link #standard()} with each run's working directory under {@code workRoot}: no advisory data, and no sandbox
     * run (what {@code ./drydock check} does).
     */
    public static Pipeline standard(Path workRoot) {
        return standard(workRoot, VulnerabilitiesCheck.withoutData(), SandboxAccess.disabled(
                "./drydock check does not run the adapter; push it to Drydock for the test run"), SandboxAccess.DEFAULT_TIMEOUT,
                ExtractionLimits.DEFAULT_MAX_TOTAL_BYTES);
    }

    /**
     * Every check the service runs: the image checks, the vulnerability scan (its advisory data, policy and SBOM
     * store), and last the sandbox run ({@code run.exit}, {@code run.task}, {@code run.output}, {@code run.network})
     * through {@code sandbox}, within what is left of {@code testTimeout}. {@code imageMaxBytes} bounds the image's
     * uncompressed size ({@code image.max-bytes}); each layer's expansion is bounded by {@link ExtractionLimits}' ratio.
     */
    public static Pipeline standard(Path workRoot, VulnerabilitiesCheck vulnerabilities, SandboxAccess sandbox,
                                    java.time.Duration testTimeout, long imageMaxBytes) {
        return new Pipeline(List.of(
                new ImagePlatformCheck(),
                new ImageFilesystemCheck(LayerPass::read, Scanner.EXTRACTION_LIMITS.withMaxTotalBytes(imageMaxBytes)),
                vulnerabilities,
                new ManifestPresentCheck(),
                new ManifestValidCheck(),
                new ManifestMatchesCheck(),
                new EntrypointCheck(),
                new SandboxRunCheck(sandbox, testTimeout)), workRoot);
    }

    public List<Check> checks() {
        return checks;
    }

    public BuildReport run(BuildUnderTest build, ImageSource image) throws InterruptedException {
        Path workDir;
        try {
            Files.createDirectories(workRoot);
            workDir = Files.createTempDirectory(workRoot, "drydock-check-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a working directory in " + workRoot
                    + ": make it writable or point the pipeline elsewhere", e);
        }
        CheckContext context = new CheckContext(build, image, workDir, fileInterest);
        try {
            return runChecks(build, context);
        } finally {
            cleanUp(context, workDir);
        }
    }

    private BuildReport runChecks(BuildUnderTest build, CheckContext context) throws InterruptedException {
        List<CheckResult> results = new ArrayList<>();
        Map<String, Long> durations = new LinkedHashMap<>();
        for (Check check : checks) {
            if (Thread.interrupted()) throw new InterruptedException("testing was stopped");
            long start = System.nanoTime();
            List<CheckResult> produced;
            try {
                CheckResult skipped = context.unlessPassed(check.id(), check.needs()).orElse(null);
                produced = skipped == null ? check.runAll(context) : check.ids().stream()
                        .map(id -> new CheckResult(id, skipped.verdict(), skipped.message(), skipped.evidence())).toList();
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                log.warn("check {} threw", check.id(), e);
                produced = check.ids().stream().map(id -> new CheckResult(id, Verdict.error, "check " + id + " could not run: "
                        + e.getMessage(), Map.<String, Object>of("exception", e.getClass().getSimpleName()))).toList();
            }
            durations.put(check.id(), (System.nanoTime() - start) / 1_000_000);
            for (CheckResult result : produced) {
                context.record(result);
                results.add(result);
            }
        }
        List<String> errors = new ArrayList<>();
        for (CheckResult r : results) {
            if (r.blocksBuild()) errors.add(r.message());
        }
        if (results.isEmpty()) errors.add("No compliance checks ran: the build cannot be marked available");
        boolean success = errors.isEmpty();
        return new BuildReport(build.engineId(), build.buildId(), build.uploadTime(), build.user(), build.image(),
                context.get(INSPECT), context.get(VulnerabilitiesCheck.FINDINGS), context.get(VulnerabilitiesCheck.COUNTS),
                context.get(SandboxRunCheck.TEST_LOG), success, errors, results, durations,
                context.get(ImagePlatformCheck.PLATFORM), context.get(SandboxRunCheck.NETWORK_USAGE),
                context.get(VulnerabilitiesCheck.SBOM), context.get(VulnerabilitiesCheck.DATA_VERSION));
    }

    private static void cleanUp(CheckContext context, Path workDir) {
        while (!context.cleanups().isEmpty()) {
            try {
                context.cleanups().pop().close();
            } catch (Exception e) {
                log.warn("could not release a resource of the run in {}", workDir, e);
            }
        }
        try (Stream<Path> paths = Files.walk(workDir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            log.warn("could not delete the working directory {}", workDir, e);
        }
    }

    public static String toJson(BuildReport report) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
