package dev.drydock.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import dev.drydock.sandbox.NetworkFence;
import dev.drydock.sandbox.VeritoneSampleEngineRunTest;
import dev.drydock.testkit.Prerequisites;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sandbox run end to end, with real tools: Drydock starts its own Podman service ({@code sandbox.engine=podman},
 * what {@code auto} does on a machine without an engine), the sample adapters and engine, and the test engine making
 * the calls of Veritone's sample engine, are built with buildah (and Jib) and pushed with those clients, the engine
 * pulls them back from Drydock with a pull ticket, and the builds end {@code available} or {@code invalid} with a
 * schema-valid report. Without podman, buildah, runc, iptables, ip,
 * busybox-static or root, the tests skip locally and fail on CI.
 */
class SandboxE2ETest {
    private static final Path EXAMPLES = Path.of("..", "examples");
    static TestDrydock d;
    static BuildFixture fx;
    static BuildFixture.Owner owner;
    static Path tmp;
    static Tools tools;
    static SandboxAdapters adapters;

    static void require() {
        Prerequisites.requireTools("podman", "buildah", "runc", "iptables", "ip", "ldd", "curl");
        Prerequisites.require(Files.isExecutable(Path.of("/bin/busybox")), "/bin/busybox", "busybox-static");
        String fence = NetworkFence.unavailableReason();
        Prerequisites.require("no usable network fence", fence == null ? List.of() : List.of(fence));
    }

    @BeforeAll
    static void start() throws IOException {
        require();
        tmp = Files.createTempDirectory("drydock-sandbox-e2e");
        tools = new Tools(Map.of(), tmp.resolve("tool-output"));
        adapters = new SandboxAdapters(tools, tmp);
        d = BuildFixture.start(Map.of("sandbox.engine", "podman", "test.timeout", "90s", "worker.concurrency", "2"));
        fx = new BuildFixture(d);
        owner = fx.orgWithRobot(17532);
    }

