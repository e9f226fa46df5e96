package dev.drydock.compliance;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code manifest.matches}: the manifest describes the adapter it was pushed to, as Veritone's platform compares them.
 * <ul>
 *   <li>{@code engineId}, when present, must equal the registered adapter's;</li>
 *   <li>{@code category} is compared leniently ({@link ManifestCategories}): case, spaces, hyphens and underscores do
 *       not count, and Veritone's names and platform keys count as the category they name. A category naming another
 *       registration category fails; a missing one, or one Drydock does not know, is a warning naming what the
 *       adapter was registered as (the platform fixes the category at registration);</li>
 *   <li>{@code engineMode}, when batch, chunk or stream, must equal the registered mode; {@code legacy} (the platform's
 *       default mode) and an empty mode are not compared.</li>
 * </ul>
 * Without the adapter's details ({@code ./drydock check} without {@code --category}) the check is skipped with a note.
 */
public final class ManifestMatchesCheck implements Check {
    public static final String ID = "manifest.matches";
    private static final Set<String> COMPARED_MODES = Set.of("batch", "chunk", "stream");

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
        JsonNode manifest = context.get(ManifestValidCheck.AS_WRITTEN);
        Map<String, Object> evidence = new LinkedHashMap<>();
        if (build.category() == null && build.engineId() == null) {
            return CheckResult.skipped(ID, "not checked: the registered adapter is not known here; pass --category "
                    + "(and --engine-id) to ./drydock check to compare the manifest with it", evidence);
        }
        List<String> mismatches = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        String manifestEngineId = manifest.path("engineId").asText(null);
        if (manifestEngineId != null && build.engineId() != null) {
            evidence.put("engineId", Map.of("manifest", manifestEngineId, "registered", build.engineId()));
            if (!manifestEngineId.equalsIgnoreCase(build.engineId())) {
                mismatches.add("its engineId is " + manifestEngineId + " but this adapter's is " + build.engineId()
                        + ": set \"engineId\": \"" + build.engineId() + "\" (or push to the adapter " + manifestEngineId + ")");
            }
        }
        if (build.category() != null) {
            String registered = build.category();
            String declared = manifest.hasNonNull("category") ? manifest.get("category").asText() : null;
            String reads = ManifestCategories.resolve(declared).orElse(null);
            Map<String, Object> category = new LinkedHashMap<>();
            category.put("manifest", declared);
            category.put("reads", reads);
            category.put("registered", registered);
            evidence.put("category", category);
            if (declared == null || declared.isBlank()) {
                warnings.add("the manifest has no category; the platform takes it from the registration, where this adapter is "
                        + registered + ": add \"category\": \"" + registered + "\" to say so");
            } else if (reads == null) {
                warnings.add("its category " + declared + " is not one Drydock knows (docs/checks.md lists Veritone's names "
                        + "for each category); this adapter is registered as " + registered + ", which is what counts: set \"category\": \""
                        + registered + "\"");
            } else if (!reads.equals(registered)) {
                mismatches.add("its category is " + declared + (reads.equals(declared) ? "" : " (" + reads + ")")
                        + " but the adapter is registered as " + registered + ": set \"category\": \"" + registered
                        + "\" (or register an adapter of category " + reads + ")");
            } else if (!reads.equals(declared)) {
                notes.add("category " + declared + " is " + reads);
            }
        }
        String engineMode = manifest.path("engineMode").asText(null);
        if (engineMode != null && !engineMode.isEmpty() && build.engineMode() != null) {
            evidence.put("engineMode", Map.of("manifest", engineMode, "registered", build.engineMode()));
            if (!COMPARED_MODES.contains(engineMode)) {
                notes.add("engineMode " + engineMode + " (the platform's default mode) is not compared with the registered "
                        + build.engineMode());
            } else if (!engineMode.equals(build.engineMode())) {
                mismatches.add("its engineMode is " + engineMode + " but the adapter is registered with "
                        + build.engineMode() + ": set \"engineMode\": \"" + build.engineMode() + "\"");
            }
        }
        if (!warnings.isEmpty()) evidence.put("warnings", warnings);
        if (!mismatches.isEmpty()) {
            return CheckResult.failed(ID, "/var/manifest.json does not match the registered adapter: "
                    + String.join("; ", mismatches), evidence);
        }
        boolean categoryWarned = !warnings.isEmpty();
        List<String> agreeing = evidence.keySet().stream()
                .filter(k -> !k.equals("warnings") && !(categoryWarned && k.equals("category"))).toList();
        String compared = agreeing.isEmpty() ? "" : "the manifest agrees with the registered adapter (" + String.join(", ", agreeing) + ")";
        if (!notes.isEmpty()) compared += (compared.isEmpty() ? "" : "; ") + String.join("; ", notes);
        if (categoryWarned) {
            return CheckResult.warning(ID, String.join("; ", warnings) + (compared.isEmpty() ? "" : "; " + compared), evidence);
        }
        return CheckResult.passed(ID, compared, evidence);
    }
}
