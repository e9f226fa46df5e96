package dev.drydock.image;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.oci.Digest;

import java.util.List;

/**
 * One single-platform image, resolved from what was pushed: for an index or manifest list, the linux/amd64
 * entry. {@code platform} is what the config declares, e.g. {@code linux/amd64}.
 */
public record ResolvedImage(Digest pushedDigest, Digest manifestDigest, String manifestMediaType, JsonNode manifest,
                            Digest configDigest, JsonNode config, List<Layer> layers, String platform) {

    /**
     * One layer in order (index 0 is the base). {@code createdBy} is the Dockerfile step of the image history that
     * produced it (history entries with {@code empty_layer} are skipped when pairing), null when the history
     * does not say.
     */
    public record Layer(int index, Digest digest, String mediaType, long size, String createdBy) {}
}
