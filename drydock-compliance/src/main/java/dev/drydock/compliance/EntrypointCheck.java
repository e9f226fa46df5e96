package dev.drydock.compliance;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code image.entrypoint}: the image starts the adapter through an ENTRYPOINT in exec form. An image with only a
 * CMD fails (the platform passes its own arguments, which replace a CMD); a shell-form ENTRYPOINT
 * ({@code /bin/sh -c …}) is a warning: it works, but the shell, not the adapter, receives the stop signal.
 */
public final class EntrypointCheck implements Check {
    public static final String ID = "image.entrypoint";
    private static final String EXAMPLE = "ENTRYPOINT [\"/app/adapter\"]";
    private static final Set<String> SHELLS = Set.of("/bin/sh", "sh", "/bin/bash", "bash", "/bin/ash", "ash",
            "/usr/bin/sh", "/usr/bin/bash", "/bin/dash", "dash");

    @Override
    public String id() {
        return ID;
    }

    @Override
    public List<String> needs() {
        return List.of(ImagePlatformCheck.ID);
    }

    @Override
    public CheckResult run(CheckContext context) {
        JsonNode config = context.get(ImagePlatformCheck.CONFIG).path("config");
        List<String> entrypoint = strings(config.path("Entrypoint"));
        List<String> cmd = strings(config.path("Cmd"));
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("Entrypoint", entrypoint);
        evidence.put("Cmd", cmd);
        if (entrypoint.isEmpty()) {
            if (!cmd.isEmpty()) {
                return CheckResult.failed(ID, "The image sets only CMD " + cmd + ", no ENTRYPOINT: use ENTRYPOINT in exec "
                        + "form, e.g. " + EXAMPLE, evidence);
            }
            return CheckResult.failed(ID, "The image has no ENTRYPOINT: add one in exec form, e.g. " + EXAMPLE, evidence);
        }
        if (entrypoint.size() >= 2 && SHELLS.contains(entrypoint.get(0)) && entrypoint.get(1).equals("-c")) {
            return CheckResult.warning(ID, "ENTRYPOINT is in shell form (" + String.join(" ", entrypoint) + "): the shell, "
                    + "not your adapter, receives stop signals; use exec form, e.g. " + EXAMPLE, evidence);
        }
        return CheckResult.passed(ID, "ENTRYPOINT " + entrypoint + " in exec form", evidence);
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        if (array.isArray()) array.forEach(v -> values.add(v.asText()));
        return values;
    }
}
