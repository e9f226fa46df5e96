package dev.drydock.image;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drydock.oci.Digest;
import dev.drydock.oci.InvalidDigestException;
import dev.drydock.oci.MediaTypes;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Resolves what was pushed into one single-platform image: for an index or manifest list its linux/amd64 entry,
 * then the manifest (Docker schema 2 or OCI), the config (at most 8 MiB of JSON), and the layers, each of which
 * must be present with its declared size (foreign layers, fetched by the runtime from their {@code urls}, need
 * not be). The platform the config declares is reported, not enforced: the {@code image.platform} check decides.
 */
public final class ImageReader {
    public static final String TESTED_PLATFORM = "linux/amd64";
    static final long MAX_CONFIG_BYTES = 8L * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private ImageReader() {}

    public static ResolvedImage resolve(ImageSource source, Digest pushed) throws ImageException {
        ImageSource.Manifest top = source.manifest(pushed).orElseThrow(() -> new ImageException(
                "the pushed manifest " + pushed + " is no longer in the repository: push the image again"));
        Digest manifestDigest = pushed;
        ImageSource.Manifest manifest = top;
        if (MediaTypes.isIndex(top.mediaType())) {
            manifestDigest = linuxAmd64(json(top.content(), "the image index " + pushed)).orElseThrow(() -> new ImageException(
                    "the image index has no linux/amd64 image: build for that platform, e.g. "
                            + "docker buildx build --platform linux/amd64"));
            Digest chosen = manifestDigest;
            manifest = source.manifest(chosen).orElseThrow(() -> new ImageException(
                    "the index's linux/amd64 manifest " + chosen + " is missing: push it again"));
            if (MediaTypes.isIndex(manifest.mediaType())) {
                throw new ImageException("the index's linux/amd64 entry " + chosen + " is itself an index: "
                        + "point the top-level index at image manifests");
            }
        }
        JsonNode root = json(manifest.content(), "the image manifest " + manifestDigest);
        Digest configDigest = digest(root.path("config"), "the manifest's config");
        long configSize = source.blobSize(configDigest).orElseThrow(() -> new ImageException(
                "the image config " + configDigest + " is missing: push the image again"));
        if (configSize > MAX_CONFIG_BYTES) {
            throw new ImageException("the image config is " + configSize + " bytes, larger than 8 MiB: "
                    + "remove large labels or environment values and rebuild the image");
        }
        JsonNode config;
        try (InputStream in = source.blob(configDigest)) {
            config = JSON.readTree(in.readNBytes((int) MAX_CONFIG_BYTES));
        } catch (IOException e) {
            throw new ImageException("the image config is not valid JSON: " + e.getMessage() + "; rebuild the image", e);
        }
        String configType = root.path("config").path("mediaType").asText("");
        // Judged by content too: a real image pushed with an odd config media type still reads.
        boolean imageConfig = config != null && config.isObject() && config.has("os") && config.has("architecture");
        if (!imageConfig && !MediaTypes.IMAGE_CONFIGS.contains(configType)) {
            throw new ImageException("the pushed manifest " + manifestDigest + " is an artifact (config media type '" + configType
                    + "'), not a container image: push the adapter's image, e.g. with docker push or podman push");
        }
        if (config == null || !config.isObject()) {
            throw new ImageException("the image config " + configDigest + " is not a JSON object: rebuild the image");
        }
        List<String> steps = layerSteps(config);
        List<ResolvedImage.Layer> layers = new ArrayList<>();
        for (JsonNode descriptor : root.path("layers")) {
            int index = layers.size();
            Digest layerDigest = digest(descriptor, "layer " + index);
            long declared = descriptor.path("size").asLong(-1);
            // A foreign layer is fetched by the runtime from its URL, so the registry need not hold it.
            if (!descriptor.has("urls")) {
                Optional<Long> stored = source.blobSize(layerDigest);
                if (stored.isEmpty() || stored.get() != declared) {
                    throw new ImageException("layer " + layerDigest + " is missing or has the wrong size: push the image again");
                }
            }
            layers.add(new ResolvedImage.Layer(index, layerDigest, descriptor.path("mediaType").asText(null), declared,
                    index < steps.size() ? steps.get(index) : null));
        }
        String platform = config.path("os").asText("?") + "/" + config.path("architecture").asText("?");
        return new ResolvedImage(pushed, manifestDigest, manifest.mediaType(), root, configDigest, config,
                List.copyOf(layers), platform);
    }

    /**
     * The Dockerfile step of each layer: history entries marked {@code empty_layer} (ENV, CMD …) made no layer,
     * so the others pair with the layers in order.
     */
    private static List<String> layerSteps(JsonNode config) {
        List<String> steps = new ArrayList<>();
        for (JsonNode entry : config.path("history")) {
            if (entry.path("empty_layer").asBoolean(false)) continue;
            steps.add(entry.path("created_by").asText(null));
        }
        return steps;
    }

    /** The first linux/amd64 entry; an entry without a variant (or v1) wins over a more specific variant. */
    static Optional<Digest> linuxAmd64(JsonNode index) throws ImageException {
        JsonNode withVariant = null;
        for (JsonNode entry : index.path("manifests")) {
            JsonNode platform = entry.path("platform");
            if (!platform.path("os").asText().equals("linux") || !platform.path("architecture").asText().equals("amd64")) continue;
            String variant = platform.path("variant").asText("");
            if (variant.isEmpty() || variant.equals("v1")) return Optional.of(digest(entry, "the index's linux/amd64 entry"));
            if (withVariant == null) withVariant = entry;
        }
        return withVariant == null ? Optional.empty() : Optional.of(digest(withVariant, "the index's linux/amd64 entry"));
    }

    private static JsonNode json(byte[] content, String what) throws ImageException {
        try {
            JsonNode node = JSON.readTree(content);
            if (node == null || !node.isObject()) throw new ImageException(what + " is not a JSON object: push the image again");
            return node;
        } catch (JsonProcessingException e) {
            throw new ImageException(what + " is not valid JSON (" + e.getOriginalMessage() + "): push the image again", e);
        } catch (IOException e) {
            throw new ImageException(what + " could not be read: " + e.getMessage(), e);
        }
    }

    private static Digest digest(JsonNode descriptor, String what) throws ImageException {
        String value = descriptor.path("digest").asText("");
        try {
            return Digest.parse(value);
        } catch (InvalidDigestException e) {
            throw new ImageException(what + " has an invalid digest '" + value + "': rebuild and push the image again", e);
        }
    }
}
