package dev.drydock.sandbox;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Recognising webhook engines and where the sandbox connects, without containers ({@link WebhookEngineRunTest} runs them). */
class WebhookEngineTest {
    private static ContainerRunner.ImageConfig image(List<String> entrypoint, List<String> cmd, String... env) {
        return new ContainerRunner.ImageConfig(entrypoint, cmd, List.of(env));
    }

    @Test
    void theToolkitInFrontOrAProcessWebhookMakesAWebhookEngine() {
        // Veritone's JavaScript example: the toolkit wraps the engine's command
        ContainerRunner.ImageConfig js = image(List.of("/opt/aiware/engine", "node", "index.js"), null,
                "VERITONE_WEBHOOK_READY=http://0.0.0.0:8080/ready", "VERITONE_WEBHOOK_PROCESS=http://0.0.0.0:8080/process");
        assertThat(WebhookEngine.recognises(js)).isTrue();
        assertThat(new WebhookEngine(js).command()).containsExactly("node", "index.js");

        // the toolkit alone as ENTRYPOINT runs CMD
        ContainerRunner.ImageConfig withCmd = image(List.of("/opt/aiware/engine"), List.of("python3", "app.py"));
        assertThat(WebhookEngine.recognises(withCmd)).isTrue();
        assertThat(new WebhookEngine(withCmd).command()).containsExactly("python3", "app.py");

        // the webhooks declared without the toolkit: the image's own ENTRYPOINT runs
        ContainerRunner.ImageConfig envOnly = image(List.of("/bin/busybox", "sh", "/engine.sh"), null,
                "PATH=/bin", "VERITONE_WEBHOOK_PROCESS=http://0.0.0.0:8080/cgi-bin/process");
        assertThat(WebhookEngine.recognises(envOnly)).isTrue();
        assertThat(new WebhookEngine(envOnly).command()).isNull();
        assertThat(new WebhookEngine(envOnly).effectiveCommand()).containsExactly("/bin/busybox", "sh", "/engine.sh");

        // a task engine
        assertThat(WebhookEngine.recognises(image(List.of("/bin/sh", "/adapter.sh"), null, "PATH=/bin"))).isFalse();
        assertThat(WebhookEngine.recognises(image(null, List.of("/opt/aiware/engine", "node"), "VERITONE_WEBHOOK_READY=x"))).isFalse();
    }

    @Test
    void theSandboxConnectsToTheContainersAddressOnTheDeclaredPortAndPath() {
        assertThat(WebhookEngine.target("http://0.0.0.0:8080/ready", "10.213.5.2")).isEqualTo(URI.create("http://10.213.5.2:8080/ready"));
        assertThat(WebhookEngine.target("http://localhost/process?x=1", "10.213.5.2")).isEqualTo(URI.create("http://10.213.5.2:80/process?x=1"));
        assertThat(WebhookEngine.target("https://0.0.0.0:8443/ready", "10.213.5.2")).isNull();
        assertThat(WebhookEngine.target(null, "10.213.5.2")).isNull();
        assertThat(WebhookEngine.port("http://0.0.0.0:8082/ready")).isEqualTo(8082);
    }

    @Test
    void chunksAreMultipartWithTheFieldsThenTheFile() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("chunkMimeType", "text/plain");
        fields.put("cacheURI", "http://10.213.5.1:4000/media/a?sig=b");
        String body = new String(WebhookEngine.multipart("b0undary", fields, SampleMedia.text()), StandardCharsets.UTF_8);
        assertThat(body).startsWith("--b0undary\r\nContent-Disposition: form-data; name=\"chunkMimeType\"\r\n\r\ntext/plain\r\n")
                .contains("Content-Disposition: form-data; name=\"chunk\"; filename=\"sample.txt\"\r\nContent-Type: text/plain\r\n\r\n"
                        + "Drydock sandbox sample.\n")
                .endsWith("\r\n--b0undary--\r\n");
        // a stream engine's: no chunk file, it reads cacheURI
        String stream = new String(WebhookEngine.multipart("b0undary", fields, null), StandardCharsets.UTF_8);
        assertThat(stream).doesNotContain("name=\"chunk\"").endsWith("sig=b\r\n--b0undary--\r\n");
    }

    /** The toolkit's chunks by media and engine mode (the real audio run: WebhookEngineRunTest). */
    @Test
    void chunkEnginesGetAudioSegmentsAndFramesTextStaysWhole() {
        List<WebhookEngine.ChunkSample> frames = WebhookEngine.chunks(SampleMedia.forFormat("image/png"), "chunk");
        assertThat(frames).extracting(c -> c.startMs() + "-" + c.endMs() + " " + c.width() + "x" + c.height() + " " + c.media().fileName())
                .containsExactly("0-1000 64x48 frame-0.png", "1000-2000 64x48 frame-1.png");
        assertThat(frames.get(0).media().bytes()).isNotEqualTo(frames.get(1).media().bytes());
        List<WebhookEngine.ChunkSample> audio = WebhookEngine.chunks(SampleMedia.forFormat("audio/wav"), "chunk");
        assertThat(audio).extracting(c -> c.startMs() + "-" + c.endMs()).containsExactly("0-500", "500-1000");
        // the segments join up to the whole sample's samples
        byte[] whole = SampleMedia.forFormat("audio/wav").bytes();
        byte[] second = audio.get(1).media().bytes();
        assertThat(java.util.Arrays.copyOfRange(second, 44, second.length)).isEqualTo(java.util.Arrays.copyOfRange(whole, 44 + 8000, whole.length));
        assertThat(WebhookEngine.chunks(SampleMedia.text(), "chunk")).singleElement().satisfies(c -> assertThat(c.wholeAsset()).isTrue());
        assertThat(WebhookEngine.chunks(SampleMedia.forFormat("audio/wav"), "batch")).singleElement()
                .satisfies(c -> assertThat(c.endMs()).isEqualTo(SampleMedia.AUDIO_MILLIS));
    }

    /** The toolkit file is judged by the first tar header of the engine's archive of its path. */
    @Test
    void theFirstTarHeaderSaysWhatIsAtAPath() throws Exception {
        byte[] tar = DockerEngineRunner.tar("engine", new byte[] {1, 2, 3});
        ContainerRunner.PathEntry e = DockerEngineRunner.firstEntry(new java.io.ByteArrayInputStream(tar));
        assertThat(e).isEqualTo(new ContainerRunner.PathEntry('0', 0644, 3, null));
        assertThat(DockerEngineRunner.firstEntry(new java.io.ByteArrayInputStream(new byte[1024]))).isNull();
    }
}
