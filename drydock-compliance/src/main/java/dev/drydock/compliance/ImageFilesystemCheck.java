package dev.drydock.compliance;

import dev.drydock.image.DockerInspect;
import dev.drydock.image.ExtractionLimits;
import dev.drydock.image.ImageException;
import dev.drydock.image.ImageFilesystem;
import dev.drydock.image.ResolvedImage;
import dev.drydock.oci.Digest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code image.filesystem}: reads every layer of the tested image once, applying whiteouts in layer order, and
 * keeps the files later checks asked for ({@link Check#fileInterest()}). Every later check that looks inside the
 * image uses this one pass; the filesystem is closed (its kept files deleted) when the run ends. A layer that
 * cannot be read safely (corrupt, hostile, over a limit) fails the build with drydock-image's message.
 */
public final class ImageFilesystemCheck implements Check {
    public static final String ID = "image.filesystem";
    /** Fact: the {@link ImageFilesystem} of the tested image. */
    public static final CheckContext.Key<ImageFilesystem> FILESYSTEM = CheckContext.Key.of("filesystem");
    private final FilesystemReader reader;
    private final ExtractionLimits limits;

    public ImageFilesystemCheck(FilesystemReader reader, ExtractionLimits limits) {
        this.reader = reader;
        this.limits = limits;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public List<String> needs() {
        return List.of(ImagePlatformCheck.ID);
    }

    @Override
    public CheckResult run(CheckContext context) throws Exception {
        ResolvedImage image = context.get(ImagePlatformCheck.RESOLVED);
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("layers", image.layers().size());
        Path layerDir = Files.createDirectories(context.workDir().resolve("layers"));
        ImageFilesystem filesystem;
        try {
            filesystem = reader.read(context.image(), image, context.fileInterest(), limits, layerDir);
        } catch (ImageException e) {
            return CheckResult.failed(ID, e.getMessage(), evidence);
        }
        context.closeAtEnd(filesystem);
        context.put(FILESYSTEM, filesystem);
        context.put(Pipeline.INSPECT, DockerInspect.of(image, filesystem, repoTag(context.build().image()),
                context.build().repository() == null ? null : repoDigest(context.build().image(), context.build().digest())));
        long uncompressed = filesystem.layerSizes().stream().mapToLong(Long::longValue).sum();
        int entries = filesystem.entries().size();
        evidence.put("uncompressedSize", uncompressed);
        evidence.put("entries", entries);
        return CheckResult.passed(ID, "read " + image.layers().size() + " layer(s): " + entries + " paths, "
                + uncompressed + " bytes uncompressed", evidence);
    }

    /** {@code host/17532/a:1.0} as is; null for a reference by digest (Docker lists no tag for those). */
    static String repoTag(String image) {
        if (image == null) return null;
        int name = image.lastIndexOf('/') + 1;
        return image.indexOf('@', name) < 0 && image.indexOf(':', name) > 0 ? image : null;
    }

    /**
     * {@code host/17532/a@sha256:…}: the repository of the reference with the digest that was pushed. Only for
     * images in a registry; a local archive ({@code ./drydock check}) has none, as in Docker.
     */
    static String repoDigest(String image, Digest pushed) {
        if (image == null) return null;
        int name = image.lastIndexOf('/') + 1;
        int end = image.length();
        for (char separator : new char[]{'@', ':'}) {
            int at = image.indexOf(separator, name);
            if (at > 0) end = Math.min(end, at);
        }
        return image.substring(0, end) + "@" + pushed;
    }
}
