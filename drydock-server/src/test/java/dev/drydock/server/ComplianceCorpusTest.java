package dev.drydock.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.image.TestTar;
import dev.drydock.server.TestImages.Built;
import dev.drydock.testkit.Prerequisites;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.drydock.server.TestImages.GOOD_MANIFEST;
import static dev.drydock.server.TestImages.adapterLayer;
import static dev.drydock.server.TestImages.image;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The compliance checks end to end: images written byte by byte by test code (including what no build tool
 * writes) are pushed to a real Drydock, each to its own registered pull/batch adapter; the worker tests them,
 * and each build ends available or invalid with the verdicts, messages and a report matching the report
 * schema (BuildFixture.report checks it; TestDrydock checks every report written).
 */
class ComplianceCorpusTest {
    private static final AtomicInteger ADAPTERS = new AtomicInteger();
    static TestDrydock d;
    static BuildFixture f;
    static BuildFixture.Owner owner;

    @BeforeAll
    static void start() {
        d = BuildFixture.start(Map.of("storage.fsync", "false"));
        f = new BuildFixture(d);
        owner = f.orgWithRobot(3001);
    }

    @AfterAll
    static void stop() {
        if (d != null) d.close();
    }

    /** What testing one image produced: the build's final state and its report. */
    record Tested(String name, Built image, String state, JsonNode report) {
        Map<String, String> verdicts() {
            Map<String, String> v = new LinkedHashMap<>();
            report.get("checks").forEach(c -> v.put(c.get("id").asText(), c.get("verdict").asText()));
            return v;
        }

        JsonNode check(String id) {
            for (JsonNode c : report.get("checks")) if (c.get("id").asText().equals(id)) return c;
            throw new AssertionError("no check " + id + " in " + report);
        }

        List<String> errors() {
            return report.get("errors").valueStream().map(JsonNode::asText).toList();
        }
    }

    private static Tested test(Built image, String expectedState) {
        String name = "corpus-" + ADAPTERS.incrementAndGet();
        String engineId = f.registerAdapter(owner, name);
        String id = f.buildId(engineId, f.push(owner, name, image, "1.0"), owner.auth());
        f.awaitState(id, owner.auth(), expectedState);
        return new Tested(name, image, expectedState, f.report(id, owner.auth()));
    }

    private static Built adapter(String manifest) {
        return image().layer(adapterLayer(manifest, "#!/bin/sh\n"), "COPY . /").build();
    }

    @Test
    void adaptersBuiltWithBuildahFromScratchAndPushedWithBuildah(@TempDir Path tmp) throws IOException {
        Prerequisites.requireTools("buildah");
        Tools tools = ContainerStore.tools(tmp);
        ContainerStore store = new ContainerStore(tmp.resolve("s"));
        Path context = store.commitGoodAdapter(tools, tmp.resolve("context"), "localhost/corpus/good:1");
        // the same image with a later layer deleting the manifest: the whiteout entry RUN rm /var/manifest.json
        // would leave, added as a file (buildah run would need a container runtime and a shell in the image)
        tools.ok(store.buildah("from", "--name", "deleted", "localhost/corpus/good:1"));
        tools.ok(store.buildah("copy", "deleted", context.resolve("adapter").toString(), "/app/adapter2"));
        tools.ok(store.buildah("commit", "--rm", "deleted", "localhost/corpus/stage:1"));
        Path whiteout = Files.write(tmp.resolve("whiteout.tar"), new TestTar().dir("var").whiteout("var/manifest.json").tar());
        tools.ok(store.buildah("from", "--name", "deleted", "localhost/corpus/stage:1"));
        tools.ok(store.buildah("add", "deleted", whiteout.toString(), "/"));
        tools.ok(store.buildah("commit", "--rm", "deleted", "localhost/corpus/deleted:1"));

        for (String image : List.of("good", "deleted")) {
            String name = "buildah-" + image;
            String engineId = f.registerAdapter(owner, name);
            tools.ok(store.buildah("push", "--tls-verify=false", "--creds", owner.login() + ":" + owner.secret(),
                    "localhost/corpus/" + image + ":1", "docker://" + d.host() + "/" + owner.org() + "/" + name + ":1.0"));
            JsonNode build = d.api("GET", "/api/v1/adapters/" + engineId + "/builds", owner.auth(), null, 200).get(0);
            String state = image.equals("good") ? "available" : "invalid";
            f.awaitState(build.get("id").asText(), owner.auth(), state);
            JsonNode report = f.report(build.get("id").asText(), owner.auth());
            if (image.equals("good")) {
                assertThat(report.get("errors")).as(report.toString()).isEmpty();
                assertThat(report.at("/inspect/0/Config/Entrypoint/0").asText()).isEqualTo("/app/adapter");
            } else {
                assertThat(report.get("errors").get(0).asText()).as(report.toString())
                        .startsWith("Missing /var/manifest.json: an earlier layer added it, but layer 3");
            }
        }
    }

