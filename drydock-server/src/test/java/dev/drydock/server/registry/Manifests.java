package dev.drydock.server.registry;

import static dev.drydock.server.registry.RegistryClient.sha256;
import static dev.drydock.server.registry.RegistryClient.utf8;

/** Manifest and index bodies for the tests, written out by hand so their exact bytes are known. */
final class Manifests {
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";
    static final String OCI_EMPTY = "application/vnd.oci.empty.v1+json";
    static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
    static final String DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip";

    private Manifests() {}

    /** A content descriptor: what a manifest says about a blob or child manifest. */
    record Desc(String mediaType, String digest, long size) {
        static Desc of(String mediaType, byte[] content) {
            return new Desc(mediaType, sha256(content), content.length);
        }

        String json() {
            return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + digest + "\",\"size\":" + size + "}";
        }
    }

    /** A plain, compact OCI image manifest. */
    static byte[] oci(Desc config, Desc... layers) {
        return utf8("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":" + config.json()
                + ",\"layers\":[" + join(layers) + "]}");
    }

    /** An OCI artifact manifest with a subject, an optional artifactType and annotations. */
    static byte[] artifact(Desc config, Desc subject, String artifactType, String annotationsJson, Desc... layers) {
        return utf8("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\""
                + (artifactType == null ? "" : ",\"artifactType\":\"" + artifactType + "\"")
                + ",\"config\":" + config.json() + ",\"layers\":[" + join(layers) + "]"
                + ",\"subject\":" + subject.json()
                + (annotationsJson == null ? "" : ",\"annotations\":" + annotationsJson) + "}");
    }

    /** A compact OCI index. */
    static byte[] index(Desc... manifests) {
        return utf8("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_INDEX + "\",\"manifests\":[" + join(manifests) + "]}");
    }

    static String join(Desc... ds) {
        StringBuilder b = new StringBuilder();
        for (Desc d : ds) {
            if (!b.isEmpty()) b.append(',');
            b.append(d.json());
        }
        return b.toString();
    }
}
