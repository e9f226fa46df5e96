package dev.drydock.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.drydock.oci.Digest;
import dev.drydock.oci.InvalidDigestException;
import dev.drydock.oci.ManifestParser;
import dev.drydock.oci.MediaTypes;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Opens an image saved on the developer's disk, for {@code drydock check IMAGE}: an OCI layout directory
 * ({@code oci-layout}, {@code index.json}, {@code blobs/<alg>/<hex>}), the same layout as a tarball (OCI archive,
 * and what {@code docker save} writes since Docker 25), or a legacy {@code docker save} /
 * {@code podman save --format docker-archive} tarball ({@code manifest.json} naming config and layer files), for
 * which a Docker schema 2 manifest is synthesized with digests computed by hashing the files (the first image
 * of its {@code manifest.json}). Tarballs are read in place, never extracted. A layout whose {@code index.json}
 * lists one entry per platform is read as an index; one listing different images is refused.
 */
public final class LocalImages {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_JSON_BYTES = 8L * 1024 * 1024;
    private static final String REF_NAME = "org.opencontainers.image.ref.name";
    private static final String CONTAINERD_NAME = "io.containerd.image.name";

    private LocalImages() {}

    public static LocalImage open(Path path) throws ImageException {
        try {
            if (Files.isDirectory(path)) {
                ArchiveFiles files = new ArchiveFiles.Directory(path);
                if (files.size("oci-layout").isEmpty() || files.size("index.json").isEmpty()) {
                    throw new ImageException(path + " is a directory but not an OCI image layout (no oci-layout or index.json): "
                            + "write one with skopeo copy IMAGE oci:" + path + ":TAG, or pass a docker save tarball");
                }
                return ociLayout(files);
            }
            if (!Files.isRegularFile(path)) {
                throw new ImageException(path + " does not exist: pass an OCI layout directory, an OCI archive or a docker save tarball");
            }
            try (InputStream in = Files.newInputStream(path)) {
                byte[] head = in.readNBytes(4);
                if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
                    throw new ImageException(path + " is gzip-compressed: decompress it first (gunzip), Drydock reads the "
                            + "tarball in place");
                }
            }
            ArchiveFiles.Tarball tarball;
            try {
                tarball = new ArchiveFiles.Tarball(path);
            } catch (IOException e) {
                throw new ImageException(path + " is not a readable tar file (" + e.getMessage() + "): save the image again "
                        + "with docker save, podman save or skopeo copy", e);
            }
            if (tarball.has("oci-layout") && tarball.has("index.json")) return ociLayout(tarball);
            if (tarball.has("manifest.json")) return dockerArchive(tarball);
            throw new ImageException(path + " is neither an OCI archive nor a docker save tarball (it has no oci-layout "
                    + "or manifest.json): save the image with docker save, podman save or skopeo copy");
        } catch (IOException e) {
            throw new ImageException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    private static LocalImage ociLayout(ArchiveFiles files) throws ImageException, IOException {
        byte[] indexBytes = files.read("index.json", MAX_JSON_BYTES);
        JsonNode index = parse(indexBytes, "index.json of " + files.describe());
        JsonNode manifests = index.path("manifests");
        if (manifests.isEmpty()) {
            throw new ImageException(files.describe() + " holds no image (index.json lists no manifests): save the image again");
        }
        OciLayoutSource source = new OciLayoutSource(files);
        for (JsonNode entry : manifests) source.noteMediaType(entry);
        Set<Digest> distinct = new LinkedHashSet<>();
        List<String> names = new ArrayList<>();
        boolean platforms = false;
        for (JsonNode entry : manifests) {
            distinct.add(digest(entry, files));
            names.add(String.valueOf(tag(entry.path("annotations"))));
            platforms |= entry.has("platform");
        }
        if (distinct.size() == 1) { // one image, perhaps under several tags (docker save IMAGE:a IMAGE:b)
            return new LocalImage(source, distinct.iterator().next(), tag(manifests.get(0).path("annotations")));
        }
        if (!platforms) {
            throw new ImageException(files.describe() + " holds " + distinct.size() + " different images (" + String.join(", ", names)
                    + "): save only the image to check, e.g. docker save IMAGE:TAG -o image.tar");
        }
        // One entry per platform: index.json itself is the index to pick linux/amd64 from.
        Digest top = Digest.sha256(indexBytes);
        source.synthetic.put(top, new ImageSource.Manifest(MediaTypes.OCI_INDEX, indexBytes));
        return new LocalImage(source, top, null);
    }

    private static String tag(JsonNode annotations) {
        if (annotations.hasNonNull(CONTAINERD_NAME)) return annotations.get(CONTAINERD_NAME).asText();
        return annotations.hasNonNull(REF_NAME) ? annotations.get(REF_NAME).asText() : null;
    }

    private static LocalImage dockerArchive(ArchiveFiles.Tarball tarball) throws ImageException, IOException {
        JsonNode images = parse(tarball.read("manifest.json", MAX_JSON_BYTES), "manifest.json of " + tarball.describe());
        JsonNode image = images.isArray() ? images.path(0) : images;
        if (!image.has("Config") || !image.path("Layers").isArray()) {
            throw new ImageException("manifest.json of " + tarball.describe() + " names no Config and Layers: save the image again");
        }
        Map<Digest, String> paths = new HashMap<>();
        ObjectNode manifest = JSON.createObjectNode().put("schemaVersion", 2).put("mediaType", MediaTypes.DOCKER_MANIFEST);
        manifest.set("config", hashed(tarball, image.get("Config").asText(), MediaTypes.DOCKER_CONFIG, paths));
        ArrayNode layers = manifest.putArray("layers");
        for (JsonNode layer : image.path("Layers")) {
            layers.add(hashed(tarball, layer.asText(), null, paths));
        }
        byte[] manifestBytes = JSON.writeValueAsBytes(manifest);
        Digest top = Digest.sha256(manifestBytes);
        ArchiveSource source = new ArchiveSource(tarball, paths);
        source.synthetic.put(top, new ImageSource.Manifest(MediaTypes.DOCKER_MANIFEST, manifestBytes));
        JsonNode tags = image.path("RepoTags");
        return new LocalImage(source, top, tags.isArray() && !tags.isEmpty() ? tags.get(0).asText() : null);
    }

    /** A descriptor for a file of the archive; a layer's media type says what its first bytes are. */
    private static ObjectNode hashed(ArchiveFiles.Tarball tarball, String path, String mediaType, Map<Digest, String> paths)
            throws ImageException, IOException {
        String name = ImagePaths.normalize(path);
        long size = name == null ? -1 : tarball.size(name).orElse(-1L);
        if (size < 0) {
            throw new ImageException("manifest.json of " + tarball.describe() + " names " + ImagePaths.quote(path)
                    + ", which the tarball does not contain: save the image again");
        }
        MessageDigest sha256 = Digest.newMessageDigest("sha256");
        byte[] head = null;
        try (InputStream in = tarball.open(name)) {
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) {
                if (head == null) head = Arrays.copyOf(buffer, Math.min(n, 4));
                sha256.update(buffer, 0, n);
            }
        }
        Digest digest = Digest.of("sha256", sha256);
        paths.put(digest, name);
        if (mediaType == null) {
            boolean gzip = head != null && head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b;
            mediaType = gzip ? MediaTypes.DOCKER_LAYER_GZIP : MediaTypes.DOCKER_LAYER;
        }
        return JSON.createObjectNode().put("mediaType", mediaType).put("size", size).put("digest", digest.toString());
    }

