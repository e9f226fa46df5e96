package dev.drydock.compliance;

import dev.drydock.image.FileInterest;
import dev.drydock.image.ImageFilesystem;
import dev.drydock.image.ResolvedImage;
import dev.drydock.scanner.Sbom;
import dev.drydock.scanner.ScanProblem;
import dev.drydock.scanner.ScanResult;
import dev.drydock.scanner.Scanner;
import dev.drydock.scanner.advisory.AdvisoryIndex;
import dev.drydock.scanner.match.Finding;
import dev.drydock.scanner.match.Policy;

import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@code vulnerabilities}: scans the packages in the flattened filesystem (the single layer pass keeps
 * {@link Scanner#INTEREST}) against the advisory data in memory, and fails when a finding at or above the policy's
 * threshold is not allowlisted. Writes the report's {@code vulnerabilities} (Clair v2 objects, allowlisted ones
 * marked, never hidden), {@code vulnerabilityCounts}, {@code sbom} (a summary) and {@code vulnerabilityData}.
 * With no advisory data imported it is a warning: the packages are still listed in the SBOM, but nothing could be
 * matched, and a build must not fail because an operator has not imported data yet.
 */
public final class VulnerabilitiesCheck implements Check {
    public static final String ID = "vulnerabilities";
    /** Facts for the report. */
    public static final CheckContext.Key<List<Finding>> FINDINGS = CheckContext.Key.of("vulnerabilities");
    public static final CheckContext.Key<Map<String, Integer>> COUNTS = CheckContext.Key.of("vulnerabilityCounts");
    public static final CheckContext.Key<BuildReport.Sbom> SBOM = CheckContext.Key.of("sbom");
    public static final CheckContext.Key<String> DATA_VERSION = CheckContext.Key.of("vulnerabilityData");

    /** Receives each tested build's CycloneDX SBOM (the service stores it for download). */
    @FunctionalInterface
    public interface SbomSink {
        void store(BuildUnderTest build, String cycloneDxJson) throws Exception;
    }

    private final Supplier<AdvisoryIndex> data;
    private final Function<BuildUnderTest, Policy> policy;
    private final SbomSink sbomSink;
    private final InstantSource clock;

    /**
     * @param data     the advisory index in use now (swapped after each import)
     * @param policy   the threshold and the build's organization allowlist
     * @param sbomSink where the SBOM goes; the report links it as {@code /api/v1/builds/{id}/sbom} when the build has an id
     */
    public VulnerabilitiesCheck(Supplier<AdvisoryIndex> data, Function<BuildUnderTest, Policy> policy, SbomSink sbomSink,
                                InstantSource clock) {
        this.data = data;
        this.policy = policy;
        this.sbomSink = sbomSink;
        this.clock = clock;
    }

    /** No advisory data, the default policy, the SBOM not kept: what {@code ./drydock check} runs. */
    public static VulnerabilitiesCheck withoutData() {
        AdvisoryIndex empty = AdvisoryIndex.builder().build("no advisory data imported", null);
        return new VulnerabilitiesCheck(() -> empty, build -> Policy.DEFAULT, (build, sbom) -> { }, InstantSource.system());
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public List<String> needs() {
        return List.of(ImageFilesystemCheck.ID);
    }

    @Override
    public FileInterest fileInterest() {
        return Scanner.INTEREST;
    }

    @Override
    public CheckResult run(CheckContext context) throws Exception {
        ImageFilesystem fs = context.get(ImageFilesystemCheck.FILESYSTEM);
        ResolvedImage image = context.get(ImagePlatformCheck.RESOLVED);
        List<String> layerDigests = image.layers().stream().map(l -> l.digest().toString()).toList();
        AdvisoryIndex index = data.get();
        ScanResult scan = new Scanner(index).scan(fs, layerDigests);
        Policy.Evaluation verdict = policy.apply(context.build()).evaluate(scan.findings(), clock.instant());

        BuildUnderTest build = context.build();
        String sbom = Sbom.cycloneDxJson(scan, build.image(), image.pushedDigest().toString(), layerDigests, clock.instant());
        sbomSink.store(build, sbom);
        BuildReport.Sbom sbomSummary = new BuildReport.Sbom("CycloneDX 1.6 JSON", scan.packages().size(),
                build.buildId() == null ? null : "/api/v1/builds/" + build.buildId() + "/sbom");

        context.put(FINDINGS, List.copyOf(verdict.findings()));
        context.put(COUNTS, verdict.counts());
        context.put(SBOM, sbomSummary);
        context.put(DATA_VERSION, scan.dataVersion());

        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("distro", scan.distro().map(d -> d.namespace()).orElse(null));
        evidence.put("packages", scan.packages().size());
        evidence.put("findings", verdict.findings().size());
        evidence.put("allowlisted", verdict.findings().stream().filter(f -> f.allowlisted() != null).count());
        evidence.put("failAt", verdict.failAt().name());
        evidence.put("data", scan.dataVersion());
        List<String> skipped = new ArrayList<>();
        for (ScanProblem p : scan.problems()) skipped.add(p.source() + ": " + p.message());
        if (!skipped.isEmpty()) evidence.put("skipped", skipped.size() > 50 ? skipped.subList(0, 50) : skipped);

        String packages = scan.packages().size() + " package(s)" + scan.distro().map(d -> " on " + d.namespace()).orElse("");
        if (index.advisories() == 0) {
            return CheckResult.warning(ID, "no vulnerability data imported: " + packages + " listed in the SBOM but not "
                    + "matched; an operator turns on osv.dev's public data with vulndb.feeds=osv, or imports advisories "
                    + "with ./drydock vulndb import PATH… (or POST /api/v1/vulndb/imports), and retests the build", evidence);
        }
        if (verdict.passed()) {
            return CheckResult.passed(ID, packages + ", " + verdict.findings().size() + " known vulnerabilities, "
                    + verdict.message(), evidence);
        }
        evidence.put("failing", verdict.failing().stream().map(Finding::name).distinct().toList());
        return CheckResult.failed(ID, failure(verdict, image), evidence);
    }

    /** Names the worst finding, its package, version, fix and the Dockerfile step that added it. */
    static String failure(Policy.Evaluation verdict, ResolvedImage image) {
        Finding worst = verdict.failing().getFirst();
        StringBuilder m = new StringBuilder();
        m.append(worst.name()).append(" (").append(worst.severity()).append(") in ").append(worst.featureName()).append(' ')
                .append(worst.featureVersion());
        if (worst.path() != null) m.append(" at /").append(worst.path());
        m.append(": ");
        if (worst.fixedBy() == null || worst.fixedBy().isEmpty()) {
            m.append("no fixed version of ").append(worst.featureName()).append(" is known yet: remove it or replace it");
        } else {
            m.append("upgrade ").append(worst.featureName()).append(" to ").append(worst.fixedBy()).append(" or later");
        }
        String step = worst.addedByStep();
        int layer = -1;
        for (ResolvedImage.Layer l : image.layers()) {
            if (l.digest().toString().equals(worst.addedBy())) {
                layer = l.index();
                break;
            }
        }
        if (step != null || layer >= 0) {
            m.append(" (added by ").append(step != null ? step : "layer " + (layer + 1));
            if (step != null && layer >= 0) m.append(", layer ").append(layer + 1);
            m.append(')');
        }
        int others = verdict.failing().size() - 1;
        if (others > 0) m.append("; ").append(others).append(" more at or above ").append(verdict.failAt());
        m.append(". Or, if it cannot be exploited here, an org admin allowlists ").append(worst.name())
                .append(" with a reason and an expiry date");
        return m.toString();
    }
}