    @Test
    void goodAdapterIsAvailableWithEveryCheckPassedAndDockerInspect() {
        Tested t = test(adapter(GOOD_MANIFEST), "available");
        // no advisory data is imported on this server: the scan warns, which does not fail the build
        assertThat(t.verdicts()).containsExactly(Map.entry("image.platform", "passed"), Map.entry("image.filesystem", "passed"),
                // no advisory data imported in these tests (VulnerabilityScanE2ETest imports some): a warning
                Map.entry("vulnerabilities", "warning"),
                Map.entry("manifest.present", "passed"), Map.entry("manifest.valid", "passed"),
                Map.entry("manifest.matches", "passed"), Map.entry("image.entrypoint", "passed"),
                // these tests run with sandbox.engine=none (SandboxE2ETest runs adapters): not run, which is a warning
                Map.entry("run.exit", "warning"), Map.entry("run.task", "warning"), Map.entry("run.output", "warning"),
                Map.entry("run.network", "warning"));
        assertThat(t.report().get("checks").findValuesAsText("message")).contains(
                "not run: the sandbox is disabled (sandbox.engine=none), so the adapter was not run; set sandbox.engine"
                        + " (see ./drydock doctor) to test it");
        assertThat(t.report().get("testLog").isNull()).isTrue();
        assertThat(t.report().get("networkUsage").isNull()).isTrue();
        assertThat(t.report().get("vulnerabilities")).isEmpty();
        assertThat(t.report().get("vulnerabilityData").asText()).isEqualTo("no advisory data imported");
        assertThat(t.report().get("success").asBoolean()).isTrue();
        assertThat(t.errors()).isEmpty();
        assertThat(t.report().get("platform").asText()).isEqualTo("linux/amd64");
        JsonNode inspect = t.report().get("inspect").get(0);
        String repository = d.host() + "/" + owner.org() + "/" + t.name();
        assertThat(inspect.get("RepoTags").get(0).asText()).isEqualTo(repository + ":1.0");
        assertThat(inspect.get("RepoDigests").get(0).asText()).isEqualTo(repository + "@" + t.image().digest());
        assertThat(inspect.at("/Config/Entrypoint/0").asText()).isEqualTo("/app/adapter");
    }

    @Test
    void noManifestIsOneErrorAndItsDependentsAreSkipped() {
        Tested t = test(image().layer(new TestTar().dir("app").file("app/adapter", "x"), "COPY adapter /app/").build(), "invalid");
        assertThat(t.errors()).containsExactly("Missing /var/manifest.json: copy your manifest to /var/manifest.json in the "
                + "Dockerfile, e.g. COPY manifest.json /var/manifest.json");
        assertThat(t.verdicts()).containsEntry("manifest.present", "failed").containsEntry("manifest.valid", "skipped")
                .containsEntry("manifest.matches", "skipped").containsEntry("image.entrypoint", "passed");
    }

    @Test
    void manifestSymlinkedToEtcPasswdFails() {
        TestTar layer = new TestTar().dir("etc").file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n").dir("var")
                .symlink("var/manifest.json", "/etc/passwd");
        Tested t = test(image().layer(layer, "RUN ln -s /etc/passwd /var/manifest.json").build(), "invalid");
        assertThat(t.errors()).singleElement().asString()
                .startsWith("/var/manifest.json is a symlink to /etc/passwd (layer 1: RUN ln -s /etc/passwd /var/manifest.json)")
                .contains("copy the manifest file itself");
    }

    @Test
    void manifestDeletedByALaterLayerNamesThatStep() {
        Built image = image().layer(adapterLayer(GOOD_MANIFEST, "x"), "COPY . /")
                .layer(new TestTar().dir("var").whiteout("var/manifest.json"), "RUN rm /var/manifest.json").build();
        Tested t = test(image, "invalid");
        assertThat(t.errors()).singleElement().asString()
                .contains("an earlier layer added it, but layer 2 (RUN rm /var/manifest.json) deleted it");
        assertThat(t.check("manifest.present").at("/evidence/deletedInLayerIndex").asInt()).isEqualTo(1);
    }

