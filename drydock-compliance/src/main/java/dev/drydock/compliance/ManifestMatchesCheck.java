package dev.drydock.compliance;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code manifest.matches}: the manifest describes the adapter it was pushed to. Its {@code engineId} (when
 * present), {@code category} and {@code engineMode} (when present) must equal the registered adapter's. Without
 * the adapter's details ({@code ./drydock check} without {@code --category}) the check is skipped with a note.
 */
public final class ManifestMatchesCheck implements Check {
    public static final String ID = "manifest.matches";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public List<String> needs() {
        return List.of(ManifestValidCheck.ID);
    }

    @Override
    public CheckResult run(CheckContext context) {
        BuildUnderTest build = context.build();
        JsonNode manifest = context.get(ManifestValidCheck.MANIFEST);
        Map<String, Object> evidence = new LinkedHashMap<>();
        if (build.category() == null && build.engineId() == null) {
            return CheckResult.skipped(ID, "not checked: the registered adapter is not known here; pass --category "
                    + "(and --engine-id) to ./drydock check to compare the manifest with it", evidence);
        }
        List<String> mismatches = new ArrayList<>();
        String manifestEngineId = manifest.path("engineId").asText(null);
        if (manifestEngineId != null && build.engineId() != null) {
            evidence.put("engineId", Map.of("manifest", manifestEngineId, "registered", build.engineId()));
            if (!manifestEngineId.equalsIgnoreCase(build.engineId())) {
                mismatches.add("its engineId is " + manifestEngineId + " but this adapter's is " + build.engineId()
                        + ": set \"engineId\": \"" + build.engineId() + "\" (or push to the adapter " + manifestEngineId + ")");
            }
        }
        String category = manifest.path("category").asText();
        if (build.category() != null) {
            evidence.put("category", Map.of("manifest", category, "registered", build.category()));
            if (!category.equals(build.category())) {
                mismatches.add("its category is " + category + " but the adapter is registered as " + build.category()
                        + ": set \"category\": \"" + build.category() + "\" (or register an adapter of category " + category + ")");
            }
        }
        String engineMode = manifest.path("engineMode").asText(null);
        if (engineMode != null && build.engineMode() != null) {
            evidence.put("engineMode", Map.of("manifest", engineMode, "registered", build.engineMode()));
            if (!engineMode.equals(build.engineMode())) {
                mismatches.add("its engineMode is " + engineMode + " but the adapter is registered with "
                        + build.engineMode() + ": set \"engineMode\": \"" + build.engineMode() + "\"");
            }
        }
        if (!mismatches.isEmpty()) {
            return CheckResult.failed(ID, "/var/manifest.json does not match the registered adapter: "
                    + String.join("; ", mismatches), evidence);
        }
        return CheckResult.passed(ID, "the manifest agrees with the registered adapter (" + String.join(", ", evidence.keySet()) + ")", evidence);
    }
}
