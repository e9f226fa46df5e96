package dev.drydock.scanner.advisory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.drydock.scanner.advisory.Advisory.Affected;
import dev.drydock.scanner.advisory.Advisory.Event;
import dev.drydock.scanner.advisory.Advisory.Kind;
import dev.drydock.scanner.advisory.Advisory.Range;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads OSV records (the Open Source Vulnerability schema, 1.x) into {@link Advisory}, and writes an advisory back
 * as OSV JSON (how the store keeps it). Severity sources: {@code severity[]} entries of type {@code CVSS_V3} /
 * {@code CVSS_V2} (vectors); the publisher's word from {@code database_specific.severity} (GitHub) or an affected
 * entry's {@code ecosystem_specific.severity} / {@code urgency} (distribution trackers).
 */
public final class OsvParser {
    static final ObjectMapper JSON = new ObjectMapper();

    private OsvParser() {}

    public static Advisory parse(byte[] json) throws MalformedRecordException {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new MalformedRecordException("not JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        return parse(root);
    }

    public static Advisory parse(JsonNode root) throws MalformedRecordException {
        if (root == null || !root.isObject()) throw new MalformedRecordException("not a JSON object");
        String id = text(root, "id");
        if (id == null || id.isBlank()) throw new MalformedRecordException("no id");
        if (id.length() > 200) throw new MalformedRecordException("id longer than 200 characters");
        String modifiedText = text(root, "modified");
        if (modifiedText == null) throw new MalformedRecordException(id + ": no modified time");
        Instant modified;
        try {
            modified = Instant.parse(modifiedText);
        } catch (DateTimeParseException e) {
            throw new MalformedRecordException(id + ": modified is not an RFC 3339 time: " + modifiedText);
        }
        List<String> aliases = new ArrayList<>();
        root.path("aliases").forEach(a -> { if (a.isTextual()) aliases.add(a.asText()); });
        String cvss3 = null, cvss2 = null;
        for (JsonNode s : root.path("severity")) {
            String type = s.path("type").asText(""), score = s.path("score").asText("");
            if (type.equals("CVSS_V3") && score.startsWith("CVSS:3")) cvss3 = score;
            if (type.equals("CVSS_V2") && !score.isBlank()) cvss2 = score;
        }
        String severity = text(root.path("database_specific"), "severity");
        List<Affected> affected = new ArrayList<>();
        int index = 0;
        for (JsonNode a : root.path("affected")) {
            affected.add(affected(id, index++, a));
        }
        if (affected.isEmpty() && root.path("withdrawn").isMissingNode()) {
            throw new MalformedRecordException(id + ": no affected packages");
        }
        List<String> references = new ArrayList<>();
        for (String preferred : List.of("ADVISORY", "WEB", "REPORT", "ARTICLE")) {
            for (JsonNode r : root.path("references")) {
                if (r.path("type").asText().equals(preferred) && r.path("url").isTextual()) references.add(r.path("url").asText());
            }
        }
        return new Advisory(id, aliases, root.path("summary").asText(""), root.path("details").asText(""), modified,
                root.hasNonNull("withdrawn"), cvss3, cvss2, severity, references, affected);
    }

    private static Affected affected(String id, int index, JsonNode a) throws MalformedRecordException {
        String where = id + ": affected[" + index + "]";
        String ecosystem = text(a.path("package"), "ecosystem"), name = text(a.path("package"), "name");
        if (ecosystem == null || name == null || ecosystem.isBlank() || name.isBlank()) {
            throw new MalformedRecordException(where + ": package.ecosystem and package.name are required");
        }
        List<Range> ranges = new ArrayList<>();
        for (JsonNode r : a.path("ranges")) {
            String type = r.path("type").asText("");
            if (!type.equals("ECOSYSTEM") && !type.equals("SEMVER")) continue;   // GIT ranges need commit history
            List<Event> events = new ArrayList<>();
            for (JsonNode e : r.path("events")) {
                var fields = e.fields();
                if (!fields.hasNext()) throw new MalformedRecordException(where + ": empty range event");
                var f = fields.next();
                Kind kind = switch (f.getKey()) {
                    case "introduced" -> Kind.INTRODUCED;
                    case "fixed" -> Kind.FIXED;
                    case "last_affected" -> Kind.LAST_AFFECTED;
                    case "limit" -> Kind.LIMIT;
                    default -> throw new MalformedRecordException(where + ": unknown range event " + f.getKey());
                };
                if (!f.getValue().isTextual() || f.getValue().asText().isBlank()) {
                    throw new MalformedRecordException(where + ": range event " + f.getKey() + " has no version");
                }
                events.add(new Event(kind, f.getValue().asText()));
            }
            if (events.stream().noneMatch(e -> e.kind() == Kind.INTRODUCED)) {
                throw new MalformedRecordException(where + ": a range without an introduced event");
            }
            ranges.add(new Range(type, events));
        }
        List<String> versions = new ArrayList<>();
        a.path("versions").forEach(v -> { if (v.isTextual()) versions.add(v.asText()); });
        JsonNode specific = a.path("ecosystem_specific");
        String severity = text(specific, "severity");
        if (severity == null) severity = text(specific, "urgency");
        return new Affected(ecosystem, name, ranges, versions, severity);
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isTextual() ? v.asText() : null;
    }

    /** The advisory as an OSV record (only the fields Drydock keeps). */
    public static byte[] write(Advisory a) {
        ObjectNode root = JSON.createObjectNode();
        root.put("schema_version", "1.6.0");
        root.put("id", a.id());
        root.put("modified", a.modified().toString());
        if (a.withdrawn()) root.put("withdrawn", a.modified().toString());
        ArrayNode aliases = root.putArray("aliases");
        a.aliases().forEach(aliases::add);
        root.put("summary", a.summary());
        root.put("details", a.details());
        ArrayNode severity = root.putArray("severity");
        if (a.cvssV3() != null) severity.addObject().put("type", "CVSS_V3").put("score", a.cvssV3());
        if (a.cvssV2() != null) severity.addObject().put("type", "CVSS_V2").put("score", a.cvssV2());
        if (a.severity() != null) root.putObject("database_specific").put("severity", a.severity());
        ArrayNode refs = root.putArray("references");
        a.references().forEach(u -> refs.addObject().put("type", "WEB").put("url", u));
        ArrayNode affected = root.putArray("affected");
        for (Affected af : a.affected()) {
            ObjectNode o = affected.addObject();
            o.putObject("package").put("ecosystem", af.ecosystem()).put("name", af.name());
            ArrayNode ranges = o.putArray("ranges");
            for (Range r : af.ranges()) {
                ObjectNode ro = ranges.addObject().put("type", r.type());
                ArrayNode events = ro.putArray("events");
                for (Event e : r.events()) events.addObject().put(e.kind().name().toLowerCase(Locale.ROOT), e.version());
            }
            ArrayNode versions = o.putArray("versions");
            af.versions().forEach(versions::add);
            if (af.severity() != null) o.putObject("ecosystem_specific").put("severity", af.severity());
        }
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
