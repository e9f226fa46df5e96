package dev.drydock.compliance;

import dev.drydock.image.ImageSource;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drydock.registry.Digest;
import dev.drydock.registry.ManifestParser;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code image.platform}: the pushed image has a linux/amd64 variant whose config and layers are all present
 * and readable. For an index or manifest list, the linux/amd64 entry is the one tested (later checks use it).
 */
public final class ImagePlatformCheck implements Check {
    public static final String ID = "image.platform";
    /** Fact: the platform tested, e.g. {@code linux/amd64}. */
    public static final String PLATFORM = "platform";
    /** Fact: the image manifest tested (JsonNode). */
    public static final String IMAGE_MANIFEST = "imageManifest";
    /** Fact: the image config (JsonNode). */
    public static final String CONFIG = "config";
    /** Fact: the {@link dev.drydock.image.ResolvedImage} tested (the linux/amd64 image, its config and layers). */
    public static final String RESOLVED = "resolved";
    private static final long MAX_CONFIG_BYTES = 8L * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String id() {
        return ID;
    }

    @Override
    public CheckResult run(CheckContext context) throws IOException {
        ImageSource image = context.image();
        Digest digest = context.build().digest();
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("pushedDigest", digest.toString());
        ImageSource.Manifest top = image.manifest(digest).orElse(null);
        if (top == null) return fail("the pushed manifest " + digest + " is no longer in the repository: push the image again", evidence);
        ImageSource.Manifest manifest = top;
        Digest manifestDigest = digest;
        if (top.mediaType().equals(ManifestParser.OCI_INDEX) || top.mediaType().equals(ManifestParser.DOCKER_LIST)) {
            Optional<Digest> amd64 = linuxAmd64(JSON.readTree(top.content()));
            if (amd64.isEmpty()) {
                return fail("the image index has no linux/amd64 image: build for that platform, e.g. "
                        + "docker buildx build --platform linux/amd64", evidence);
            }
            manifestDigest = amd64.get();
            manifest = image.manifest(manifestDigest).orElse(null);
            if (manifest == null) return fail("the index's linux/amd64 manifest " + manifestDigest + " is missing: push it again", evidence);
        }
        evidence.put("manifestDigest", manifestDigest.toString());
        JsonNode root = JSON.readTree(manifest.content());
        context.put(IMAGE_MANIFEST, root);
        Digest configDigest = Digest.parse(root.path("config").path("digest").asText());
        evidence.put("configDigest", configDigest.toString());
        Optional<Long> configSize = image.blobSize(configDigest);
        if (configSize.isEmpty()) return fail("the image config " + configDigest + " is missing: push the image again", evidence);
        if (configSize.get() > MAX_CONFIG_BYTES) return fail("the image config is larger than 8 MiB", evidence);
        JsonNode config;
        try (InputStream in = image.blob(configDigest)) {
            config = JSON.readTree(in.readNBytes((int) MAX_CONFIG_BYTES));
        } catch (IOException e) {
            return fail("the image config is not valid JSON: " + e.getMessage() + "; rebuild the image", evidence);
        }
        context.put(CONFIG, config);
        String platform = config.path("os").asText("?") + "/" + config.path("architecture").asText("?");
        evidence.put("platform", platform);
        if (!platform.equals("linux/amd64")) {
            return fail("the image is built for " + platform + ", but adapters run on linux/amd64: build with "
                    + "--platform linux/amd64", evidence);
        }
        context.put(PLATFORM, platform);
        long total = 0;
        int count = 0;
        for (JsonNode layer : root.path("layers")) {
            Digest layerDigest = Digest.parse(layer.path("digest").asText());
            long declared = layer.path("size").asLong();
            Optional<Long> stored = image.blobSize(layerDigest);
            if (layer.has("urls")) continue; // foreign layer, fetched by the runtime from its URL
            if (stored.isEmpty() || stored.get() != declared) {
                return fail("layer " + layerDigest + " is missing or has the wrong size: push the image again", evidence);
            }
            total += declared;
            count++;
        }
        evidence.put("layers", count);
        evidence.put("compressedSize", total);
        return CheckResult.passed(ID, "linux/amd64 image with " + count + " layer(s), " + total + " bytes compressed", evidence);
    }

    private static Optional<Digest> linuxAmd64(JsonNode index) {
        for (JsonNode m : index.path("manifests")) {
            JsonNode p = m.path("platform");
            if (p.path("os").asText().equals("linux") && p.path("architecture").asText().equals("amd64")) {
                return Optional.of(Digest.parse(m.path("digest").asText()));
            }
        }
        return Optional.empty();
    }

    private static CheckResult fail(String message, Map<String, Object> evidence) {
        return CheckResult.failed(ID, message, evidence);
    }
}
