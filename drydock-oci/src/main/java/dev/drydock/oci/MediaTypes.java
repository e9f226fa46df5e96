package dev.drydock.oci;

import java.util.Set;

/**
 * The media types of the OCI image spec and Docker's image manifest v2, schema 2, spelled once. Drydock accepts
 * these manifests and indexes ({@link #MANIFESTS}); config and layer types are what it writes and recognises.
 */
public final class MediaTypes {
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    /** The manifest and index types the registry stores. */
    public static final Set<String> MANIFESTS = Set.of(OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_LIST);

    public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
    /** Configs of container images (anything else under a manifest is an artifact). */
    public static final Set<String> IMAGE_CONFIGS = Set.of(OCI_CONFIG, DOCKER_CONFIG);

    public static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";
    public static final String OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
    public static final String DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar";
    public static final String DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    /** Layers a runtime fetches from their {@code urls}, which a registry need not hold. */
    public static final Set<String> FOREIGN_LAYERS = Set.of(
            "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
            "application/vnd.oci.image.layer.nondistributable.v1.tar",
            "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
            "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd");

    private MediaTypes() {}

    /** An OCI index or a Docker manifest list: a document that lists manifests rather than layers. */
    public static boolean isIndex(String mediaType) {
        return OCI_INDEX.equals(mediaType) || DOCKER_LIST.equals(mediaType);
    }
}
