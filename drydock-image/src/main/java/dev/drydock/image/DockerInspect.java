package dev.drydock.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * The JSON {@code docker image inspect} prints for an image, built from its config without Docker. Field names,
 * order and null-versus-absent follow Docker Engine API 1.45+ ({@code ImageInspect}; the deprecated
 * {@code Container}, {@code ContainerConfig} and {@code VirtualSize} are gone there, so they are left out here).
 * {@code GraphDriver} is left out too: it describes where a daemon unpacked the image on its own disk, and
 * Drydock never unpacks images, so any value would be invented. {@code Metadata.LastTagTime} is Go's zero time,
 * what Docker prints for an image that was pulled rather than tagged locally.
 */
public final class DockerInspect {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String NEVER_TAGGED = "0001-01-01T00:00:00Z";

    private DockerInspect() {}

    public static ArrayNode of(ResolvedImage image, ImageFilesystem filesystem, String repoTag, String repoDigest) {
        return of(image, filesystem.layerSizes(), repoTag, repoDigest);
    }

    /**
     * @param layerSizes decompressed size of each layer ({@link ImageFilesystem#layerSizes()}); their sum is {@code Size}
     * @param repoTag    e.g. {@code registry.example/17532/adapter:1.0}, or null for none
     * @param repoDigest e.g. {@code registry.example/17532/adapter@sha256:…}, or null for none
     */
    public static ArrayNode of(ResolvedImage image, List<Long> layerSizes, String repoTag, String repoDigest) {
        JsonNode config = image.config();
        ObjectNode inspect = NODES.objectNode();
        inspect.put("Id", image.configDigest().toString());
        ArrayNode tags = inspect.putArray("RepoTags");
        if (repoTag != null) tags.add(repoTag);
        ArrayNode digests = inspect.putArray("RepoDigests");
        if (repoDigest != null) digests.add(repoDigest);
        inspect.put("Parent", "");
        inspect.put("Comment", text(config, "comment"));
        if (config.hasNonNull("created")) inspect.put("Created", config.get("created").asText());
        inspect.put("DockerVersion", text(config, "docker_version"));
        inspect.put("Author", text(config, "author"));
        inspect.set("Config", containerConfig(config.path("config")));
        inspect.put("Architecture", text(config, "architecture"));
        if (!text(config, "variant").isEmpty()) inspect.put("Variant", text(config, "variant"));
        inspect.put("Os", text(config, "os"));
        if (!text(config, "os.version").isEmpty()) inspect.put("OsVersion", text(config, "os.version"));
        long size = 0;
        for (long layer : layerSizes) size += layer;
        inspect.put("Size", size);
        ObjectNode rootFs = inspect.putObject("RootFS");
        rootFs.put("Type", config.path("rootfs").path("type").asText("layers"));
        ArrayNode layers = rootFs.putArray("Layers");
        for (JsonNode diffId : config.path("rootfs").path("diff_ids")) layers.add(diffId.asText());
        inspect.putObject("Metadata").put("LastTagTime", NEVER_TAGGED);
        return NODES.arrayNode().add(inspect);
    }

    /**
     * Docker's {@code container.Config}, in its field order: the image config's values, the fields an image
     * never sets at their zero values, and the {@code omitempty} fields only when the image sets them.
     */
    private static ObjectNode containerConfig(JsonNode image) {
        ObjectNode config = NODES.objectNode();
        config.put("Hostname", "");
        config.put("Domainname", "");
        config.put("User", text(image, "User"));
        config.put("AttachStdin", false);
        config.put("AttachStdout", false);
        config.put("AttachStderr", false);
        copyIfSet(image, config, "ExposedPorts");
        config.put("Tty", false);
        config.put("OpenStdin", false);
        config.put("StdinOnce", false);
        config.set("Env", valueOrNull(image, "Env"));
        config.set("Cmd", valueOrNull(image, "Cmd"));
        copyIfSet(image, config, "Healthcheck");
        if (image.path("ArgsEscaped").asBoolean(false)) config.put("ArgsEscaped", true);
        config.put("Image", text(image, "Image"));
        config.set("Volumes", valueOrNull(image, "Volumes"));
        config.put("WorkingDir", text(image, "WorkingDir"));
        config.set("Entrypoint", valueOrNull(image, "Entrypoint"));
        config.set("OnBuild", valueOrNull(image, "OnBuild"));
        config.set("Labels", valueOrNull(image, "Labels"));
        if (!text(image, "StopSignal").isEmpty()) config.put("StopSignal", text(image, "StopSignal"));
        copyIfSet(image, config, "StopTimeout");
        copyIfSet(image, config, "Shell");
        return config;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? "" : value.asText();
    }

    private static JsonNode valueOrNull(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isMissingNode() ? NODES.nullNode() : value.deepCopy();
    }

    private static void copyIfSet(JsonNode from, ObjectNode to, String field) {
        JsonNode value = from.get(field);
        if (value != null && !value.isNull() && !(value.isContainerNode() && value.isEmpty())) to.set(field, value.deepCopy());
    }
}