    private static JsonNode parse(byte[] json, String what) throws ImageException {
        try {
            JsonNode node = JSON.readTree(json);
            if (node == null || !(node.isObject() || node.isArray())) throw new IOException("not a JSON document");
            return node;
        } catch (IOException e) {
            throw new ImageException(what + " is not valid JSON (" + e.getMessage() + "): save the image again", e);
        }
    }

    private static Digest digest(JsonNode descriptor, ArchiveFiles files) throws ImageException {
        try {
            return Digest.parse(descriptor.path("digest").asText(""));
        } catch (InvalidDigestException e) {
            throw new ImageException("index.json of " + files.describe() + " has an invalid digest: save the image again", e);
        }
    }

    /** Manifests and blobs of a local image; manifests it made up (index.json, a docker-archive's) come first. */
    private abstract static sealed class LocalSource implements ImageSource {
        final Map<Digest, Manifest> synthetic = new HashMap<>();
        final ArchiveFiles files;

        LocalSource(ArchiveFiles files) {
            this.files = files;
        }

        abstract Optional<String> path(Digest digest);

        /** The media type of a stored manifest when the JSON does not carry one. */
        String mediaTypeOf(Digest digest, JsonNode manifest) {
            if (manifest.hasNonNull("mediaType")) return manifest.get("mediaType").asText();
            return ManifestParser.impliedMediaType(manifest);
        }

        @Override
        public Optional<Manifest> manifest(Digest digest) {
            Manifest made = synthetic.get(digest);
            if (made != null) return Optional.of(made);
            Optional<String> path = path(digest);
            if (path.isEmpty()) return Optional.empty();
            try {
                byte[] bytes = files.read(path.get(), MAX_JSON_BYTES);
                return Optional.of(new Manifest(mediaTypeOf(digest, JSON.readTree(bytes)), bytes));
            } catch (IOException e) {
                return Optional.empty(); // not JSON, too large or unreadable: not a manifest this image can use
            }
        }

        @Override
        public Optional<Long> blobSize(Digest digest) {
            return path(digest).flatMap(files::size);
        }

        @Override
        public InputStream blob(Digest digest) throws IOException {
            return files.open(path(digest).orElseThrow(() -> new NoSuchFileException(digest.toString())));
        }
    }

    private static final class OciLayoutSource extends LocalSource {
        private final Map<Digest, String> declaredMediaTypes = new HashMap<>();

        OciLayoutSource(ArchiveFiles files) {
            super(files);
        }

        void noteMediaType(JsonNode descriptor) {
            try {
                declaredMediaTypes.put(Digest.parse(descriptor.path("digest").asText("")), descriptor.path("mediaType").asText());
            } catch (InvalidDigestException ignored) {
                // reported when the digest is used
            }
        }

        @Override
        Optional<String> path(Digest digest) {
            String path = "blobs/" + digest.algorithm() + "/" + digest.hex();
            return files.size(path).isPresent() ? Optional.of(path) : Optional.empty();
        }

        @Override
        String mediaTypeOf(Digest digest, JsonNode manifest) {
            String declared = declaredMediaTypes.get(digest);
            return declared != null && !declared.isEmpty() ? declared : super.mediaTypeOf(digest, manifest);
        }
    }

    private static final class ArchiveSource extends LocalSource {
        private final Map<Digest, String> paths;

        ArchiveSource(ArchiveFiles files, Map<Digest, String> paths) {
            super(files);
            this.paths = paths;
        }

        @Override
        Optional<String> path(Digest digest) {
            return Optional.ofNullable(paths.get(digest));
        }
    }
}
