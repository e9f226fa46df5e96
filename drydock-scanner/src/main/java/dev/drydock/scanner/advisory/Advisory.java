package dev.drydock.scanner.advisory;

import java.time.Instant;
import java.util.List;

/**
 * One advisory as Drydock keeps it: the parts of an OSV record that matching and the report use.
 *
 * @param id             the record's id ({@code CVE-2021-44228}, {@code GHSA-jfh8-c2jp-5v3q}, {@code DEBIAN-CVE-…})
 * @param aliases        other ids of the same vulnerability
 * @param summary        one line, may be empty
 * @param details        the description, may be empty
 * @param modified       when the record last changed (decides whether a re-import updates it)
 * @param withdrawn      whether the record was withdrawn (kept, never matched)
 * @param cvssV3         a {@code CVSS:3.x/…} vector, or null
 * @param cvssV2         a CVSS v2 vector ({@code AV:N/AC:M/…}), or null
 * @param severity       the publisher's own severity word ({@code CRITICAL}, {@code unimportant} …), or null
 * @param references     reference URLs, advisory pages first
 * @param affected       the affected packages
 */
public record Advisory(String id, List<String> aliases, String summary, String details, Instant modified,
                       boolean withdrawn, String cvssV3, String cvssV2, String severity, List<String> references,
                       List<Affected> affected) {

    public Advisory {
        aliases = List.copyOf(aliases);
        references = List.copyOf(references);
        affected = List.copyOf(affected);
    }

    /**
     * One affected package of an advisory.
     *
     * @param ecosystem the OSV ecosystem ({@code Debian:12}, {@code Maven} …)
     * @param name      the package name in that ecosystem
     * @param ranges    the affected version ranges ({@code ECOSYSTEM} and {@code SEMVER}; {@code GIT} ranges are not kept)
     * @param versions  versions listed as affected one by one
     * @param severity  a severity the ecosystem's publisher gives this package (Debian urgency …), or null
     */
    public record Affected(String ecosystem, String name, List<Range> ranges, List<String> versions, String severity) {
        public Affected {
            ranges = List.copyOf(ranges);
            versions = List.copyOf(versions);
        }
    }

    /** An OSV range: its events in the order the record gives them. */
    public record Range(String type, List<Event> events) {
        public Range {
            events = List.copyOf(events);
        }
    }

    public record Event(Kind kind, String version) {}

    public enum Kind { INTRODUCED, FIXED, LAST_AFFECTED, LIMIT }
}
