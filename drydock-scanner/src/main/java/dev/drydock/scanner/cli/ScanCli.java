package dev.drydock.scanner.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.drydock.image.ImageException;
import dev.drydock.image.ImageFilesystem;
import dev.drydock.image.ImageReader;
import dev.drydock.image.ImageSource;
import dev.drydock.image.LayerPass;
import dev.drydock.image.LocalImage;
import dev.drydock.image.LocalImages;
import dev.drydock.image.ResolvedImage;
import dev.drydock.oci.Digest;
import dev.drydock.scanner.Distro;
import dev.drydock.scanner.ScanProblem;
import dev.drydock.scanner.ScanResult;
import dev.drydock.scanner.Scanner;
import dev.drydock.scanner.advisory.AdvisoryStore;
import dev.drydock.scanner.match.Finding;
import dev.drydock.scanner.match.Policy;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What the {@code scan} and {@code vulndb status} commands print, and scanning an image file, so the server's
 * command line only parses options and wires the database. No picocli and no output stream here: the caller
 * prints the strings and sets the exit code from {@link Policy.Evaluation#passed()}.
 */
public final class ScanCli {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ScanCli() {}

    /** Scans an OCI layout directory, an OCI archive or a {@code docker save} tarball (linux/amd64 of an index). */
    public static ScanResult scanLocal(Path image, Scanner scanner, Path workDir) throws ImageException, InterruptedException {
        LocalImage local = LocalImages.open(image);
        return scan(local.source(), local.top(), scanner, workDir);
    }

    /** Scans the image {@code top} names in {@code source} (e.g. a repository of Drydock's own registry). */
    public static ScanResult scan(ImageSource source, Digest top, Scanner scanner, Path workDir)
            throws ImageException, InterruptedException {
        ResolvedImage resolved = ImageReader.resolve(source, top);
        List<String> digests = resolved.layers().stream().map(l -> l.digest().toString()).toList();
        try (ImageFilesystem fs = LayerPass.read(source, resolved, Scanner.INTEREST, Scanner.EXTRACTION_LIMITS, workDir)) {
            return scanner.scan(fs, digests);
        }
    }

    /** A table: one line per finding (severity, CVE, package, version, fixed by, where), then counts and verdict. */
    public static String table(ScanResult result, Policy.Evaluation verdict) {
        StringBuilder out = new StringBuilder();
        out.append("OS: ").append(result.distro().map(Distro::prettyName).orElse("none detected"))
                .append("   packages: ").append(result.packages().size())
                .append("   advisory data: ").append(result.dataVersion()).append('\n');
        String format = "%-10s %-20s %-40s %-28s %-28s %s%n";
        out.append(String.format(format, "SEVERITY", "VULNERABILITY", "PACKAGE", "VERSION", "FIXED BY", "PATH"));
        for (Finding f : verdict.findings()) {
            out.append(String.format(format, f.severity(), f.name(), cut(f.featureName(), 40), cut(f.featureVersion(), 28),
                    f.fixedBy().isEmpty() ? "-" : cut(f.fixedBy(), 28),
                    f.path() + (f.allowlisted() != null ? "  [allowlisted: " + f.allowlisted().reason() + "]" : "")));
        }
        out.append("counts: ").append(verdict.counts().isEmpty() ? "none" : verdict.counts()).append('\n');
        for (ScanProblem p : result.problems()) out.append("not read: ").append(p.source()).append(": ").append(p.message()).append('\n');
        out.append(verdict.passed() ? "PASSED: " : "FAILED: ").append(verdict.message()).append('\n');
        return out.toString();
    }

    /** The report's fields as JSON: {@code vulnerabilities} (Clair v2), {@code vulnerabilityCounts}, and ours. */
    public static String json(ScanResult result, Policy.Evaluation verdict) {
        ObjectNode root = JSON.createObjectNode();
        root.set("vulnerabilities", JSON.valueToTree(verdict.findings()));
        root.set("vulnerabilityCounts", JSON.valueToTree(verdict.counts()));
        root.put("success", verdict.passed());
        root.put("message", verdict.message());
        root.put("failOn", verdict.failAt().name());
        root.put("namespace", result.distro().map(Distro::namespace).orElse(null));
        root.put("packages", result.packages().size());
        root.put("dataVersion", result.dataVersion());
        root.set("problems", JSON.valueToTree(result.problems()));
        try {
            return JSON.writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code vulndb status}: one line per source with its counts and age. */
    public static String status(List<AdvisoryStore.SourceStatus> sources, Instant now) {
        if (sources.isEmpty()) return "no advisory data imported: run vulndb import PATH (OSV files, an all.zip, Alpine secdb or Debian tracker JSON)\n";
        StringBuilder out = new StringBuilder(String.format("%-28s %-15s %10s %8s %-22s %s%n", "SOURCE", "KIND", "ADVISORIES",
                "FAILED", "NEWEST RECORD", "IMPORTED"));
        for (AdvisoryStore.SourceStatus s : sources) {
            out.append(String.format("%-28s %-15s %10d %8d %-22s %s (%s ago)%n", s.name(), s.kind(), s.advisories(), s.failed(),
                    s.newestRecord() == null ? "-" : s.newestRecord().toString(), s.importedAt(), age(Duration.between(s.importedAt(), now))));
        }
        return out.toString();
    }

    static String age(Duration d) {
        if (d.toDays() > 0) return d.toDays() + "d";
        if (d.toHours() > 0) return d.toHours() + "h";
        return Math.max(0, d.toMinutes()) + "m";
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
