package dev.drydock.scanner.advisory;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.scanner.advisory.Advisory.Affected;
import dev.drydock.scanner.advisory.Advisory.Event;
import dev.drydock.scanner.advisory.Advisory.Kind;
import dev.drydock.scanner.advisory.Advisory.Range;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Distribution feeds turned into {@link Advisory} records, so they are stored, versioned and matched like OSV:
 * <ul>
 *   <li>Alpine secdb ({@code https://secdb.alpinelinux.org/v3.18/main.json}): per package, {@code secfixes} maps a
 *       fixed version to the ids it fixes ({@code "0"}: never affected in this release). One advisory per
 *       release, repository and id, affecting {@code Alpine:<release>} packages below the fixed version.</li>
 *   <li>Debian security tracker ({@code https://security-tracker.debian.org/tracker/data/json}): per source
 *       package and id, per release codename a status ({@code resolved} with {@code fixed_version},
 *       {@code open}), and Debian's urgency (kept as the vendor severity). One advisory per package and id,
 *       read as a stream (the file is large).</li>
 * </ul>
 * Neither feed has timestamps or CVSS vectors: {@code modified} is the epoch (the import time says the age), and
 * severity is Debian's urgency or Unknown.
 */
final class DistroFeeds {
    private static final Map<String, String> DEBIAN_RELEASES = Map.of("buster", "10", "bullseye", "11", "bookworm", "12",
            "trixie", "13", "forky", "14", "sid", "unstable");

    private DistroFeeds() {}

    static void alpineSecDb(Path file, AdvisoryStore.RecordSink sink) throws IOException {
        JsonNode root;
        try (InputStream in = Files.newInputStream(file)) {
            root = OsvParser.JSON.readTree(in);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            sink.error(file.toString(), "not JSON: " + e.getOriginalMessage());
            return;
        }
        String release = root.path("distroversion").asText(""), repo = root.path("reponame").asText("");
        if (!release.matches("v\\d+\\.\\d+|edge") || repo.isBlank()) {
            sink.error(file.toString(), "not an Alpine secdb file (distroversion and reponame required)");
            return;
        }
        Map<String, List<Affected>> byId = new LinkedHashMap<>();
        int index = 0;
        for (JsonNode p : root.path("packages")) {
            String where = file.getFileName() + ": packages[" + index++ + "]";
            String name = p.path("pkg").path("name").asText("");
            JsonNode secfixes = p.path("pkg").path("secfixes");
            if (name.isBlank()) {
                sink.error(where, "package without a name");
                continue;
            }
            for (var fix : (Iterable<Map.Entry<String, JsonNode>>) secfixes::fields) {
                if (fix.getKey().equals("0")) continue;   // listed as never affected in this release
                for (JsonNode ids : fix.getValue()) {
                    for (String id : ids.asText("").split("\\s+")) {
                        if (id.isBlank()) continue;
                        byId.computeIfAbsent(id, k -> new ArrayList<>()).add(new Affected("Alpine:" + release, name,
                                List.of(new Range("ECOSYSTEM", List.of(new Event(Kind.INTRODUCED, "0"),
                                        new Event(Kind.FIXED, fix.getKey())))), List.of(), null));
                    }
                }
            }
        }
        byId.forEach((id, affected) -> sink.advisory(file.getFileName().toString(), new Advisory(
                "ALPINE-" + release + "-" + repo + "-" + id, List.of(id), "", "", Instant.EPOCH, false, null, null, null,
                List.of(), affected)));
    }

    static void debianTracker(Path file, AdvisoryStore.RecordSink sink) throws IOException {
        try (InputStream in = Files.newInputStream(file); JsonParser parser = OsvParser.JSON.createParser(in)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                sink.error(file.toString(), "not a Debian security tracker file (a JSON object of source packages)");
                return;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String pkg = parser.currentName();
                parser.nextToken();
                JsonNode ids = parser.readValueAsTree();
                for (var entry : (Iterable<Map.Entry<String, JsonNode>>) ids::fields) {
                    debianRecord(pkg, entry.getKey(), entry.getValue(), sink);
                }
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            sink.error(file.toString(), "JSON broken at " + e.getLocation() + ": " + e.getOriginalMessage()
                    + "; records before it were imported");
        }
    }

    private static void debianRecord(String pkg, String id, JsonNode record, AdvisoryStore.RecordSink sink) {
        List<Affected> affected = new ArrayList<>();
        for (var rel : (Iterable<Map.Entry<String, JsonNode>>) record.path("releases")::fields) {
            String version = DEBIAN_RELEASES.get(rel.getKey());
            if (version == null) continue;
            JsonNode r = rel.getValue();
            String status = r.path("status").asText(""), fixed = r.path("fixed_version").asText("");
            String urgency = r.path("urgency").asText("");
            List<Event> events = new ArrayList<>(List.of(new Event(Kind.INTRODUCED, "0")));
            if (status.equals("resolved")) {
                if (fixed.isBlank() || fixed.equals("0")) continue;   // never affected in this release
                events.add(new Event(Kind.FIXED, fixed));
            } else if (!status.equals("open")) {
                continue;   // undetermined: nothing to match on
            }
            affected.add(new Affected("Debian:" + version, pkg, List.of(new Range("ECOSYSTEM", events)), List.of(),
                    urgency.isBlank() || urgency.startsWith("not yet") ? null : urgency));
        }
        if (affected.isEmpty()) return;
        sink.advisory(pkg + "/" + id, new Advisory("DEBIAN-" + id + "-" + pkg, List.of(id), "",
                record.path("description").asText(""), Instant.EPOCH, false, null, null, null, List.of(), affected));
    }
}
