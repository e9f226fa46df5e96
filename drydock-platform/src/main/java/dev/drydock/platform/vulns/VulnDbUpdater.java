package dev.drydock.platform.vulns;

import dev.drydock.scanner.advisory.ImportReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The scheduled advisory data update ({@code vulndb.feeds} and {@code vulndb.urls}, every {@code vulndb.update-interval}):
 * downloads each feed to a temporary file (streamed to disk, never whole in memory), checks the download is complete
 * (HTTP 200, the announced length), then imports it like {@code ./drydock vulndb import}. A failed or partial download
 * is logged, recorded in the feed's status and skipped: the import never runs on it, and an import only adds or
 * replaces records, so the data of the feed's last good import stays. One feed failing does not stop the others.
 *
 * <p>Each request is conditional: the ETag and Last-Modified of the feed's last imported download (kept in the
 * database, so a restart remembers them) go out as If-None-Match / If-Modified-Since, and a 304 skips the download
 * and the import. A daily update of unchanged feeds costs one small request each.
 *
 * <p>For a {@code vulndb.urls} entry the format comes from the URL: {@code secdb.alpinelinux.org} or a path
 * containing {@code secdb} is Alpine secdb, {@code security-tracker.debian.org} or {@code tracker/data/json} the Debian
 * tracker, anything else OSV (a JSON record or array, or an {@code all.zip}). Its import source is named after the
 * URL's host and path.
 */
public final class VulnDbUpdater {
    private static final Logger log = LoggerFactory.getLogger(VulnDbUpdater.class);

    /** What one feed's update did: the import report, {@code unchanged} (HTTP 304), or why nothing was imported. */
    public record Outcome(URI url, ImportReport report, boolean unchanged, String error) {}

    private final VulnerabilityService service;
    private final List<VulnFeeds.Feed> feeds;
    private final Path workDir;
    private final HttpClient http;
    private final Duration timeout;

    public VulnDbUpdater(VulnerabilityService service, List<VulnFeeds.Feed> feeds, Path workDir, Duration timeout) {
        this.service = service;
        this.feeds = List.copyOf(feeds);
        this.workDir = workDir;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    /** For plain URLs ({@code vulndb.urls}). */
    public static VulnDbUpdater ofUrls(VulnerabilityService service, List<URI> urls, Path workDir, Duration timeout) {
        return new VulnDbUpdater(service, urls.stream().map(VulnFeeds.Feed::ofUrl).toList(), workDir, timeout);
    }

    /**
     * Updates from every feed in turn; one failing does not stop the others. The scans' index is reloaded once at
     * the end when anything was imported (the full public data makes each reload take seconds).
     */
    public List<Outcome> updateAll() {
        List<Outcome> outcomes = new ArrayList<>();
        try {
            for (VulnFeeds.Feed feed : feeds) {
                if (Thread.currentThread().isInterrupted()) break;
                Outcome outcome = update(feed);
                outcomes.add(outcome);
                try {
                    if (outcome.error() != null) service.feedFailed(feed, outcome.error());
                } catch (RuntimeException e) {
                    log.warn("could not record the failure of {}: {}", feed.name(), e.toString());
                }
            }
        } finally {
            if (outcomes.stream().anyMatch(o -> o.report() != null)) service.reload();
        }
        return outcomes;
    }

    Outcome update(VulnFeeds.Feed feed) {
        URI url = feed.url();
        Path file = null;
        try {
            Files.createDirectories(workDir);
            String name = url.getPath().endsWith(".zip") ? ".zip" : ".json";
            file = Files.createTempFile(workDir, "vulndb-", name);
            HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(timeout).GET();
            service.validators(url).ifPresent(v -> {
                if (v.etag() != null) request.header("If-None-Match", v.etag());
                if (v.lastModified() != null) request.header("If-Modified-Since", v.lastModified());
            });
            HttpResponse<Path> response = http.send(request.build(), HttpResponse.BodyHandlers.ofFile(file));
            if (response.statusCode() == 304) {
                service.feedUnchanged(feed);
                log.info("vulnerability data update from {}: not modified", display(url));
                return new Outcome(url, null, true, null);
            }
            if (response.statusCode() != 200) {
                return failed(url, "HTTP " + response.statusCode());
            }
            long expected = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            long got = Files.size(file);
            if (expected >= 0 && got != expected) {
                return failed(url, "incomplete download: " + got + " of " + expected + " bytes");
            }
            ImportReport report = service.importWithoutReload("drydock (scheduled update)", feed.source(), feed.format(), file,
                    display(url));
            service.feedImported(feed, new VulnerabilityService.Validators(
                    response.headers().firstValue("ETag").orElse(null),
                    response.headers().firstValue("Last-Modified").orElse(null)));
            log.info("vulnerability data update from {}: {}", display(url), report);
            return new Outcome(url, report, false, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed(url, "interrupted");
        } catch (IOException | RuntimeException e) {
            return failed(url, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    log.warn("could not delete {}", file, e);
                }
            }
        }
    }

    /**
     * The URL without user info or query (a mirror's credentials stay out of logs and the status page); also the
     * location an imported feed's source records.
     */
    public static String display(URI url) {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort())
                + (url.getRawPath() == null ? "" : url.getRawPath());
    }

    private static Outcome failed(URI url, String why) {
        log.warn("vulnerability data update from {} failed ({}); the data imported before is kept", display(url), why);
        return new Outcome(url, null, false, why);
    }

    static VulnerabilityService.Format format(URI url) {
        String s = url.toString().toLowerCase(Locale.ROOT);
        if (s.contains("secdb")) return VulnerabilityService.Format.alpine;
        if (s.contains("security-tracker.debian.org") || s.contains("tracker/data/json")) return VulnerabilityService.Format.debian;
        return VulnerabilityService.Format.osv;
    }

    static String source(URI url) {
        String path = url.getPath() == null ? "" : url.getPath();
        return (url.getHost() + path).replaceAll("[^A-Za-z0-9._/:-]", "_");
    }
}