    @AfterAll
    static void stop() throws IOException {
        if (d != null) d.close();
        if (tmp != null) {
            try (Stream<Path> walk = Files.walk(tmp)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Builds the context with {@code buildah bud} and pushes it to Drydock with buildah as the org's robot; returns the digest. */
    static String buildAndPush(String name, Path ctx) throws IOException {
        adapters.build(name, ctx);
        return adapters.push(name, d.host(), name, owner.login(), owner.secret());
    }

    private static Path context(String name, String engineId, String script) throws IOException {
        return adapters.context(name, engineId, script);
    }

    private static String awaitTested(String engineId, String digest, Duration within) {
        String id = fx.buildId(engineId, digest, owner.auth());
        await().atMost(within).pollInterval(Duration.ofMillis(250)).until(() -> {
            String state = d.api("GET", "/api/v1/builds/" + id, owner.auth(), null, 200).get("state").asText();
            return state.equals("available") || state.equals("invalid");
        });
        return id;
    }

    private static String state(String buildId) {
        return d.api("GET", "/api/v1/builds/" + buildId, owner.auth(), null, 200).get("state").asText();
    }

    private static String verdict(JsonNode report, String id) {
        return check(report, id).get("verdict").asText();
    }

    private static JsonNode check(JsonNode report, String id) {
        for (JsonNode c : report.get("checks")) if (c.get("id").asText().equals(id)) return c;
        throw new AssertionError("no check " + id + " in " + report.toPrettyString());
    }

    /** The operations of the API calls the run made, in order (run.task's evidence). */
    private static List<String> operations(JsonNode report) {
        List<String> operations = new ArrayList<>();
        check(report, "run.task").get("evidence").get("apiCalls").forEach(c -> operations.add(c.get("operation").asText()));
        return operations;
    }

    /** The run's API token: 48 hex digits (SHA-256 digests in the report have 64). */
    private static final Pattern RUN_TOKEN = Pattern.compile("(?<![0-9a-f])[0-9a-f]{48}(?![0-9a-f])");

    /** No credential of the run in the report: no run token, no JWT (pull ticket), no Authorization header. */
    private static void assertNoToken(JsonNode report) {
        String text = report.toString();
        assertThat(RUN_TOKEN.matcher(text).find()).as("a run token in " + text).isFalse();
        assertThat(text).doesNotContain("eyJ").doesNotContainIgnoringCase("bearer");
        assertThat(report.findValuesAsText("token")).allMatch("***"::equals);
    }

    @Test
    void busyboxExampleEndsAvailable() throws IOException {
        String engineId = fx.registerAdapter(owner, "busybox-pull-adapter");
        String digest = buildAndPush("busybox-pull-adapter", context("busybox-pull-adapter", engineId, null));
        String id = awaitTested(engineId, digest, Duration.ofSeconds(120));
        JsonNode report = fx.report(id, owner.auth());
        assertThat(state(id)).as(report.toPrettyString()).isEqualTo("available");
        assertThat(report.get("success").asBoolean()).isTrue();
        for (String check : List.of("run.exit", "run.task", "run.output", "run.network")) {
            assertThat(verdict(report, check)).as(check + " in " + report.toPrettyString()).isEqualTo("passed");
        }
        assertThat(report.get("testLog").get(0).asText()).startsWith("Starting ingest of http://");
        assertThat(report.get("testLog").get(report.get("testLog").size() - 1).asText()).isEqualTo("Processing complete");
        JsonNode usage = report.get("networkUsage");
        assertThat(usage.get("deploymentModel").asText()).isEqualTo("FullyNetworkIsolated");
        assertThat(usage.get("destinations").findValuesAsText("via")).contains("sandbox-api");
        // the engine pulled by digest from Drydock with a pull ticket, which appears nowhere in the report
        String text = report.toString();
        assertThat(text).contains(d.host() + "/17532/busybox-pull-adapter@" + digest);
        assertThat(text).doesNotContain("eyJ"); // no JWT (pull ticket or token) anywhere
        assertThat(report.get("durations").has("run")).isTrue();
    }

    @Test
    void anAdapterThatExits1EndsInvalid() throws IOException {
        String engineId = fx.registerAdapter(owner, "exits-one");
        String digest = buildAndPush("exits-one", context("exits-one", engineId, "#!/bin/busybox sh\necho about to fail\necho oops >&2\nexit 1\n"));
        String id = awaitTested(engineId, digest, Duration.ofSeconds(120));
        JsonNode report = fx.report(id, owner.auth());
        assertThat(state(id)).isEqualTo("invalid");
        List<String> errors = new ArrayList<>();
        report.get("errors").forEach(e -> errors.add(e.asText()));
        assertThat(errors).first().isEqualTo("Error running container: exit code 1");
        assertThat(report.get("testLog").get(0).asText()).isEqualTo("about to fail");
        JsonNode exit = report.get("checks").findParents("id").stream().filter(c -> c.get("id").asText().equals("run.exit")).findFirst().orElseThrow();
        assertThat(exit.get("evidence").get("stderr").get("lines").get(0).asText()).isEqualTo("oops");
    }

    /**
     * The Java example: its class compiled here and put on a base image made with jlink from this JDK (the test machines
     * cannot pull eclipse-temurin, which its pom.xml uses), assembled and pushed to Drydock with Jib.
     */
    @Test
    void javaExampleBuiltWithJibEndsAvailable() throws Exception {
        Path example = EXAMPLES.resolve("java-pull-adapter");
        String engineId = fx.registerAdapter(owner, "java-pull-adapter");
        Path base = Files.createTempDirectory(tmp, "jre-rootfs");
        dev.drydock.sandbox.JlinkRuntime.create(base);
        Files.createDirectories(base.resolve("tmp"));
        String container = tools.ok(adapters.buildah("from", "scratch")).stdout().strip();
        tools.ok(adapters.buildah("copy", container, base + "/", "/"));
        tools.ok(adapters.buildah("commit", "-q", "--rm", container, "localhost/jre-base:1"));
        Path baseTar = tmp.resolve("jre-base.tar");
        tools.ok(adapters.buildah("push", "localhost/jre-base:1", "docker-archive:" + baseTar + ":jre-base:1"));

        Path classes = Files.createTempDirectory(tmp, "classes");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertThat(javac.run(null, null, null, "--release", "21", "-d", classes.toString(),
                example.resolve("src/main/java/example/PullAdapter.java").toString())).isZero();
        Path manifest = tmp.resolve("java-manifest.json");
        Files.writeString(manifest, Files.readString(example.resolve("src/main/jib/var/manifest.json"))
                .replace("00000000-0000-0000-0000-000000000000", engineId));
        FileEntriesLayer.Builder app = FileEntriesLayer.builder().setName("classes");
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                app.addEntry(f, AbsoluteUnixPath.get("/app").resolve(classes.relativize(f).toString()));
            }
        }
        String previous = System.getProperty("sendCredentialsOverHttp");
        System.setProperty("sendCredentialsOverHttp", "true");
        JibContainer pushed;
        try {
            pushed = Jib.from(TarImage.at(baseTar))
                    .addFileEntriesLayer(app.build())
                    .addFileEntriesLayer(FileEntriesLayer.builder().addEntry(manifest, AbsoluteUnixPath.get("/var/manifest.json")).build())
                    .setEntrypoint("/opt/jre/bin/java", "-XX:MaxRAMPercentage=75", "-cp", "/app", "example.PullAdapter")
                    .containerize(Containerizer.to(RegistryImage.named(d.host() + "/17532/java-pull-adapter:1")
                                    .addCredential(owner.login(), owner.secret()))
                            .setAllowInsecureRegistries(true)
                            .setBaseImageLayersCache(tmp.resolve("jib-cache/base"))
                            .setApplicationLayersCache(tmp.resolve("jib-cache/app")));
        } finally {
            if (previous == null) System.clearProperty("sendCredentialsOverHttp");
            else System.setProperty("sendCredentialsOverHttp", previous);
        }
        String id = awaitTested(engineId, pushed.getDigest().toString(), Duration.ofSeconds(180));
        JsonNode report = fx.report(id, owner.auth());
        assertThat(state(id)).as(report.toPrettyString()).isEqualTo("available");
        assertThat(report.get("testLog").get(report.get("testLog").size() - 1).asText()).isEqualTo("Processing complete");
    }

    /**
     * The example engine ({@code examples/text-keyword-engine}) as its README has it: registered as keyword-extraction,
     * built from its Dockerfile with {@code buildah bud}, pushed with buildah; every check passes and run.output says
     * its vtn-standard keyword result meets the contract it declares.
     */
    @Test
    void keywordEngineExampleEndsAvailable() throws IOException {
        String engineId = fx.registerAdapter(owner, "text-keyword-engine", "keyword-extraction");
        String digest = buildAndPush("text-keyword-engine", adapters.exampleContext("text-keyword-engine", engineId));
        String id = awaitTested(engineId, digest, Duration.ofSeconds(120));
        JsonNode report = fx.report(id, owner.auth());
        assertThat(state(id)).as(report.toPrettyString()).isEqualTo("available");
        assertThat(report.get("success").asBoolean()).isTrue();
        assertThat(report.get("errors")).isEmpty();
        for (JsonNode c : report.get("checks")) {
            // the vulnerability scan warns while no advisory data is imported, as for every image here
            if (!c.get("id").asText().equals("vulnerabilities")) {
                assertThat(c.get("verdict").asText()).as(c.toPrettyString()).isEqualTo("passed");
            }
        }
        assertThat(check(report, "manifest.matches").get("message").asText())
                .isEqualTo("the manifest agrees with the registered adapter (engineId, category, engineMode)");

        JsonNode output = check(report, "run.output");
        assertThat(output.get("message").asText())
                .isEqualTo("output application/json via createAsset; vtn-standard: meets \"keyword\" (createAsset)");
        JsonNode vtn = output.get("evidence").get("vtnStandard");
        assertThat(vtn.get("category").asText()).isEqualTo("keyword-extraction");
        assertThat(vtn.get("categoryContracts").toString()).isEqualTo("[\"keyword\"]");
        assertThat(vtn.get("outputs")).hasSize(1);
        JsonNode result = vtn.get("outputs").get(0);
        assertThat(result.get("via").asText()).isEqualTo("createAsset");
        assertThat(result.get("declared").toString()).isEqualTo("[\"keyword\"]");
        assertThat(result.get("checked")).hasSize(1);
        assertThat(result.get("checked").get(0).get("contract").asText()).isEqualTo("keyword");
        assertThat(result.get("checked").get(0).get("violations")).isEmpty();
        assertThat(output.get("evidence").get("created").findValuesAsText("assetType")).contains("vtn-standard");

        // the engine's calls, in order, and no introspection: running, the text asset, its download, the result, complete
        assertThat(operations(report)).containsExactly("updateTask", "temporalDataObject", "GET /media", "createAsset", "updateTask");
        JsonNode task = check(report, "run.task");
        assertThat(task.get("message").asText()).isEqualTo("task complete (running → complete)");
        JsonNode calls = task.get("evidence").get("apiCalls");
        JsonNode running = calls.get(0).get("variables").get("updateTask").get("input");
        JsonNode complete = calls.get(calls.size() - 1).get("variables").get("updateTask").get("input");
        assertThat(running.get("status").asText()).isEqualTo("running");
        assertThat(complete.get("status").asText()).isEqualTo("complete");
        assertThat(running.get("jobId").asText()).isNotBlank().isEqualTo(complete.get("jobId").asText());
        assertThat(running.get("id").asText()).isNotBlank().isEqualTo(complete.get("id").asText());
        assertThat(calls.get(3).get("variables").get("uploadedFileBytes").asInt()).isPositive();
        List<String> log = new ArrayList<>();
        report.get("testLog").forEach(l -> log.add(l.asText()));
        assertThat(log).first().asString().startsWith("Extracting keywords from the text asset of recording ");
        String recording = log.getFirst().substring(log.getFirst().lastIndexOf(' ') + 1);
        assertThat(calls.get(1).get("variables").get("temporalDataObject").get("id").asText()).isEqualTo(recording);
        assertThat(log).contains("Keywords: brown dog drydock fox jumps lazy quick sample sandbox");
        assertThat(log).last().isEqualTo("Task complete");
        assertThat(report.toString()).contains(d.host() + "/17532/text-keyword-engine@" + digest);
        assertNoToken(report);
    }

    /**
     * The webhook example ({@code examples/webhook-keyword-engine}, the aiWARE Engine Toolkit model) as its README has
     * it: registered as a keyword-extraction chunk engine, built with {@code buildah bud}, pushed with buildah; Drydock
     * plays the toolkit, and the report shows run.ready and run.process in place of run.task, every check passed.
     */
    @Test
    void webhookEngineExampleEndsAvailable() throws IOException {
        String engineId = fx.registerEngine(owner, "webhook-keyword-engine", "keyword-extraction", "chunk");
        String digest = buildAndPush("webhook-keyword-engine", adapters.exampleContext("webhook-keyword-engine", engineId));
        String id = awaitTested(engineId, digest, Duration.ofSeconds(120));
        JsonNode report = fx.report(id, owner.auth());
        assertThat(state(id)).as(report.toPrettyString()).isEqualTo("available");
        assertThat(report.get("errors")).isEmpty();
        List<String> runChecks = new ArrayList<>();
        for (JsonNode c : report.get("checks")) {
            if (c.get("id").asText().startsWith("run.")) runChecks.add(c.get("id").asText());
            if (!c.get("id").asText().equals("vulnerabilities")) {
                assertThat(c.get("verdict").asText()).as(c.toPrettyString()).isEqualTo("passed");
            }
        }
        assertThat(runChecks).containsExactly("run.exit", "run.ready", "run.process", "run.output", "run.network");
        assertThat(check(report, "run.ready").get("message").asText())
                .startsWith("GET http://0.0.0.0:8080/cgi-bin/ready answered 200 after ");
        assertThat(check(report, "run.process").get("message").asText()).startsWith("answered 200: chunk 1 (text/plain) in ");
        JsonNode chunk = check(report, "run.process").get("evidence").get("chunks").get(0);
        assertThat(chunk.get("fields").get("chunkMimeType").asText()).isEqualTo("text/plain");
        assertThat(check(report, "run.output").get("message").asText())
                .isEqualTo("output application/json via process; vtn-standard: meets \"keyword\" (process)");
        List<String> log = new ArrayList<>();
        report.get("testLog").forEach(l -> log.add(l.asText()));
        assertThat(log).first().isEqualTo("Keyword engine listening on port 8080");
        assertThat(log).contains("Keywords: brown dog drydock fox jumps lazy quick sample sandbox");
        assertNoToken(report);
    }

    /**
     * The example engine changed to write {@code "name"} where the keyword contract requires {@code "label"}, still
     * declaring {@code validationContracts: ["keyword"]}: the run itself goes well, but run.output fails naming the JSON
     * path of each keyword object, and the build ends invalid.
     */
    @Test
    void keywordEngineWritingAnInvalidKeywordObjectEndsInvalid() throws IOException {
        String engineId = fx.registerAdapter(owner, "invalid-keyword-engine", "keyword-extraction");
        Path ctx = adapters.exampleContext("text-keyword-engine", engineId);
        String script = Files.readString(ctx.resolve("engine.sh"));
        String broken = script.replace("\\\"label\\\":", "\\\"name\\\":");
        assertThat(broken).as("the engine writes each keyword's label").isNotEqualTo(script);
        Files.writeString(ctx.resolve("engine.sh"), broken);
        String digest = buildAndPush("invalid-keyword-engine", ctx);
        String id = awaitTested(engineId, digest, Duration.ofSeconds(120));
        JsonNode report = fx.report(id, owner.auth());
        assertThat(state(id)).as(report.toPrettyString()).isEqualTo("invalid");
        assertThat(report.get("success").asBoolean()).isFalse();
        for (String passed : List.of("run.exit", "run.task", "run.network")) {
            assertThat(verdict(report, passed)).as(passed + " in " + report.toPrettyString()).isEqualTo("passed");
        }
        JsonNode output = check(report, "run.output");
        assertThat(output.get("verdict").asText()).isEqualTo("failed");
        assertThat(output.get("message").asText())
                .startsWith("the engine output (createAsset) declares the vtn-standard validation contract \"keyword\" but does not meet it (")
                .contains("$.object[0]: required property 'label' not found");
        // every violation, for each of the nine keywords, is in the evidence (the message lists the first ten)
        JsonNode violations = output.get("evidence").get("vtnStandard").get("outputs").get(0).get("checked").get(0).get("violations");
        assertThat(violations.findValuesAsText("path")).contains("$.object[0]", "$.object[8]");
        assertThat(violations.findValuesAsText("message")).contains("required property 'label' not found");
        List<String> errors = new ArrayList<>();
        report.get("errors").forEach(e -> errors.add(e.asText()));
        assertThat(errors).contains(output.get("message").asText());
        assertNoToken(report);
    }

    /**
     * The test engine making exactly the calls of Veritone's sample engine (drydock-sandbox's
     * {@code sample-translation-engine.sh} with the sample's manifest, its engineId replaced by the registered one),
     * registered as translation, committed with buildah and pushed: it ends available.
     */
    @Test
    void veritoneSampleEngineCallsEndAvailable() throws IOException {
        String engineId = fx.registerAdapter(owner, "sample-translation-engine", "translation");
        String manifest = VeritoneSampleEngineRunTest.MANIFEST.replace("3861d2c3-0467-4e95-9407-c6b5259d275f", engineId);
        assertThat(manifest).contains(engineId);
        adapters.buildScript("sample-translation-engine", manifest, VeritoneSampleEngineRunTest.script("sample-translation-engine.sh"));
        String digest = adapters.push("sample-translation-engine", d.host(), "sample-translation-engine", owner.login(), owner.secret());
        String id = awaitTested(engineId, digest, Duration.ofSeconds(120));
        JsonNode report = fx.report(id, owner.auth());
        assertThat(state(id)).as(report.toPrettyString()).isEqualTo("available");
        assertThat(report.get("errors")).isEmpty();
        for (String check : List.of("manifest.valid", "manifest.matches", "run.exit", "run.task", "run.output", "run.network")) {
            assertThat(verdict(report, check)).as(check + " in " + report.toPrettyString()).isEqualTo("passed");
        }
        assertThat(check(report, "run.output").get("message").asText()).startsWith("output text/plain via createAsset");
        assertThat(operations(report)).containsExactly("__schema", "updateTask", "temporalDataObject", "GET /media", "createAsset", "updateTask");
        assertThat(report.get("testLog").get(report.get("testLog").size() - 1).asText()).isEqualTo("Successfully ran engine!");
        assertNoToken(report);
    }
}
