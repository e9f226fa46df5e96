package dev.drydock.compliance;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drydock.image.FileEntry;
import dev.drydock.image.ImageFilesystem;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code manifest.valid}: {@code /var/manifest.json} is UTF-8 JSON (duplicate keys and anything after the
 * document rejected: which one would the platform read?), conforms to the manifest schema ({@link ShippedSchema#MANIFEST})
 * and to the rules the schema cannot state ({@link ManifestRules}); every violation is listed with its JSON path, in
 * the message and in the evidence. What works but should be fixed (a missing {@code supportedInputFormats}) makes it a
 * warning, which does not fail the build.
 */
public final class ManifestValidCheck implements Check {
    public static final String ID = "manifest.valid";
    /**
     * Fact: the manifest as the later checks and the sandbox run read it (an ObjectNode), set only when it is valid:
     * the file with {@link ManifestRules} applied (defaults filled in, {@code externalCalls} reduced to hosts, a
     * category Veritone names by another name replaced by its registration id).
     */
    public static final CheckContext.Key<JsonNode> MANIFEST = CheckContext.Key.of("manifest");
    /** Fact: the manifest exactly as the file has it, set only when it is valid. */
    public static final CheckContext.Key<JsonNode> AS_WRITTEN = CheckContext.Key.of("manifestAsWritten");
    /** Larger than any real manifest; stops a multi-megabyte file from being parsed and echoed into reports. */
    static final int MAX_BYTES = 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final String SCHEMA_HINT = " (the schema: GET /api/v1/schemas/manifest.json; fields in docs/checks.md)";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public List<String> needs() {
        return List.of(ManifestPresentCheck.ID);
    }

    @Override
    public CheckResult run(CheckContext context) throws Exception {
        ImageFilesystem fs = context.get(ImageFilesystemCheck.FILESYSTEM);
        FileEntry entry = context.get(ManifestPresentCheck.ENTRY);
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("size", entry.size());
        byte[] bytes;
        try (InputStream in = fs.open(entry)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        }
        if (bytes.length > MAX_BYTES) {
            return CheckResult.failed(ID, "/var/manifest.json is larger than 1 MiB: copy your manifest (a small JSON "
                    + "file) to /var/manifest.json, not another file", evidence);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return CheckResult.failed(ID, "/var/manifest.json is not UTF-8 text: save it as UTF-8 JSON", evidence);
        }
        if (text.isBlank()) {
            return CheckResult.failed(ID, "/var/manifest.json is empty: write the manifest's JSON into it" + SCHEMA_HINT, evidence);
        }
        JsonNode manifest;
        try {
            manifest = JSON.readTree(text);
        } catch (JsonParseException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            evidence.put("parseError", e.getOriginalMessage());
            return CheckResult.failed(ID, "/var/manifest.json is not valid JSON" + where + ": " + e.getOriginalMessage()
                    + "; fix the syntax (check it with: jq . manifest.json)", evidence);
        } catch (IOException e) {
            evidence.put("parseError", e.getMessage());
            return CheckResult.failed(ID, "/var/manifest.json is not valid JSON: " + e.getMessage()
                    + "; fix the syntax (check it with: jq . manifest.json)", evidence);
        }
        List<ShippedSchema.Violation> violations = new ArrayList<>(ShippedSchema.MANIFEST.violations(text));
        ManifestRules.Outcome rules = null;
        if (violations.isEmpty() && manifest.isObject()) {
            rules = ManifestRules.apply(manifest, context.build().category());
            violations.addAll(rules.violations());
        }
        if (!violations.isEmpty()) {
            List<Map<String, String>> listed = new ArrayList<>();
            List<String> sentences = new ArrayList<>();
            for (ShippedSchema.Violation v : violations) {
                v = withRegisteredEngineId(v, manifest, context.build().engineId());
                listed.add(Map.of("path", v.path(), "message", v.message()));
                sentences.add(v.toString());
            }
            evidence.put("violations", listed);
            return CheckResult.failed(ID, "/var/manifest.json does not match the manifest schema (" + violations.size()
                    + (violations.size() == 1 ? " problem" : " problems") + "): " + String.join("; ", sentences)
                    + ". Fix these fields" + SCHEMA_HINT, evidence);
        }
        context.put(AS_WRITTEN, manifest);
        context.put(MANIFEST, rules.manifest());
        evidence.put("category", manifest.path("category").asText());
        evidence.putAll(rules.notes());
        String message = "/var/manifest.json is valid JSON and matches the manifest schema";
        if (rules.notes().get("externalCalls") instanceof Map<?, ?> reduced) {
            List<String> hosts = new ArrayList<>();
            reduced.forEach((url, host) -> hosts.add(url + " allows " + host));
            message += " (externalCalls: " + String.join(", ", hosts) + ")";
        }
        if (!rules.warnings().isEmpty()) {
            evidence.put("warnings", rules.warnings());
            return CheckResult.warning(ID, message + "; " + String.join("; ", rules.warnings()), evidence);
        }
        return CheckResult.passed(ID, message, evidence);
    }

    /**
     * A wrong {@code engineId} (a placeholder such as YOUR-ENGINE-ID, copied from a sample) names the value to write
     * when the registered adapter is known.
     */
    private static ShippedSchema.Violation withRegisteredEngineId(ShippedSchema.Violation v, JsonNode manifest, String engineId) {
        if (engineId == null || !v.path().equals("$.engineId")) return v;
        return new ShippedSchema.Violation(v.path(), "\"" + manifest.path("engineId").asText() + "\" " + v.message()
                + ": set \"engineId\": \"" + engineId + "\" (this adapter's) or leave it out");
    }
}
