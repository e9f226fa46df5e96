package dev.drydock.platform.vulns;

import dev.drydock.scanner.Inventories;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The advisory feeds the scheduled update fetches: named public feeds ({@code vulndb.feeds}) expanded to their URLs,
 * and the operator's own {@code vulndb.urls}.
 *
 * <p>{@code osv} is osv.dev's {@code <Ecosystem>/all.zip} for every ecosystem the scanner finds packages of
 * ({@link Inventories#OSV_ECOSYSTEMS}). Alpine secdb and the Debian security tracker are not part of it: osv.dev
 * already converts both (its {@code Alpine} records come from secdb, its {@code Debian} ones include a
 * {@code DEBIAN-CVE-…} record per tracker entry besides the DSAs), so adding them would store every Debian and
 * Alpine CVE twice for nothing the scanner needs (the findings would still be one per CVE).
 */
public final class VulnFeeds {
    /** osv.dev's public export bucket; {@code vulndb.osv-base-url} points the feeds at a mirror instead. */
    public static final URI OSV_BASE_URL = URI.create("https://osv-vulnerabilities.storage.googleapis.com");

    /** The named feeds and what each fetches. */
    public static final Map<String, String> KNOWN = Map.of("osv",
            "osv.dev all.zip of " + String.join(", ", Inventories.OSV_ECOSYSTEMS));

    /**
     * One URL the update fetches.
     *
     * @param name   what the status page calls it ({@code osv/Maven}, or the URL's host and path)
     * @param source the import source its advisories are stored under
     */
    public record Feed(String name, URI url, String source, VulnerabilityService.Format format) {
        /** A {@code vulndb.urls} entry: format from the URL, source named after its host and path. */
        public static Feed ofUrl(URI url) {
            String source = VulnDbUpdater.source(url);
            return new Feed(source, url, source, VulnDbUpdater.format(url));
        }
    }

    /** A feed with the outcome of its last fetches ({@code null}s: never fetched) and the advisories it holds now. */
    public record Status(Feed feed, Instant lastChecked, Instant lastChanged, Instant lastFailure, String error,
                         int advisories) {}

    private VulnFeeds() {}

    /**
     * The feeds of these names, each name once, in the order given.
     *
     * @throws IllegalArgumentException naming the unknown name and the known ones
     */
    public static List<Feed> expand(List<String> names, URI osvBaseUrl) {
        Map<String, Feed> feeds = new LinkedHashMap<>();
        for (String raw : names) {
            String name = raw.strip().toLowerCase(Locale.ROOT);
            if (name.isEmpty()) continue;
            if (!name.equals("osv")) {
                throw new IllegalArgumentException("unknown feed '" + raw.strip() + "' (known: "
                        + String.join(", ", KNOWN.keySet()) + ")");
            }
            String base = osvBaseUrl.toString().replaceAll("/+$", "");
            for (String ecosystem : Inventories.OSV_ECOSYSTEMS) {
                // "Rocky Linux/all.zip": the space is a %20 in the URL
                URI url = URI.create(base + "/" + URLEncoder.encode(ecosystem, StandardCharsets.UTF_8).replace("+", "%20")
                        + "/all.zip");
                feeds.putIfAbsent(url.toString(), new Feed("osv/" + ecosystem, url, "osv/" + ecosystem,
                        VulnerabilityService.Format.osv));
            }
        }
        return List.copyOf(new ArrayList<>(feeds.values()));
    }
}
