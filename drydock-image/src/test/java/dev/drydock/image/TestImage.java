package dev.drydock.image;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.drydock.oci.Digest;
import dev.drydock.oci.MediaTypes;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An in-memory image source, and a builder for single-platform images in it. Published in this module's test-jar
 * for the other modules' tests.
 */
public final class TestImage implements ImageSource {
    static final ObjectMapper JSON = new ObjectMapper();
    public final Map<Digest, Manifest> manifests = new HashMap<>();
    public final Map<Digest, byte[]> blobs = new HashMap<>();

    public Digest blob(byte[] content) {
        Digest digest = Digest.sha256(content);
        blobs.put(digest, content);
        return digest;
    }

    public Digest manifest(String mediaType, String json) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        Digest digest = Digest.sha256(bytes);
        manifests.put(digest, new Manifest(mediaType, bytes));
        return digest;
    }

    @Override
    public Optional<Manifest> manifest(Digest digest) {
        return Optional.ofNullable(manifests.get(digest));
    }

    @Override
    public Optional<Long> blobSize(Digest digest) {
        return Optional.ofNullable(blobs.get(digest)).map(b -> (long) b.length);
    }

    @Override
    public InputStream blob(Digest digest) {
        return new ByteArrayInputStream(blobs.get(digest));
    }

    /** Builds one image: layers (any compression) and history; {@link #push()} stores config and manifest. */
    public final class Builder {
        private final List<byte[]> layers = new ArrayList<>();
        private final ArrayNode history = JSON.createArrayNode();
        private final ObjectNode config = JSON.createObjectNode();
        private String os = "linux";
        private String architecture = "amd64";
        private String manifestType = MediaTypes.OCI_MANIFEST;

        public Builder layer(byte[] blob, String createdBy) {
            layers.add(blob);
            history.addObject().put("created_by", createdBy);
            return this;
        }

        public Builder emptyStep(String createdBy) {
            history.addObject().put("created_by", createdBy).put("empty_layer", true);
            return this;
        }

        public Builder platform(String os, String architecture) {
            this.os = os;
            this.architecture = architecture;
            return this;
        }

        public Builder docker() {
            manifestType = MediaTypes.DOCKER_MANIFEST;
            return this;
        }

        public ObjectNode config() {
            return config;
        }

        public Digest push() throws Exception {
            ObjectNode root = JSON.createObjectNode();
            root.put("created", "2026-11-25T01:02:03.456789Z").put("architecture", architecture).put("os", os);
            root.set("config", config);
            ArrayNode diffIds = root.putObject("rootfs").put("type", "layers").putArray("diff_ids");
            root.set("history", history);
            ObjectNode manifest = JSON.createObjectNode().put("schemaVersion", 2).put("mediaType", manifestType);
            ArrayNode layerDescriptors = JSON.createArrayNode();
            for (byte[] layer : layers) {
                diffIds.add(diffId(layer).toString());
                layerDescriptors.addObject().put("mediaType", MediaTypes.OCI_LAYER_GZIP)
                        .put("digest", blob(layer).toString()).put("size", layer.length);
            }
            byte[] configBytes = JSON.writeValueAsBytes(root);
            manifest.putObject("config").put("mediaType", MediaTypes.OCI_CONFIG)
                    .put("digest", blob(configBytes).toString()).put("size", configBytes.length);
            manifest.set("layers", layerDescriptors);
            return TestImage.this.manifest(manifestType, JSON.writeValueAsString(manifest));
        }
    }

    public Builder image() {
        return new Builder();
    }

    /**
     * The uncompressed tar's digest; for a bomb or a broken layer only an approximation (nothing here checks
     * diff_ids, and they must not cost the test gigabytes of inflating).
     */
    static Digest diffId(byte[] layer) throws Exception {
        InputStream in = new ByteArrayInputStream(layer);
        if ((layer[0] & 0xff) == 0x1f) in = new java.util.zip.GZIPInputStream(in);
        else if ((layer[0] & 0xff) == 0x28) in = new com.github.luben.zstd.ZstdInputStream(in);
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[65536];
        long total = 0;
        int n;
        try {
            while (total < 64 << 20 && (n = in.read(buffer)) > 0) {
                sha256.update(buffer, 0, n);
                total += n;
            }
        } catch (java.io.IOException broken) {
            return Digest.sha256(layer);
        }
        return Digest.of("sha256", sha256);
    }
}
