package dev.drydock.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.time.Duration;

/**
 * A sandbox (60 s runs, private destinations allowed) on the engine {@link EngineFixture} selects, for test classes
 * that build busybox adapters and run them: this module's {@code SandboxEngineTest} (facts) and drydock-compliance's
 * {@code SandboxRunTest} (verdicts), as {@code @RegisterExtension static final AdapterRuns runs = new AdapterRuns();}.
 * It opens before the class's first test and closes after its last; leftovers of earlier runs are removed both times.
 */
final class AdapterRuns implements BeforeAllCallback, AfterAllCallback {
    private static final ObjectMapper JSON = new ObjectMapper();
    EngineFixture engine;
    Sandbox sandbox;

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        engine = new EngineFixture();
        sandbox = Sandbox.open(SandboxConfig.defaults(engine.endpoint()).withTimeout(Duration.ofSeconds(60))
                .withAllowPrivateDestinations(true));
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
    public void afterAll(ExtensionContext context) {
        try {
            if (sandbox != null) {
                sandbox.cleanupLeftovers();
                sandbox.close();
            }
        } finally {
            if (engine != null) engine.close();
        }
    }
}