    @Test
    void manifestDirectoryFails() {
        Tested t = test(image().layer(new TestTar().dir("var").dir("var/manifest.json"), "COPY manifest.json /var/manifest.json/").build(), "invalid");
        assertThat(t.errors()).singleElement().asString().startsWith("/var/manifest.json is a directory");
    }

    @Test
    void invalidJsonNamesWhereTheSyntaxBreaks() {
        Tested t = test(adapter("{\"category\": pull}"), "invalid");
        assertThat(t.errors()).singleElement().asString().startsWith("/var/manifest.json is not valid JSON at line 1, column 18: Unrecognized token 'pull'");
        assertThat(t.verdicts()).containsEntry("manifest.matches", "skipped");
    }

    @Test
    void schemaViolationsAreAllListedWithTheirJsonPaths() {
        Tested t = test(adapter("""
                {"category":"pull","engineMode":"chunk","preferredInputFormat":"mp4",
                 "supportedInputFormats":["video/mp4"],"clusterSize":"xl"}"""), "invalid");
        assertThat(t.errors()).singleElement().asString().contains("does not match the manifest schema (4 problems)",
                "$.engineMode", "$.preferredInputFormat: must be a MIME type like video/mp4", "$.clusterSize",
                "$: required property 'outputFormats' not found");
        assertThat(t.check("manifest.valid").at("/evidence/violations").valueStream().map(v -> v.get("path").asText()))
                .containsExactlyInAnyOrder("$", "$.engineMode", "$.preferredInputFormat", "$.clusterSize");
    }

    @Test
    void manifestOfAnotherCategoryDoesNotMatchTheAdapter() {
        Tested t = test(adapter(GOOD_MANIFEST.replace("\"pull\"", "\"push\"")), "invalid");
        assertThat(t.errors()).singleElement().asString().contains("its category is push but the adapter is registered as pull");
    }

    @Test
    void cmdOnlyImageFailsAndShellFormEntrypointOnlyWarns() {
        Tested cmdOnly = test(image().layer(adapterLayer(GOOD_MANIFEST, "x"), "COPY . /").entrypoint().cmd("/app/adapter").build(), "invalid");
        assertThat(cmdOnly.errors()).containsExactly("The image sets only CMD [/app/adapter], no ENTRYPOINT: use ENTRYPOINT in exec "
                + "form, e.g. ENTRYPOINT [\"/app/adapter\"]");
        Tested shell = test(image().layer(adapterLayer(GOOD_MANIFEST, "y"), "COPY . /").entrypoint("/bin/sh", "-c", "/app/adapter").build(),
                "available");
        assertThat(shell.check("image.entrypoint").get("verdict").asText()).isEqualTo("warning");
        assertThat(shell.errors()).isEmpty();
    }

    @Test
    void multiArchIndexIsTestedThroughItsLinuxAmd64Image() {
        Built arm = image().layer(adapterLayer("not even JSON", "arm"), "COPY . /").architecture("arm64").build();
        Built amd = adapter(GOOD_MANIFEST);
        Tested t = test(TestImages.index(arm, amd), "available");
        assertThat(t.report().get("platform").asText()).isEqualTo("linux/amd64");
        assertThat(t.check("image.platform").at("/evidence/manifestDigest").asText()).isEqualTo(amd.digest().toString());
        assertThat(t.report().at("/inspect/0/RepoDigests/0").asText()).endsWith("@" + t.image().digest());
    }

    @Test
    void zstdLayersAreRead() {
        Tested t = test(image().zstdLayer(adapterLayer(GOOD_MANIFEST, "z"), "COPY . /").build(), "available");
        assertThat(t.verdicts()).containsEntry("image.filesystem", "passed").containsEntry("manifest.valid", "passed");
    }

    @Test
    void aLayerEscapingTheImageRootFailsTheFilesystemCheckAlone() {
        TestTar hostile = new TestTar().file("../../etc/cron.d/evil", "* * * * * root sh\n");
        Tested t = test(image().layer(adapterLayer(GOOD_MANIFEST, "h"), "COPY . /").layer(hostile, "ADD evil.tar /").build(), "invalid");
        assertThat(t.verdicts()).containsEntry("image.filesystem", "failed").containsEntry("manifest.present", "skipped");
        assertThat(t.errors()).hasSize(1);
        assertThat(t.report().get("inspect").isNull()).isTrue();
    }
}
