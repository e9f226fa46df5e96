package dev.drydock.compliance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The manifest rules the schema cannot state, applied to a manifest that matches the schema, as Veritone's
 * platform has them (docs/checks.md names the public source of each):
 * <ul>
 *   <li>a missing {@code supportedInputFormats} defaults to {@code [preferredInputFormat]}, with a warning (the
 *       adapter manifest docs mark it optional; some of Veritone's own manifests omit it);</li>
 *   <li>each {@code externalCalls} entry is reduced to its host ({@code "http://s3.amazonaws.com"}, Veritone's own
 *       example, allows {@code s3.amazonaws.com}; {@code "*.example.com"} allows {@code example.com} and its
 *       subdomains, which is what the sandbox's egress proxy allows for a domain);</li>
 *   <li>a {@code category} that names a registration category is replaced by its id ({@link ManifestCategories});</li>
 *   <li>{@code engineMode ""} (how the platform stores an unset mode) is dropped;</li>
 *   <li>an adapter (registered, or else declared, as pull or push) must say {@code engineMode} batch or stream
 *       even when the manifest leaves out its category or writes it in another case (the schema can only require it
 *       when the category says pull or push); a manifest naming an engine category is left to
 *       {@code manifest.matches}, whose mismatch is the root cause.</li>
 * </ul>
 * The result is the manifest the later checks and the sandbox run read: its {@code externalCalls} are hosts, which
 * is what the sandbox's egress proxy compares destinations with.
 */
final class ManifestRules {
    /**
     * @param manifest   the manifest as the later checks and the sandbox read it
     * @param warnings   what works but should be fixed, one sentence each
     * @param violations what breaks a rule (path + message, like schema violations)
     * @param notes      what Drydock read differently from the text, for the evidence (e.g. the hosts of URLs)
     */
    record Outcome(ObjectNode manifest, List<String> warnings, List<ShippedSchema.Violation> violations,
                   Map<String, Object> notes) {}

    private static final Pattern SCHEME = Pattern.compile("[a-zA-Z][a-zA-Z0-9+.-]*://");

    private ManifestRules() {}

    static Outcome apply(JsonNode asWritten, String registeredCategory) {
        ObjectNode m = asWritten.deepCopy();
        List<String> warnings = new ArrayList<>();
        List<ShippedSchema.Violation> violations = new ArrayList<>();
        Map<String, Object> notes = new LinkedHashMap<>();

        if (!m.has("supportedInputFormats")) {
            String preferred = m.path("preferredInputFormat").asText();
            m.set("supportedInputFormats", JsonNodeFactory.instance.arrayNode().add(preferred));
            warnings.add("supportedInputFormats is missing: Drydock takes it to be [\"" + preferred + "\"] (the "
                    + "preferredInputFormat); list every input format the engine accepts, e.g. \"supportedInputFormats\": [\""
                    + preferred + "\"]");
            notes.put("supportedInputFormats", "defaulted to [preferredInputFormat]");
        }

        if (m.path("externalCalls").isArray()) {
            Set<String> hosts = new LinkedHashSet<>();
            Map<String, String> reduced = new LinkedHashMap<>();
            for (JsonNode entry : m.get("externalCalls")) {
                String declared = entry.asText();
                String host = host(declared);
                hosts.add(host);
                if (!host.equals(declared)) reduced.put(declared, host);
            }
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            hosts.forEach(out::add);
            m.set("externalCalls", out);
            if (!reduced.isEmpty()) notes.put("externalCalls", reduced);
        }

        String declaredCategory = textOrNull(m.get("category"));
        String resolved = ManifestCategories.resolve(declaredCategory).orElse(null);
        if (resolved != null && !resolved.equals(declaredCategory)) {
            m.put("category", resolved); // manifest.matches reports how it read the category
        }

        if (m.has("engineMode") && m.get("engineMode").asText().isEmpty()) m.remove("engineMode");

        String adapterCategory = ManifestCategories.isAdapter(registeredCategory) ? registeredCategory
                : registeredCategory == null && ManifestCategories.isAdapter(resolved) ? resolved : null;
        // the schema already holds a manifest whose category is literally pull or push to this; a manifest naming an
        // engine category is another adapter's, which manifest.matches reports as the one root cause
        if (adapterCategory != null && !ManifestCategories.isAdapter(declaredCategory)
                && (resolved == null || ManifestCategories.isAdapter(resolved))) {
            String mode = textOrNull(m.get("engineMode"));
            if (mode == null) {
                violations.add(new ShippedSchema.Violation("$", "required property 'engineMode' not found: adapters ("
                        + adapterCategory + ") run in batch or stream mode, e.g. \"engineMode\": \"batch\""));
            } else if (!mode.equals("batch") && !mode.equals("stream")) {
                violations.add(new ShippedSchema.Violation("$.engineMode", "adapters (" + adapterCategory
                        + ") run in batch or stream mode, not " + mode));
            }
        }
        return new Outcome(m, warnings, violations, notes);
    }

    /**
     * The host an {@code externalCalls} entry allows: the entry without scheme, user info, port, path, query or
     * trailing dot, lower-cased; a leading {@code *.} is dropped (the egress proxy allows a domain's subdomains).
     */
    static String host(String entry) {
        String s = entry.trim();
        // Only a leading scheme, as the schema's pattern reads it: a "://" in the path or query is not the host's start.
        Matcher scheme = SCHEME.matcher(s);
        if (scheme.lookingAt()) s = s.substring(scheme.end());
        int end = s.length();
        for (char c : new char[]{'/', '?', '#'}) {
            int i = s.indexOf(c);
            if (i >= 0 && i < end) end = i;
        }
        s = s.substring(0, end);
        int at = s.lastIndexOf('@');
        if (at >= 0) s = s.substring(at + 1);
        int colon = s.indexOf(':');
        if (colon >= 0) s = s.substring(0, colon);
        if (s.endsWith(".")) s = s.substring(0, s.length() - 1);
        if (s.startsWith("*.")) s = s.substring(2);
        return s.toLowerCase(Locale.ROOT);
    }

    private static String textOrNull(JsonNode n) {
        return n == null || !n.isTextual() || n.asText().isBlank() ? null : n.asText();
    }
}
