package dev.drydock.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.time.Duration;

/**
 * A sandbox (60 s runs, private destinations allowed) on the engine {@link EngineFixture} selects, for test classes
 * that build busybox adapters and run them: this module's {@code SandboxEngineTest} (facts) and drydock-compliance's
 * {@code SandboxRunTest} (verdicts). Leftovers of earlier runs are removed when it opens and when it closes.
 */
final class AdapterRuns implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    final EngineFixture engine;
    final Sandbox sandbox;

    AdapterRuns() throws IOException {
        engine = new EngineFixture();
        Sandbox opened;
        try {
            opened = Sandbox.open(SandboxConfig.defaults(engine.endpoint()).withTimeout(Duration.ofSeconds(60))
                    .withAllowPrivateDestinations(true));
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
        sandbox = opened;
        sandbox.cleanupLeftovers();
    }

    SandboxResult run(String name, String manifest, String script, DeploymentModel model, Duration timeout, Limits limits)
            throws IOException {
        String ref = engine.buildAdapter(name, manifest, script);
        SandboxRequest request = new SandboxRequest(ref, engine.auth(), JSON.readTree(manifest), null, model, timeout, limits);
        return sandbox.run(request);
    }

    SandboxResult run(String name, String manifest, String script) throws IOException {
        return run(name, manifest, script, DeploymentModel.FullyNetworkIsolated, null, null);
    }

    /** What a failed assertion shows of the run. */
    static String describe(SandboxResult r) {
        return "outcome=" + r.outcome() + " exit=" + r.exitCode() + " error=" + r.error() + "\nstdout=" + r.stdout().lines()
                + "\nstderr=" + r.stderr().lines() + "\ncalls=" + r.apiCalls() + "\nnetwork=" + r.networkUsage();
    }

    @Override
    public void close() {
        try {
            sandbox.cleanupLeftovers();
            sandbox.close();
        } finally {
            engine.close();
        }
    }
}
