package dev.drydock.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.time.Duration;

/**
 * A sandbox on the engine {@link EngineFixture} selects, for test classes that build adapters and run them, registered
 * as {@code @RegisterExtension static final AdapterRuns runs = new AdapterRuns();}: this module's
 * {@code SandboxEngineTest} and {@code VeritoneSampleEngineRunTest} (facts), drydock-compliance's {@code SandboxRunTest}
 * and {@code ExamplesTest} (verdicts). It opens before the class's first test and closes after its last.
 */
final class AdapterRuns implements BeforeAllCallback, AfterAllCallback {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Duration timeout;
    private final boolean hostTests;
    EngineFixture engine;
    Sandbox sandbox;

    /** 60 s runs that may reach private addresses through the proxy; leftovers removed before and after. */
    AdapterRuns() {
        this(Duration.ofSeconds(60), true);
    }

    /**
     * @param hostTests the proxy may reach private addresses (the tests' own listeners on this host), and leftovers of
     *                  crashed runs are removed before the first test and after the last
     */
    AdapterRuns(Duration timeout, boolean hostTests) {
        this.timeout = timeout;
        this.hostTests = hostTests;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        engine = new EngineFixture();
        sandbox = Sandbox.open(SandboxConfig.defaults(engine.endpoint()).withTimeout(timeout).withAllowPrivateDestinations(hostTests));
        if (hostTests) sandbox.cleanupLeftovers();
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
                if (hostTests) sandbox.cleanupLeftovers();
                sandbox.close();
            }
        } finally {
            if (engine != null) engine.close();
        }
    }
}
