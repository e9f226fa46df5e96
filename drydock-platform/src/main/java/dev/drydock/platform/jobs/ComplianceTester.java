package dev.drydock.platform.jobs;

import dev.drydock.compliance.BuildReport;
import dev.drydock.compliance.BuildUnderTest;
import dev.drydock.compliance.Pipeline;
import dev.drydock.image.ImageSource;
import dev.drydock.platform.adapters.Adapter;
import dev.drydock.platform.builds.Build;
import dev.drydock.registry.Registry;

import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/** Runs the compliance pipeline on a build, reading its image straight from the registry's storage. */
public final class ComplianceTester implements BuildTester {
    private final Registry registry;
    private final Pipeline pipeline;
    private final Supplier<String> registryHost;
    private final Function<String, Optional<Adapter>> adapters;

    /**
     * @param registryHost how the image reference in reports names this registry, e.g. {@code registry.example.com}
     * @param adapters     the registered adapter by engineId (the manifest must agree with it)
     */
    public ComplianceTester(Registry registry, Pipeline pipeline, Supplier<String> registryHost,
                            Function<String, Optional<Adapter>> adapters) {
        this.registry = registry;
        this.pipeline = pipeline;
        this.registryHost = registryHost;
        this.adapters = adapters;
    }

    @Override
    public BuildReport test(Build build, TestRun run) throws InterruptedException {
        String repository = build.repository();
        ImageSource source = new RegistryImageSource(registry, repository);
        String host = registryHost.get();
        String image = (host == null ? "" : host + "/") + build.imagePath();
        Adapter adapter = adapters.apply(build.engineId()).orElseThrow(() -> new IllegalStateException(
                "build " + build.id() + " belongs to no registered adapter (engineId " + build.engineId() + ")"));
        return pipeline.run(new BuildUnderTest(build.engineId(), build.id(), build.uploadTime(), build.user(),
                image, repository, build.digest(), adapter.category(), adapter.engineMode().name(),
                adapter.deploymentModel().name()), source, run.deadline(), run::reportingWith);
    }
}
