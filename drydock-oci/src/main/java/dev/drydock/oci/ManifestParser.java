package dev.drydock.oci;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads just enough of an image manifest or index to validate it and learn what it references. The bytes
 * are stored as received; nothing here re-serializes them. A document it refuses is an
 * {@link InvalidManifestException} saying what to fix.
 */
public final class ManifestParser {
    // Trailing tokens fail: "{...} garbage" is not a JSON document, and the bytes are stored as pushed.
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** A content descriptor inside a manifest. */
    public record Descriptor(String mediaType, Digest digest, long size, boolean foreign) {}

    /**
     * @param blobs     config and layers that must be blobs of the repository (foreign layers flagged)
     * @param manifests child manifests of an index, which must be manifests of the repository
     */
    public record Parsed(String mediaType, List<Descriptor> blobs, List<Descriptor> manifests, Descriptor subject,
                         String artifactType, String annotationsJson) {
        public boolean isIndex() {
            return MediaTypes.isIndex(mediaType);
        }
    }

    private ManifestParser() {}

    public static Parsed parse(byte[] body, String contentType) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw invalid("manifest is not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw invalid("manifest could not be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw invalid("manifest must be a JSON object");
        }
        JsonNode schemaVersion = root.get("schemaVersion");
        if (schemaVersion == null || !schemaVersion.isInt() || schemaVersion.intValue() != 2) {
            throw invalid("manifest schemaVersion must be 2 (Docker schema 1 is not supported: push with a current client)");
        }
        String declared = text(root, "mediaType");
        String header = contentType == null ? null : contentType.split(";")[0].trim();
        if (header != null && (header.isEmpty() || header.equals("application/json") || header.equals("application/octet-stream"))) {
            header = null;
        }
        if (declared != null && header != null && !declared.equals(header)) {
            throw invalid("Content-Type '" + header + "' does not match the manifest's mediaType '" + declared + "'");
        }
        String mediaType = declared != null ? declared : header;
        if (mediaType == null) {
            mediaType = impliedMediaType(root);
        }
        if (!MediaTypes.MANIFESTS.contains(mediaType)) {
            throw invalid("unsupported manifest media type '" + mediaType + "': push an OCI or Docker schema 2 manifest or index");
        }
        List<Descriptor> blobs = new ArrayList<>();
        List<Descriptor> manifests = new ArrayList<>();
        String artifactType = text(root, "artifactType");
        // A document that could be read as both a manifest and an index is ambiguous (CVE-2021-41190).
        for (String field : MediaTypes.isIndex(mediaType) ? List.of("config", "layers") : List.of("manifests")) {
            if (root.has(field)) {
                throw invalid((MediaTypes.isIndex(mediaType) ? "an index" : "an image manifest") + " must not have a '" + field
                        + "' field: it makes the document ambiguous between manifest and index");
            }
        }
        if (MediaTypes.isIndex(mediaType)) {
            JsonNode list = root.get("manifests");
            if (list == null || !list.isArray()) throw invalid("index must have a 'manifests' array");
            for (JsonNode m : list) manifests.add(descriptor(m, "manifests[]"));
        } else {
            JsonNode config = root.get("config");
            if (config == null) throw invalid("manifest must have a 'config' descriptor");
            Descriptor configDescriptor = descriptor(config, "config");
            blobs.add(configDescriptor);
            JsonNode layers = root.get("layers");
            if (layers == null || !layers.isArray()) throw invalid("manifest must have a 'layers' array");
            for (JsonNode l : layers) blobs.add(descriptor(l, "layers[]"));
            if (artifactType == null && mediaType.equals(MediaTypes.OCI_MANIFEST)) {
                artifactType = configDescriptor.mediaType();
            }
        }
        JsonNode subjectNode = root.get("subject");
        Descriptor subject = subjectNode == null || subjectNode.isNull() ? null : descriptor(subjectNode, "subject");
        JsonNode annotations = root.get("annotations");
        String annotationsJson = annotations != null && annotations.isObject() ? annotations.toString() : null;
        return new Parsed(mediaType, blobs, manifests, subject, artifactType, annotationsJson);
    }

    /** The media type of a document that declares none (the OCI spec allows that): an index if it lists manifests. */
    public static String impliedMediaType(JsonNode document) {
        return document.has("manifests") ? MediaTypes.OCI_INDEX : MediaTypes.OCI_MANIFEST;
    }

    private static Descriptor descriptor(JsonNode node, String where) {
        if (!node.isObject()) throw invalid(where + " must be a descriptor object");
        String mediaType = text(node, "mediaType");
        if (mediaType == null) throw invalid(where + " is missing mediaType");
        String digest = text(node, "digest");
        Digest parsed;
        try {
            parsed = Digest.parse(digest);
        } catch (InvalidDigestException e) {
            throw invalid(where + " has an invalid digest '" + digest + "'");
        }
        JsonNode size = node.get("size");
        if (size == null || !size.canConvertToLong() || !size.isIntegralNumber() || size.longValue() < 0) {
            throw invalid(where + " (" + digest + ") needs a non-negative integer size");
        }
        return new Descriptor(mediaType, parsed, size.longValue(), MediaTypes.FOREIGN_LAYERS.contains(mediaType) || node.has("urls"));
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() ? value.textValue() : null;
    }

    private static InvalidManifestException invalid(String message) {
        return new InvalidManifestException(message);
    }
}
