package dev.drydock.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Locale;
import java.util.Set;

/**
 * Builds the task payload for one run, by category. The container gets it as the file {@code /var/payload.json}
 * (path in {@code PAYLOAD_FILE}) and as {@code PAYLOAD_JSON}.
 *
 * <p>Every payload: {@code applicationId, jobId, taskId, recordingId, token, veritoneApiBaseUrl, taskPayload}.
 * Pull/push adapters also get {@code mode: "ingest"}, {@code source {…}} (whose {@code details.url} is a sample
 * file served by the sandbox) and {@code metadata}; cognitive engines get a recording ({@code recordingId}) holding
 * the assets of their category ({@link TaskRecording}: {@code text} and {@code transcript} for text engines, a
 * {@code media} WAV for audio, an image for vision …), reachable through {@code temporalDataObject}, and the first
 * (the task's source asset) directly at {@code taskPayload.signedUri}.
 */
public final class TaskPayloads {
    public static final String PAYLOAD_PATH = "/var/payload.json";
    private static final Set<String> ADAPTER_CATEGORIES = Set.of("pull", "push", "adapter", "ingestion");
    private static final ObjectMapper JSON = new ObjectMapper();

    private TaskPayloads() {
    }

    public static boolean isAdapterCategory(String category) {
        return category != null && ADAPTER_CATEGORIES.contains(category.trim().toLowerCase(Locale.ROOT));
    }

    /** Ids of one run's task; all UUID-shaped strings, fresh per run. */
    public record Ids(String applicationId, String jobId, String taskId, String recordingId) {
        public static Ids random() {
            return new Ids(uuid(), uuid(), uuid(), uuid());
        }

        private static String uuid() {
            return java.util.UUID.randomUUID().toString();
        }
    }

    /**
     * @param apiBaseUrl the sandbox API as the container reaches it, e.g. {@code http://10.89.0.1:41234}
     * @param api        the run's API, holding the recording ({@link SandboxApi#recording()}) and signing its assets
     */
    public static ObjectNode build(SandboxRequest request, Ids ids, String token, String apiBaseUrl, SandboxApi api) {
        String sampleAssetId = api.sampleAssetId();
        SampleMedia sample = api.recording().primary().media();
        String sampleUrl = api.signedUri(sampleAssetId);
        ObjectNode p = JSON.createObjectNode();
        p.put("applicationId", ids.applicationId());
        p.put("jobId", ids.jobId());
        p.put("taskId", ids.taskId());
        p.put("recordingId", ids.recordingId());
        p.put("token", token);
        p.put("veritoneApiBaseUrl", apiBaseUrl);
        ObjectNode task = p.putObject("taskPayload");
        JsonNode manifest = request.adapterManifest();
        if (api.recording().ingest()) {
            p.put("mode", "ingest");
            ObjectNode source = p.putObject("source");
            source.put("id", "sandbox-source");
            source.put("name", "Drydock sandbox source");
            source.put("sourceTypeId", "sandbox");
            ObjectNode details = source.putObject("details");
            details.put("url", sampleUrl);
            details.put("contentType", sample.contentType());
            ObjectNode metadata = p.putObject("metadata");
            metadata.put("name", "Drydock sandbox ingest");
            metadata.put("sandbox", true);
            p.put("fileId", sampleAssetId);
            task.put("mode", "ingest");
            task.set("source", source.deepCopy());
            task.set("metadata", metadata.deepCopy());
        } else {
            task.put("assetId", sampleAssetId);
            task.put("contentType", sample.contentType());
            task.put("signedUri", sampleUrl);
            task.set("outputFormats", manifest.path("outputFormats").isArray() ? manifest.get("outputFormats").deepCopy()
                    : JSON.createArrayNode());
        }
        task.put("engineId", manifest.path("engineId").asText(""));
        task.put("category", request.category());
        return p;
    }
}
