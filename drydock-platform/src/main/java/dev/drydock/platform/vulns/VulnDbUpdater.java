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
 * The scheduled advisory data update ({@code vulndb.urls}, every {@code vulndb.update-interval}): downloads each URL
 * to a temporary file, checks the download is complete (HTTP 200, the announced length), then imports it like
 * {@code ./drydock vulndb import}. A failed or partial download is logged and skipped: the import never runs on it,
 * and an import only adds or replaces records, so existing data is never emptied.
 *
 * <p>The format comes from the URL: {@code secdb.alpinelinux.org} or a path containing {@code secdb} is Alpine secdb,
 * {@code security-tracker.debian.org} or {@code tracker/data/json} the Debian tracker, anything else OSV (a JSON
 * record or array, or an {@code all.zip}). The import source is named after the URL's host and path.
 */
public final class VulnDbUpdater {
    private static final Logger log = LoggerFactory.getLogger(VulnDbUpdater.class);

    /** What one URL's update did: the import report, or why nothing was imported. */
    public record Outcome(URI url, ImportReport report, String error) {}

    private final VulnerabilityService service;
    private final List<URI> urls;
    private final Path workDir;
    private final HttpClient http;
    private final Duration timeout;

    public VulnDbUpdater(VulnerabilityService service, List<URI> urls, Path workDir, Duration timeout) {
        this.service = service;
        this.urls = List.copyOf(urls);
        this.workDir = workDir;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    /** Updates from every URL in turn; one failing does not stop the others. */
    public List<Outcome> updateAll() {
        List<Outcome> outcomes = new ArrayList<>();
        for (URI url : urls) {
            if (Thread.currentThread().isInterrupted()) break;
            outcomes.add(update(url));
        }
        return outcomes;
    }

    Outcome update(URI url) {
        Path file = null;
        try {
            Files.createDirectories(workDir);
            String name = url.getPath().endsWith(".zip") ? ".zip" : ".json";
            file = Files.createTempFile(workDir, "vulndb-", name);
            HttpResponse<Path> response = http.send(HttpRequest.newBuilder(url).timeout(timeout).GET().build(),
                    HttpResponse.BodyHandlers.ofFile(file));
            if (response.statusCode() != 200) {
                return failed(url, "HTTP " + response.statusCode());
            }
            long expected = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            long got = Files.size(file);
            if (expected >= 0 && got != expected) {
                return failed(url, "incomplete download: " + got + " of " + expected + " bytes");
            }
            ImportReport report = service.importAs("drydock (scheduled update)", source(url), format(url), file);
            log.info("vulnerability data update from {}: {}", url, report);
            return new Outcome(url, report, null);
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

    private static Outcome failed(URI url, String why) {
        log.warn("vulnerability data update from {} failed ({}); the data imported before is kept", url, why);
        return new Outcome(url, null, why);
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
