package dev.drydock.compliance;

import dev.drydock.image.FileEntry;
import dev.drydock.image.FileInterest;
import dev.drydock.image.ImageFilesystem;
import dev.drydock.image.ResolvedImage;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code manifest.present}: {@code /var/manifest.json} is a regular file in the image as the last layer left
 * it. A symlink (even to a valid manifest: the platform reads the file, and a link may point anywhere), a
 * directory, a device, or a file a later layer deleted all fail, naming the layer and Dockerfile step
 * responsible. A hard link passes when its bytes were kept (it is the same file as its target).
 */
public final class ManifestPresentCheck implements Check {
    public static final String ID = "manifest.present";
    /** The manifest's path, image-relative as drydock-image names paths. */
    public static final String PATH = "var/manifest.json";
    /** Fact: the manifest's {@link FileEntry} (a regular file, or a hard link to one, whose content was kept). */
    public static final CheckContext.Key<FileEntry> ENTRY = CheckContext.Key.of("manifestEntry");
    private static final String COPY_IT = "copy your manifest to /var/manifest.json in the Dockerfile, "
            + "e.g. COPY manifest.json /var/manifest.json";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public List<String> needs() {
        return List.of(ImageFilesystemCheck.ID);
    }

    @Override
    public FileInterest fileInterest() {
        return FileInterest.paths(PATH);
    }

    @Override
    public CheckResult run(CheckContext context) throws Exception {
        ImageFilesystem fs = context.get(ImageFilesystemCheck.FILESYSTEM);
        ResolvedImage image = context.get(ImagePlatformCheck.RESOLVED);
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("path", "/" + PATH);
        Optional<FileEntry> found = fs.lookup(PATH);
        if (found.isEmpty()) {
            Optional<Integer> deletedIn = fs.deletedIn(PATH);
            if (deletedIn.isPresent()) {
                evidence.put("deletedInLayerIndex", deletedIn.get());
                return CheckResult.failed(ID, "Missing /var/manifest.json: an earlier layer added it, but "
                        + layer(image, deletedIn.get()) + " deleted it; do not remove /var/manifest.json in a later "
                        + "step (or " + COPY_IT + " as a last step)", evidence);
            }
            return CheckResult.failed(ID, "Missing /var/manifest.json: " + COPY_IT, evidence);
        }
        FileEntry entry = found.get();
        evidence.put("type", entry.type().name().toLowerCase(java.util.Locale.ROOT));
        evidence.put("layerIndex", entry.layer());
        if (entry.createdBy() != null) evidence.put("createdBy", entry.createdBy());
        String where = " (" + step(image, entry.layer()) + ")";
        switch (entry.type()) {
            case FILE -> {
                evidence.put("size", entry.size());
                if (!entry.contentAvailable()) {
                    fs.notKept(entry.path()).ifPresent(reason -> evidence.put("notKept", reason));
                    return CheckResult.failed(ID, "/var/manifest.json" + where + " is " + entry.size()
                            + " bytes, too large to read (" + fs.notKept(entry.path()).orElse("not kept by the layer pass")
                            + "): a manifest is a small JSON file; copy the right file to /var/manifest.json", evidence);
                }
                context.put(ENTRY, entry);
                return CheckResult.passed(ID, "/var/manifest.json is a regular file of " + entry.size() + " bytes" + where, evidence);
            }
            case SYMLINK -> {
                evidence.put("linkTarget", entry.linkTarget());
                return CheckResult.failed(ID, "/var/manifest.json is a symlink to " + entry.linkTarget() + where
                        + ", not a file: copy the manifest file itself to /var/manifest.json "
                        + "(COPY manifest.json /var/manifest.json) instead of linking to it", evidence);
            }
            case HARDLINK -> {
                // a hard link is the same file as its target; its bytes are readable when the pass kept them
                evidence.put("linkTarget", "/" + entry.linkTarget());
                if (entry.contentAvailable()) {
                    context.put(ENTRY, entry);
                    return CheckResult.passed(ID, "/var/manifest.json is a hard link to the regular file /"
                            + entry.linkTarget() + where, evidence);
                }
                return CheckResult.failed(ID, "/var/manifest.json is a hard link to /" + entry.linkTarget() + where
                        + ", which Drydock does not read: copy the manifest file itself to /var/manifest.json "
                        + "(COPY manifest.json /var/manifest.json)", evidence);
            }
            case DIRECTORY -> {
                return CheckResult.failed(ID, "/var/manifest.json is a directory" + where + ", not a file: "
                        + "copy the file itself, e.g. COPY manifest.json /var/manifest.json (not COPY manifest.json "
                        + "/var/manifest.json/)", evidence);
            }
            default -> {
                return CheckResult.failed(ID, "/var/manifest.json is a " + evidence.get("type").toString().replace('_', ' ')
                        + where + ", not a regular file: " + COPY_IT, evidence);
            }
        }
    }

    /** "layer 3 (RUN rm /var/manifest.json)", naming the Dockerfile step when the image history says it. */
    static String layer(ResolvedImage image, int index) {
        String createdBy = createdBy(image, index);
        return "layer " + (index + 1) + (createdBy == null ? "" : " (" + createdBy + ")");
    }

    /** "layer 3: RUN rm /var/manifest.json", for use inside parentheses. */
    static String step(ResolvedImage image, int index) {
        String createdBy = createdBy(image, index);
        return "layer " + (index + 1) + (createdBy == null ? "" : ": " + createdBy);
    }

    private static String createdBy(ResolvedImage image, int index) {
        String createdBy = image != null && index >= 0 && index < image.layers().size()
                ? image.layers().get(index).createdBy() : null;
        return createdBy == null || createdBy.isBlank() ? null : shorten(createdBy);
    }

    private static String shorten(String step) {
        String s = step.replaceFirst("^/bin/sh -c #\\(nop\\)\\s*", "").strip();
        return s.length() > 120 ? s.substring(0, 117) + "..." : s;
    }
}
