package dev.drydock.compliance;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.image.ImageException;
import dev.drydock.image.ImageReader;
import dev.drydock.image.ResolvedImage;
import dev.drydock.oci.Digest;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code image.platform}: the pushed image has a linux/amd64 variant whose config and layers are all present
 * and readable. For an index or manifest list, the linux/amd64 entry is the one tested (later checks use it).
 * The reading itself is {@link ImageReader}'s; this check turns its answer into a verdict and facts.
 */
public final class ImagePlatformCheck implements Check {
    public static final String ID = "image.platform";
    /** Fact: the platform tested, e.g. {@code linux/amd64}; set only when it is linux/amd64. */
    public static final CheckContext.Key<String> PLATFORM = CheckContext.Key.of("platform");
    /** Fact: the image manifest tested. */
    public static final CheckContext.Key<JsonNode> IMAGE_MANIFEST = CheckContext.Key.of("imageManifest");
    /** Fact: the image config. */
    public static final CheckContext.Key<JsonNode> CONFIG = CheckContext.Key.of("config");
    /** Fact: the {@link ResolvedImage}, whenever the image could be resolved (even for another platform). */
    public static final CheckContext.Key<ResolvedImage> RESOLVED = CheckContext.Key.of("resolved");

    @Override
    public String id() {
        return ID;
    }

    @Override
    public CheckResult run(CheckContext context) {
        Digest digest = context.build().digest();
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("pushedDigest", digest.toString());
        ResolvedImage image;
        try {
            image = ImageReader.resolve(context.image(), digest);
        } catch (ImageException e) {
            return CheckResult.failed(ID, e.getMessage(), evidence);
        }
        context.put(RESOLVED, image);
        context.put(IMAGE_MANIFEST, image.manifest());
        context.put(CONFIG, image.config());
        evidence.put("manifestDigest", image.manifestDigest().toString());
        evidence.put("configDigest", image.configDigest().toString());
        evidence.put("platform", image.platform());
        if (!image.platform().equals(ImageReader.TESTED_PLATFORM)) {
            return CheckResult.failed(ID, "the image is built for " + image.platform() + ", but adapters run on linux/amd64: "
                    + "build with --platform linux/amd64", evidence);
        }
        context.put(PLATFORM, image.platform());
        long compressed = 0;
        for (ResolvedImage.Layer layer : image.layers()) compressed += layer.size();
        evidence.put("layers", image.layers().size());
        evidence.put("compressedSize", compressed);
        return CheckResult.passed(ID, "linux/amd64 image with " + image.layers().size() + " layer(s), " + compressed
                + " bytes compressed", evidence);
    }
}
