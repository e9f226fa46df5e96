package dev.drydock.sandbox;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What a run is given: requests, cluster sizes, sample media and recordings (no container needed). */
class SandboxInputsTest {
    @Test
    void serializedRequestsCarryNoPassword() throws Exception {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        SandboxRequest request = SandboxRequest.of("r/x:1", json.readTree("{\"category\":\"pull\"}"), DeploymentModel.FullyNetworkIsolated)
                .withAuth(new RegistryAuth("robot", "pull-token-secret", "r"));
        assertThat(json.writeValueAsString(request)).contains("robot").doesNotContain("pull-token-secret");
        assertThat(request.registryAuth().toString()).doesNotContain("pull-token-secret");
    }

    @Test
    void clusterSizesGiveTheRecordsMemory() {
        assertThat(ClusterSize.parse("small").memoryBytes()).isEqualTo(512L << 20);
        assertThat(ClusterSize.parse("Medium").memoryBytes()).isEqualTo(2L << 30);
        assertThat(ClusterSize.parse("large").memoryBytes()).isEqualTo(6L << 30);
        assertThat(ClusterSize.parse(null)).isEqualTo(ClusterSize.small);
    }

    @Test
    void samplesExistForTheDeclaredFormats() {
        assertThat(SampleMedia.forFormat("audio/wav").bytes()).startsWith((byte) 'R', (byte) 'I', (byte) 'F', (byte) 'F');
        assertThat(SampleMedia.forFormat("image/jpeg").bytes()).startsWith((byte) 0xFF, (byte) 0xD8);
        assertThat(SampleMedia.forFormat("audio/mpeg").contentType()).isEqualTo("audio/wav");
        assertThat(SampleMedia.forFormat("video/mp4").contentType()).isEqualTo("text/plain");
        assertThat(SampleMedia.forFormat("application/json; charset=utf-8").contentType()).isEqualTo("application/json");
    }

    @Test
    void recordingsFitTheCategory() {
        TaskRecording translation = TaskRecording.forCategory("translation", "text/plain");
        assertThat(translation.assets()).extracting(TaskRecording.Asset::assetType).containsExactly("text", "transcript");
        assertThat(translation.assets()).extracting(a -> a.media().contentType()).containsExactly("text/plain", "application/ttml+xml");
        assertThat(new String(translation.assets().get(1).media().bytes(), java.nio.charset.StandardCharsets.UTF_8))
                .contains("<tt ", "<body>", "<div>", "<p begin=\"00:00:00.000\" end=\"00:00:01.000\">Drydock sandbox sample.</p>");
        assertThat(TaskRecording.forCategory("Translation", "application/ttml+xml").primary().assetType()).isEqualTo("transcript");
        assertThat(TaskRecording.forCategory("sentiment", null).kind()).isEqualTo(TaskRecording.Kind.text);
        assertThat(TaskRecording.forCategory("transcription", "audio/mpeg").primary().media().contentType()).isEqualTo("audio/wav");
        assertThat(TaskRecording.forCategory("transcription", "video/mp4").primary().media().contentType()).isEqualTo("audio/wav");
        assertThat(TaskRecording.forCategory("object detection", "video/mp4").primary().media().contentType()).isEqualTo("image/png");
        assertThat(TaskRecording.forCategory("text recognition", "image/jpeg").primary().media().contentType()).isEqualTo("image/jpeg");
        assertThat(TaskRecording.forCategory("face recognition", null).primary().assetType()).isEqualTo("media");
        assertThat(TaskRecording.forCategory("something new", "application/json").primary().media().contentType()).isEqualTo("application/json");
        assertThat(TaskRecording.forCategory("something new", "application/json").kind()).isEqualTo(TaskRecording.Kind.other);
    }
}
