package dev.drydock.scanner.advisory;

import dev.drydock.scanner.advisory.Advisory.Affected;
import dev.drydock.scanner.advisory.Advisory.Event;
import dev.drydock.scanner.advisory.Advisory.Kind;
import dev.drydock.scanner.inventory.PythonInventory;
import dev.drydock.scanner.versions.VersionComparator;
import dev.drydock.scanner.versions.Versions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * In-memory lookup from (ecosystem, package) to the advisories affecting it, with each range's events sorted once
 * by the ecosystem's version order, so matching a package costs one hash lookup plus a walk over the few ranges of
 * that one package. Immutable once built; safe to share between scans.
 *
 * <p>Ecosystem keys are lower-cased; Ubuntu's {@code :LTS}/{@code :Pro} suffixes are dropped; a record for an
 * unversioned ecosystem ({@code Debian}) applies to every release ({@code Debian:12}). PyPI names are normalised
 * (PEP 503).
 */
public final class AdvisoryIndex {
    private final Map<String, Map<String, List<Entry>>> byEcosystem;
    private final String dataVersion;
    private final Instant importedAt;
    private final int advisories;
    private final long ranges;

    private AdvisoryIndex(Map<String, Map<String, List<Entry>>> byEcosystem, String dataVersion, Instant importedAt,
                          int advisories, long ranges) {
        this.byEcosystem = byEcosystem;
        this.dataVersion = dataVersion;
        this.importedAt = importedAt;
        this.advisories = advisories;
        this.ranges = ranges;
    }

    /** One affected entry, ready for matching. */
    private record Entry(Advisory advisory, Affected affected, List<List<Event>> sortedRanges, Set<String> versions,
                         VersionComparator comparator) {}

    /** An advisory affecting a package version; {@code fixedBy} is the first fixed version above it, or null. */
    public record Hit(Advisory advisory, Affected affected, String fixedBy) {}

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private final Map<String, Map<String, List<Entry>>> map = new HashMap<>();
        private int advisories;
        private long ranges;

        public Builder add(Advisory advisory) {
            if (advisory.withdrawn()) return this;
            advisories++;
            for (Affected af : advisory.affected()) {
                Optional<VersionComparator> cmp = Versions.forEcosystem(af.ecosystem());
                List<List<Event>> sorted = new ArrayList<>();
                if (cmp.isPresent()) {
                    for (Advisory.Range r : af.ranges()) {
                        if (!r.type().equals("ECOSYSTEM") && !r.type().equals("SEMVER")) continue;   // GIT: commits
                        List<Event> events = new ArrayList<>(r.events());
                        events.sort(eventOrder(cmp.get()));
                        sorted.add(List.copyOf(events));
                    }
                }
                ranges += sorted.size();
                map.computeIfAbsent(ecosystemKey(af.ecosystem()), k -> new HashMap<>())
                        .computeIfAbsent(packageKey(af.ecosystem(), af.name()), k -> new ArrayList<>(2))
                        .add(new Entry(advisory, af, sorted, Set.copyOf(af.versions()), cmp.orElse(null)));
            }
            return this;
        }

        public AdvisoryIndex build(String dataVersion, Instant importedAt) {
            return new AdvisoryIndex(map, dataVersion, importedAt, advisories, ranges);
        }
    }

    private static Comparator<Event> eventOrder(VersionComparator cmp) {
        return (a, b) -> {
            boolean za = a.kind() == Kind.INTRODUCED && a.version().equals("0");
            boolean zb = b.kind() == Kind.INTRODUCED && b.version().equals("0");
            if (za || zb) return za == zb ? 0 : (za ? -1 : 1);
            return cmp.compare(a.version(), b.version());
        };
    }

    static String ecosystemKey(String ecosystem) {
        String key = ecosystem.toLowerCase(Locale.ROOT).strip();
        if (key.startsWith("ubuntu:")) key = key.replaceAll(":(lts|pro)$", "").replace("ubuntu:pro:", "ubuntu:");
        return key;
    }

    static String packageKey(String ecosystem, String name) {
        return ecosystem.equalsIgnoreCase("PyPI") ? PythonInventory.normalize(name) : name;
    }

    /** The advisories that affect {@code version} of package {@code name} in {@code ecosystem}. */
    public List<Hit> affecting(String ecosystem, String name, String version) {
        String key = ecosystemKey(ecosystem);
        List<Hit> hits = new ArrayList<>();
        collect(key, ecosystem, name, version, hits);
        int colon = key.indexOf(':');
        if (colon > 0) collect(key.substring(0, colon), ecosystem, name, version, hits);
        return hits;
    }

    private void collect(String key, String ecosystem, String name, String version, List<Hit> hits) {
        Map<String, List<Entry>> packages = byEcosystem.get(key);
        if (packages == null) return;
        List<Entry> entries = packages.get(packageKey(ecosystem, name));
        if (entries == null) return;
        for (Entry e : entries) {
            String[] fixedBy = {null};
            boolean hit = e.versions.contains(version);
            if (e.comparator != null) {
                for (List<Event> events : e.sortedRanges) {
                    if (inRange(events, version, e.comparator, fixedBy)) {
                        hit = true;
                        break;
                    }
                }
            }
            if (hit) hits.add(new Hit(e.advisory, e.affected, fixedBy[0]));
        }
    }

    /**
     * OSV range evaluation over events sorted by version: affected from an {@code introduced} at or below the
     * version until a {@code fixed} at or below it (or a {@code last_affected} below it). The first {@code fixed}
     * above the version while affected is the fix.
     */
    static boolean inRange(List<Event> events, String version, VersionComparator cmp, String[] fixedBy) {
        boolean affected = false;
        String fix = null;
        for (Event e : events) {
            switch (e.kind()) {
                case INTRODUCED -> {
                    if (e.version().equals("0") || cmp.compare(version, e.version()) >= 0) {
                        affected = true;
                        fix = null;
                    }
                }
                case FIXED -> {
                    if (cmp.compare(version, e.version()) >= 0) affected = false;
                    else if (affected && fix == null) fix = e.version();
                }
                case LAST_AFFECTED -> {
                    if (cmp.compare(version, e.version()) > 0) affected = false;
                }
                case LIMIT -> { }
            }
        }
        if (affected) fixedBy[0] = fix;
        return affected;
    }

    /** Names the data: sources, their newest record and import time. */
    public String dataVersion() { return dataVersion; }

    /** When the oldest source was imported (the data's age), or null without data. */
    public Instant importedAt() { return importedAt; }

    public int advisories() { return advisories; }

    public long ranges() { return ranges; }
}
