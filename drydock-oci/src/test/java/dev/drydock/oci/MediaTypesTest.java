package dev.drydock.oci;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MediaTypesTest {
    @Test
    void indexesAreTheOciIndexAndTheDockerManifestList() {
        assertThat(MediaTypes.MANIFESTS.stream().filter(MediaTypes::isIndex))
                .containsExactlyInAnyOrder(MediaTypes.OCI_INDEX, MediaTypes.DOCKER_LIST);
        assertThat(MediaTypes.isIndex(null)).isFalse();
        assertThat(MediaTypes.isIndex(MediaTypes.OCI_CONFIG)).isFalse();
    }

    @Test
    void foreignLayersAreNotOrdinaryLayers() {
        assertThat(MediaTypes.FOREIGN_LAYERS).doesNotContain(MediaTypes.OCI_LAYER, MediaTypes.OCI_LAYER_GZIP,
                MediaTypes.DOCKER_LAYER, MediaTypes.DOCKER_LAYER_GZIP);
    }
}
