package dev.drydock.server.http;

import dev.drydock.platform.ApiErrorCode;
import dev.drydock.platform.ApiException;
import dev.drydock.platform.vulns.VulnDbUpdater;
import dev.drydock.platform.vulns.VulnFeeds;
import dev.drydock.platform.vulns.VulnerabilityService;
import dev.drydock.scanner.advisory.AdvisoryStore;
import dev.drydock.scanner.advisory.ImportReport;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Vulnerability data: its status ({@code /api/v1/vulndb}) and advisory imports ({@code /api/v1/vulndb/imports}). */
final class VulnDbResource {
    /** The location an uploaded source records: the body carries no file name, and the spool path means nothing. */
    static final String UPLOAD_LOCATION = "upload";

    private final VulnerabilityService vulns;
    private final Path uploads;

    /** @param uploads where uploaded advisory files are spooled during an import (deleted after it) */
    VulnDbResource(VulnerabilityService vulns, Path uploads) {
        this.vulns = vulns;
        this.uploads = uploads;
    }

    void status(Context ctx, Caller caller) {
        Json.write(ctx, 200, status(vulns.status(caller.principal()), vulns.feedStatus(caller.principal())));
    }

    void importFile(Context ctx, Caller caller) throws IOException {
        VulnerabilityService.Format format = VulnerabilityService.Format.parse(ctx.queryParam("format"));
        String source = ctx.queryParam("source");
        if (source == null || source.isBlank()) source = "upload-" + format;
        if (!source.matches("[A-Za-z0-9._/:-]{1,200}")) {
            throw new ApiException(ApiErrorCode.VALIDATION_FAILED, "source must be 1-200 letters, digits or . _ / : -",
                    Map.of("field", "source"));
        }
        Files.createDirectories(uploads);
        Path file = Files.createTempFile(uploads, "import-", zip(ctx.header("Content-Type")) ? ".zip" : ".json");
        try {
            try (InputStream in = ctx.req().getInputStream()) {
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            }
            if (Files.size(file) == 0) {
                throw new ApiException(ApiErrorCode.VALIDATION_FAILED, "the request body is empty: send the advisory file "
                        + "(OSV JSON, an all.zip, Alpine secdb JSON or the Debian tracker JSON)", Map.of());
            }
            if (!zip(ctx.header("Content-Type")) && startsWithZipMagic(file)) {
                Path renamed = file.resolveSibling(file.getFileName().toString().replace(".json", ".zip"));
                Files.move(file, renamed);
                file = renamed;
            }
            ImportReport report = vulns.importFile(caller.principal(), source, format, file, UPLOAD_LOCATION);
            Json.write(ctx, 200, importView(report));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static boolean zip(String contentType) {
        return contentType != null && contentType.toLowerCase(java.util.Locale.ROOT).contains("zip");
    }

    private static boolean startsWithZipMagic(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(4);
            return head.length == 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
        }
    }

    private Map<String, Object> status(List<AdvisoryStore.SourceStatus> sources, List<VulnFeeds.Status> feeds) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("dataVersion", vulns.index().dataVersion());
        view.put("advisories", vulns.index().advisories());
        view.put("failAt", vulns.failAt().name());
        view.put("sources", sources);
        view.put("feeds", feeds.stream().map(VulnDbResource::feedView).toList());
        return view;
    }

    private static Map<String, Object> feedView(VulnFeeds.Status s) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", s.feed().name());
        view.put("url", VulnDbUpdater.display(s.feed().url()));
        view.put("format", s.feed().format().name());
        view.put("source", s.feed().source());
        view.put("lastChecked", s.lastChecked());
        view.put("lastChanged", s.lastChanged());
        view.put("lastFailure", s.lastFailure());
        view.put("error", s.error());
        view.put("advisories", s.advisories());
        return view;
    }

    private static Map<String, Object> importView(ImportReport r) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("source", r.source());
        view.put("read", r.read());
        view.put("inserted", r.inserted());
        view.put("updated", r.updated());
        view.put("unchanged", r.unchanged());
        view.put("failed", r.failed());
        view.put("errors", r.errors());
        view.put("at", Instant.now().toString());
        return view;
    }
}
