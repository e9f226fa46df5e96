package dev.drydock.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drydock.compliance.CheckResult;
import dev.drydock.compliance.RunVerdicts;
import dev.drydock.compliance.Verdict;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.drydock.compliance.JudgedRun.checks;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Webhook engines (Veritone's aiWARE Engine Toolkit model) in real containers: busybox httpd serving the ready and
 * process webhooks as CGI scripts, built with buildah and pulled from the fixture's registry. The sandbox plays the
 * toolkit; each misbehaviour fails the check that names its fix.
 */
@Tag("engine")
class WebhookEngineRunTest {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(6);
    private static EngineFixture engine;
    private static Sandbox sandbox;

    /** CGI prelude: busybox applets on PATH, the request body in /tmp/req.$$ (no CRs), {@code field NAME}, {@code reply}. */
    private static final String CGI = """
            #!/bin/busybox sh
            export PATH=/tmp/bin
            [ -x /tmp/bin/awk ] || { /bin/busybox mkdir -p /tmp/bin && /bin/busybox --install -s /tmp/bin; }
            REQ=/tmp/req.$$
            head -c "${CONTENT_LENGTH:-0}" | tr -d '\\r' > $REQ
            field() { awk -v part="name=\\"$1\\"" 'found == 2 { print; exit } found == 1 && $0 == "" { found = 2 } /^Content-Disposition:/ && index($0, part) { found = 1 }' $REQ; }
            reply() { printf 'Status: %s\\r\\nContent-Type: %s\\r\\n\\r\\n%s' "$1" "$2" "$3"; }
            """;
    private static final String READY = CGI + "reply '200 OK' text/plain OK\n";
    private static final String KEYWORDS = "{\"validationContracts\":[\"keyword\"],\"object\":[{\"type\":\"keyword\",\"label\":\"fox\"}]}";

    @BeforeAll
    static void start() throws IOException {
        EngineFixture.require();
        engine = new EngineFixture();
        sandbox = Sandbox.open(SandboxConfig.defaults(engine.endpoint()).withTimeout(Duration.ofSeconds(60))
                .withReadyTimeout(READY_TIMEOUT));
    }

    @AfterAll
    static void stop() {
        if (sandbox != null) sandbox.close();
        if (engine != null) engine.close();
    }

    /** A stand-in for the toolkit: prints a version when asked, and fails when run (the sandbox runs what follows it). */
    private static final String TOOLKIT = """
            #!/bin/busybox sh
            [ "$1" = --version ] && { echo 'engine-toolkit stand-in 9.9.9'; exit 0; }
            echo 'the toolkit cannot reach aiWARE from here' >&2
            exit 3
            """;

    /**
     * Builds a webhook engine: busybox httpd on {@code listenPort} serving {@code /www/cgi-bin/ready} and
     * {@code /process}, its webhooks declared on {@code declaredPort}; with {@code toolkit}, the stand-in
     * {@link #TOOLKIT} in front of the command.
     */
    private static String build(String name, boolean toolkit, int declaredPort, int listenPort, String ready, String process)
            throws IOException {
        return build(name, toolkit ? TOOLKIT : null, "http://0.0.0.0:" + declaredPort + "/cgi-bin/", Integer.toString(listenPort), ready, process);
    }

    /**
     * Builds a webhook engine: busybox httpd listening on {@code listen} ({@code [address:]port}), its webhooks declared
     * under {@code url}; {@code toolkit}: null for none in the ENTRYPOINT, "" for an ENTRYPOINT naming a toolkit the
     * image lacks, else the script installed as {@code /opt/aiware/engine}.
     */
    private static String build(String name, String toolkit, String url, String listen, String ready, String process)
            throws IOException {
        Path root = Files.createTempDirectory(engine.dir, "rootfs-" + name);
        Files.createDirectories(root.resolve("bin"));
        Files.createDirectories(root.resolve("var"));
        Files.createDirectories(root.resolve("tmp"));
        Files.createDirectories(root.resolve("www/cgi-bin"));
        Files.copy(Path.of("/bin/busybox"), root.resolve("bin/busybox"));
        Files.createSymbolicLink(root.resolve("bin/sh"), Path.of("busybox"));
        Files.writeString(root.resolve("var/manifest.json"), Adapters.manifest("keyword", null).replace("\"batch\"", "\"chunk\""));
        executable(root.resolve("www/cgi-bin/ready"), ready);
        executable(root.resolve("www/cgi-bin/process"), process);
        executable(root.resolve("engine.sh"), """
                #!/bin/busybox sh
                echo "engine for $VERITONE_WEBHOOK_PROCESS"
                exec /bin/busybox httpd -f -v -p %s -h /www 2>&1
                """.formatted(listen));
        String command = "\"/bin/busybox\",\"sh\",\"/engine.sh\"";
        if (toolkit != null && !toolkit.isEmpty()) {
            Files.createDirectories(root.resolve("opt/aiware"));
            executable(root.resolve("opt/aiware/engine"), toolkit);
        }
        return engine.buildRootfs(name, root, "[" + (toolkit != null ? "\"/opt/aiware/engine\"," : "") + command + "]",
                List.of("VERITONE_WEBHOOK_READY=" + url + "ready", "VERITONE_WEBHOOK_PROCESS=" + url + "process"));
    }

    private static void executable(Path file, String content) throws IOException {
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static SandboxResult run(String ref, DeploymentModel model) throws IOException {
        return run(ref, model, "chunk");
    }

    private static SandboxResult run(String ref, DeploymentModel model, String engineMode) throws IOException {
        return run(ref, model, "keyword", engineMode);
    }

    private static SandboxResult run(String ref, DeploymentModel model, String category, String engineMode) throws IOException {
        String manifest = Adapters.manifest(category, null).replace("\"batch\"", "\"" + engineMode + "\"");
        return sandbox.run(SandboxRequest.of(ref, new ObjectMapper().readTree(manifest), model).withAuth(engine.auth()));
    }

    /**
     * The toolkit in front of the engine command, as in Veritone's images: the sandbox runs the command after it with
     * the image's environment, waits for ready, posts the chunk with every toolkit field, and takes the answer.
     */
    @Test
    @Tag("engine-matrix")
    @Tag("engine-network")
    void toolkitEnginePassesWithEveryFieldSent() throws Exception {
        String process = CGI + """
                for f in chunkMimeType startOffsetMS endOffsetMS width height libraryId libraryEngineModelId cacheURI \\
                         veritoneApiBaseUrl token payload chunkContext heartbeatWebhook resultWebhook; do
                  grep -q "name=\\"$f\\"" $REQ || { reply '400 Bad Request' text/plain "missing $f"; exit 0; }
                done
                grep -q 'name="chunk"; filename=' $REQ || { reply '400 Bad Request' text/plain "no chunk file"; exit 0; }
                wget -Y off -q -O /tmp/chunk "$(field cacheURI)" || { reply '500 Internal Server Error' text/plain 'no cacheURI'; exit 0; }
                echo "chunk of $(wc -c < /tmp/chunk) bytes" >&2
                reply '200 OK' application/json '%s'
                """.formatted(KEYWORDS);
        SandboxResult r = run(build("webhook-toolkit", true, 8080, 8080, READY, process), DeploymentModel.FullyNetworkIsolated);
        Map<String, CheckResult> checks = checks(r);
        assertThat(checks.values()).as(r.toString()).allMatch(c -> c.verdict() == Verdict.passed);
        assertThat(r.webhook().toolkit()).isEqualTo("/opt/aiware/engine");
        assertThat(r.webhook().toolkitFile().usable()).isTrue();
        assertThat(r.webhook().toolkitFile().found()).startsWith("a regular executable file of " + TOOLKIT.length() + " bytes (mode 0755)");
        assertThat(r.webhook().toolkitFile().version()).isEqualTo("engine-toolkit stand-in 9.9.9");
        assertThat(r.webhook().loopback()).isNull();
        assertThat(r.webhook().command()).containsExactly("/bin/busybox", "sh", "/engine.sh");
        WebhookRun.Chunk chunk = r.webhook().chunks().getFirst();
        assertThat(chunk.fields().keySet()).containsExactly("chunkMimeType", "startOffsetMS", "endOffsetMS", "width", "height",
                "libraryId", "libraryEngineModelId", "cacheURI", "veritoneApiBaseUrl", "token", "payload", "chunkContext",
                "heartbeatWebhook", "resultWebhook");
        assertThat(chunk.fields().get("token")).isEqualTo("***");
        assertThat(chunk.fields().get("chunkMimeType")).isEqualTo("text/plain");
        assertThat(r.engineOutputs()).singleElement().satisfies(o -> {
            assertThat(o.via()).isEqualTo(EngineOutput.PROCESS);
            assertThat(o.json().path("object").get(0).path("label").asText()).isEqualTo("fox");
        });
        assertThat(r.apiCalls()).extracting(ApiCall::operation).containsExactly("GET /media");
        // the image's environment reached the engine; the stand-in toolkit never ran
        assertThat(r.testLog()).first().isEqualTo("engine for http://0.0.0.0:8080/cgi-bin/process");
        assertThat(r.testLog()).contains("chunk of " + SampleMedia.text().bytes().length + " bytes");
    }

    /**
     * A batch engine accepts the chunk at once, then posts its result to resultWebhook and its completion to
     * heartbeatWebhook; the sandbox waits for the heartbeat before stopping it.
     */
    @Test
    void batchEngineDeliversThroughResultAndHeartbeatWebhooks() throws Exception {
        String process = CGI + """
                hb=$(field heartbeatWebhook); rs=$(field resultWebhook)
                ( sleep 1
                  wget -Y off -q -O /dev/null --header 'Content-Type: application/json' --post-data '{"status":"running"}' "$hb"
                  wget -Y off -q -O /dev/null --header 'Content-Type: application/json' --post-data '%s' "$rs"
                  wget -Y off -q -O /dev/null --header 'Content-Type: application/json' --post-data '{"status":"complete","infoMsg":{"keywords":"1"}}' "$hb"
                ) </dev/null >/dev/null 2>&1 &
                reply '200 OK' text/plain ''
                """.formatted(KEYWORDS);
        SandboxResult r = run(build("webhook-batch", false, 8080, 8080, READY, process), DeploymentModel.FullyNetworkIsolated, "batch");
        Map<String, CheckResult> checks = checks(r);
        assertThat(checks.values()).as(r.toString()).allMatch(c -> c.verdict() == Verdict.passed);
        assertThat(r.webhook().chunks().getFirst().heartbeat()).isEqualTo("complete");
        assertThat(r.webhook().chunks().getFirst().results()).isEqualTo(1);
        assertThat(r.apiCalls()).extracting(ApiCall::operation).containsExactly("heartbeatWebhook", "resultWebhook", "heartbeatWebhook");
        assertThat(r.engineOutputs()).singleElement().satisfies(o -> assertThat(o.via()).isEqualTo(EngineOutput.RESULT_WEBHOOK));
        assertThat(checks.get("run.output").message()).isEqualTo("output application/json via resultWebhook");
    }

    /** A stream engine that accepts the chunk but never reports it complete fails run.process. */
    @Test
    void streamEngineWithoutCompletionHeartbeatFailsRunProcess() throws Exception {
        SandboxResult r = sandbox.run(SandboxRequest.of(build("webhook-stream-silent", false, 8080, 8080, READY,
                        CGI + "reply '200 OK' text/plain ''\n"), new ObjectMapper().readTree(Adapters.manifest("keyword", null)
                                .replace("\"batch\"", "\"stream\"")),
                DeploymentModel.FullyNetworkIsolated).withAuth(engine.auth()).withTimeout(Duration.ofSeconds(20)));
        assertThat(r.outcome()).as(r.toString()).isEqualTo(SandboxResult.Outcome.TIMED_OUT);
        assertThat(checks(r).get("run.exit").message()).isEqualTo("Timed out after 20s: the engine was still working on its chunk"
                + " (no heartbeat with status complete) and was killed; each chunk must be answered within 20s");
        assertThat(checks(r).get("run.process").message()).isEqualTo("chunk 1 (text/plain) was accepted but the engine never reported"
                + " it complete: a stream engine posts {\"status\": \"complete\"} to the chunk's heartbeatWebhook when done (its results to"
                + " resultWebhook, or in the answer)");
    }

    /**
     * A stream engine bound to 127.0.0.1 only and declaring localhost, as it may on the platform (the toolkit runs inside
     * its container): the sandbox's requests arrive on the container's loopback interface. It gets no chunk file, reads
     * the stream from cacheURI, and reports through heartbeatWebhook and resultWebhook.
     */
    @Test
    void streamEngineOnLoopbackReadsCacheUriAndDeliversThroughWebhooks() throws Exception {
        String process = CGI + """
                grep -q 'name="chunk"; filename=' $REQ && { reply '400 Bad Request' text/plain 'a stream engine gets no chunk file'; exit 0; }
                wget -Y off -q -O /tmp/stream "$(field cacheURI)" || { reply '500 Internal Server Error' text/plain 'no cacheURI'; exit 0; }
                echo "stream of $(wc -c < /tmp/stream) bytes" >&2
                hb=$(field heartbeatWebhook); rs=$(field resultWebhook)
                ( wget -Y off -q -O /dev/null --header 'Content-Type: application/json' --post-data '{"status":"running"}' "$hb"
                  wget -Y off -q -O /dev/null --header 'Content-Type: application/json' --post-data '%s' "$rs"
                  wget -Y off -q -O /dev/null --header 'Content-Type: application/json' --post-data '{"status":"complete"}' "$hb"
                ) </dev/null >/dev/null 2>&1 &
                reply '200 OK' text/plain ''
                """.formatted(KEYWORDS);
        SandboxResult r = run(build("webhook-stream-loopback", null, "http://localhost:8080/cgi-bin/", "127.0.0.1:8080", READY, process),
                DeploymentModel.FullyNetworkIsolated, "stream");
        Map<String, CheckResult> checks = checks(r);
        assertThat(checks.values()).as(r.toString()).allMatch(c -> c.verdict() == Verdict.passed);
        assertThat(r.webhook().loopback()).isNull();
        assertThat(r.webhook().chunks()).singleElement().satisfies(c -> {
            assertThat(c.heartbeat()).isEqualTo("complete");
            assertThat(c.results()).isEqualTo(1);
        });
        assertThat(r.apiCalls()).extracting(ApiCall::operation).containsExactly("GET /media", "heartbeatWebhook", "resultWebhook",
                "heartbeatWebhook");
        assertThat(r.testLog()).contains("stream of " + SampleMedia.text().bytes().length + " bytes");
    }

    /**
     * An audio chunk engine gets the sample as consecutive segments, each a WAV of its own with its offsets, the same
     * bytes in chunk and cacheURI; every answer is an output.
     */
    @Test
    void audioChunkEngineGetsConsecutiveSegments() throws Exception {
        String process = CGI + """
                wget -Y off -q -O /tmp/cache "$(field cacheURI)" || { reply '500 Internal Server Error' text/plain 'no cacheURI'; exit 0; }
                s=$(field startOffsetMS); e=$(field endOffsetMS)
                echo "segment $(field chunkMimeType) $s-$e cache $(wc -c < /tmp/cache) $(head -c 4 /tmp/cache)" >&2
                reply '200 OK' application/json "{\\"validationContracts\\":[\\"transcript\\"],\\"series\\":[{\\"startTimeMs\\":$s,\\"stopTimeMs\\":$e,\\"words\\":[{\\"word\\":\\"tone\\"}]}]}"
                """;
        SandboxResult r = run(build("webhook-audio", false, 8080, 8080, READY, process), DeploymentModel.FullyNetworkIsolated,
                "transcription", "chunk");
        Map<String, CheckResult> checks = checks(r);
        assertThat(checks.values()).as(r.toString()).allMatch(c -> c.verdict() == Verdict.passed);
        assertThat(r.webhook().chunks()).hasSize(WebhookEngine.SEGMENTS);
        assertThat(r.webhook().chunks()).extracting(c -> c.fields().get("startOffsetMS") + "-" + c.fields().get("endOffsetMS"))
                .containsExactly("0-500", "500-1000");
        assertThat(r.engineOutputs()).hasSize(2).allSatisfy(o -> assertThat(o.via()).isEqualTo(EngineOutput.PROCESS));
        assertThat(r.engineOutputs().get(1).json().path("series").get(0).path("startTimeMs").asInt()).isEqualTo(500);
        // each segment: 44 header bytes + 0.5 s of 8 kHz 16-bit mono
        assertThat(r.testLog()).contains("segment audio/wav 0-500 cache 8044 RIFF", "segment audio/wav 500-1000 cache 8044 RIFF");
        assertThat(checks.get("run.process").message()).startsWith("answered 200: chunk 1 (audio/wav) in ").contains(", chunk 2 (audio/wav) in ");
    }

    @Test
    void engineThatNeverGetsReadyFailsRunReady() throws Exception {
        String ready = CGI + "reply '503 Service Unavailable' text/plain 'still loading'\n";
        SandboxResult r = run(build("webhook-never-ready", false, 8080, 8080, ready, READY), DeploymentModel.FullyNetworkIsolated);
        Map<String, CheckResult> checks = checks(r);
        assertThat(checks.get("run.ready").verdict()).as(r.toString()).isEqualTo(Verdict.failed);
        assertThat(checks.get("run.ready").message()).startsWith("GET http://0.0.0.0:8080/cgi-bin/ready never answered 200 within 6s"
                + " (last: HTTP 503").endsWith("answer 200 as soon as the engine can process chunks");
        assertThat(checks.get("run.process").verdict()).isEqualTo(Verdict.skipped);
        assertThat(checks.get("run.exit").verdict()).isEqualTo(Verdict.passed);
        assertThat(RunVerdicts.errors(RunVerdicts.judge(r))).containsExactly(checks.get("run.ready").message());
    }

    /**
     * Listening on another port than declared fails run.ready; the ENTRYPOINT naming a toolkit the image lacks fails
     * run.exit (the platform could not start it), though the sandbox ran the command after it.
     */
    @Test
    @Tag("engine-matrix")
    @Tag("engine-network")
    void engineListeningOnAnotherPortWithoutItsToolkitFailsRunReadyAndRunExit() throws Exception {
        SandboxResult r = run(build("webhook-other-port", "", "http://0.0.0.0:8080/cgi-bin/", "8081", READY, READY),
                DeploymentModel.FullyNetworkIsolated);
        CheckResult ready = checks(r).get("run.ready");
        assertThat(ready.verdict()).as(r.toString()).isEqualTo(Verdict.failed);
        assertThat(ready.message()).startsWith("nothing answered GET http://0.0.0.0:8080/cgi-bin/ready within 6s (connection refused")
                .endsWith("listen on the port in VERITONE_WEBHOOK_READY (8080)");
        assertThat(r.webhook().toolkitFile()).isEqualTo(new WebhookRun.ToolkitFile("missing", false, null));
        assertThat(checks(r).get("run.exit").verdict()).isEqualTo(Verdict.failed);
        assertThat(checks(r).get("run.exit").message()).isEqualTo("Error running container: the ENTRYPOINT starts /opt/aiware/engine,"
                + " which in the image is missing, so the platform could not start the engine: copy the Engine Toolkit into the image"
                + " as an executable file (COPY --from=<the toolkit image> /opt/aiware/engine /opt/aiware/engine)");
    }

    @Test
    void engineAnswering500FailsRunProcessAfterTheToolkitsRetries() throws Exception {
        String process = CGI + "echo 'model not loaded' >&2\nreply '500 Internal Server Error' text/plain 'model not loaded'\n";
        SandboxResult r = run(build("webhook-500", false, 8080, 8080, READY, process), DeploymentModel.FullyNetworkIsolated);
        Map<String, CheckResult> checks = checks(r);
        assertThat(r.webhook().chunks().getFirst().attempts()).as(r.toString()).hasSize(WebhookEngine.ATTEMPTS)
                .allSatisfy(a -> assertThat(a.status()).isEqualTo(500));
        assertThat(checks.get("run.process").verdict()).isEqualTo(Verdict.failed);
        assertThat(checks.get("run.process").message()).isEqualTo("POST http://0.0.0.0:8080/cgi-bin/process with chunk 1 (text/plain)"
                + " was answered HTTP 500 \"model not loaded\" after 3 attempts (non-200 answers are retried, as the Engine Toolkit"
                + " does): answer 200 with the chunk's vtn-standard JSON");
        assertThat(checks.get("run.output").verdict()).isEqualTo(Verdict.failed);
        assertThat(r.engineOutputs()).isEmpty();
    }

    /** The sandbox takes the answer as it is; drydock-compliance's vtn-standard rule judges it (VtnOutputRule). */
    @Test
    void invalidVtnStandardAnswerIsAnEngineOutputForCompliance() throws Exception {
        String process = CGI + "reply '200 OK' application/json '{\"validationContracts\":[\"keyword\"],\"object\":[{\"type\":\"keyword\",\"name\":\"fox\"}]}'\n";
        SandboxResult r = run(build("webhook-bad-vtn", false, 8080, 8080, READY, process), DeploymentModel.FullyNetworkIsolated);
        assertThat(checks(r).get("run.process").verdict()).as(r.toString()).isEqualTo(Verdict.passed);
        assertThat(r.engineOutputs()).singleElement().satisfies(o -> {
            assertThat(o.via()).isEqualTo(EngineOutput.PROCESS);
            assertThat(o.json().path("object").get(0).has("label")).isFalse();
        });
    }

    /** (busybox wget without -T: -T crashes in Debian's static busybox.) */
    @Test
    @Tag("engine-matrix")
    @Tag("engine-network")
    void engineReachingAForbiddenHostFromProcessFailsRunNetwork() throws Exception {
        String process = CGI + """
                wget -q -O /dev/null http://forbidden.example/ && echo REACHED-NAME >&2 || echo name-refused >&2
                reply '200 OK' application/json '%s'
                """.formatted(KEYWORDS);
        SandboxResult r = run(build("webhook-forbidden", false, 8080, 8080, READY, process), DeploymentModel.FullyNetworkIsolated);
        Map<String, CheckResult> checks = checks(r);
        assertThat(checks.get("run.process").verdict()).as(r.toString()).isEqualTo(Verdict.passed);
        assertThat(checks.get("run.network").verdict()).as(r.testLog() + " " + r.networkUsage()).isEqualTo(Verdict.failed);
        assertThat(r.testLog()).contains("name-refused");
        assertThat(checks.get("run.network").message()).contains("forbidden.example")
                .endsWith("a FullyNetworkIsolated adapter may reach only veritoneApiBaseUrl: if it needs other domains, list them"
                        + " in the manifest's externalCalls and register it as MostlyNetworkIsolated");
    }
}
