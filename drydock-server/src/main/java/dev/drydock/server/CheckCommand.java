package dev.drydock.server;

import dev.drydock.compliance.BuildReport;
import dev.drydock.compliance.BuildUnderTest;
import dev.drydock.compliance.CheckResult;
import dev.drydock.compliance.ManifestCategories;
import dev.drydock.compliance.Pipeline;
import dev.drydock.image.ImageException;
import dev.drydock.image.LocalImage;
import dev.drydock.image.LocalImages;
import dev.drydock.platform.adapters.Adapter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * {@code drydock check IMAGE}: the compliance checks a push would run, on an image on the developer's disk, so a
 * build can be tested before it is pushed. Exit codes: 0 every check that can fail a build passed, 1 one failed,
 * 2 the command could not test anything (bad options, no such file, not an image).
 */
@Command(name = "check", mixinStandardHelpOptions = true, description = {
        "Run Drydock's compliance checks on a local image and print the build report.",
        "IMAGE is an OCI layout directory, an OCI archive, or a docker-save / podman-save tarball "
                + "(e.g. docker save my-adapter -o my-adapter.tar).",
        "Without --category the manifest is not compared with a registered adapter (manifest.matches is skipped).",
        "Exit code: 0 passed, 1 failed, 2 usage error or unreadable image."})
final class CheckCommand implements Callable<Integer> {
    enum Format { json, table }

    @Parameters(paramLabel = "IMAGE", description = "OCI layout directory, OCI archive or docker-save tarball")
    Path image;
    @Option(names = "--category", description = "the adapter's registered category, e.g. pull")
    String category;
    @Option(names = "--engine-id", description = "the adapter's engineId (UUID), compared with the manifest's")
    String engineId;
    @Option(names = "--engine-mode", description = "the adapter's registered engine mode: batch, chunk or stream")
    Adapter.EngineMode engineMode;
    @Option(names = "--deployment-model", description = "FullyNetworkIsolated, MostlyNetworkIsolated, NonNetworkIsolated or HumanReview")
    Adapter.DeploymentModel deploymentModel;
    @Option(names = "--format", description = "json (the report, default) or table", defaultValue = "json")
    Format format;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String usageError = usageError();
        if (usageError != null) {
            err.println("drydock check: " + usageError);
            err.flush();
            return 2;
        }
        LocalImage local;
        try {
            local = LocalImages.open(image);
        } catch (ImageException e) {
            err.println("drydock check: cannot read " + image + ": " + e.getMessage());
            err.flush();
            return 2;
        }
        String reference = local.repoTag() != null ? local.repoTag() : image.toString();
        BuildUnderTest build = new BuildUnderTest(engineId, null, null, null, reference, null, local.top(), category,
                engineMode == null ? null : engineMode.name(), deploymentModel == null ? null : deploymentModel.name());
        BuildReport report = Pipeline.standard().run(build, local.source());
        if (format == Format.table) printTable(out, report);
        else out.println(Pipeline.toJson(report));
        out.flush();
        return report.success() ? 0 : 1;
    }

    private String usageError() {
        if (!Files.exists(image)) return "no such file or directory: " + image + " (save the image first, e.g. docker save my-adapter -o my-adapter.tar)";
        if (category != null && !ManifestCategories.isRegistered(category)) {
            return "unknown --category " + category + "; one of " + String.join(", ", ManifestCategories.REGISTERED);
        }
        if (engineId != null) {
            try {
                UUID.fromString(engineId);
            } catch (IllegalArgumentException e) {
                return "--engine-id must be the adapter's engineId, a UUID like 2ff9260b-6788-45de-9757-980e5dc653e3";
            }
        }
        return null;
    }

    private static void printTable(PrintWriter out, BuildReport report) {
        int width = report.checks().stream().mapToInt(c -> c.id().length()).max().orElse(5);
        out.printf("%-" + width + "s  %-8s  %s%n", "CHECK", "VERDICT", "MESSAGE");
        for (CheckResult c : report.checks()) {
            out.printf("%-" + width + "s  %-8s  %s%n", c.id(), c.verdict(), c.message());
        }
        out.println();
        out.println(report.image() + (report.platform() == null ? "" : " (" + report.platform() + ")") + ": " + (report.success() ? "PASSED"
                : "FAILED, " + report.errors().size() + (report.errors().size() == 1 ? " error" : " errors")));
        for (String error : report.errors()) out.println("  - " + error);
    }
}
