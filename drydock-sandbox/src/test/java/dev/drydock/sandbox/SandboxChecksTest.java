package dev.drydock.sandbox;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class SandboxChecksTest {
    @Test
    void durationsAreSpelledLikeGo() {
        assertThat(SandboxChecks.goDuration(Duration.ofMinutes(10))).isEqualTo("10m0s");
        assertThat(SandboxChecks.goDuration(Duration.ofSeconds(3723))).isEqualTo("1h2m3s");
        assertThat(SandboxChecks.goDuration(Duration.ofSeconds(8))).isEqualTo("8s");
        assertThat(SandboxChecks.goDuration(Duration.ofMillis(1500))).isEqualTo("1.5s");
        assertThat(SandboxChecks.goDuration(Duration.ofMillis(250))).isEqualTo("250ms");
    }

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
}
