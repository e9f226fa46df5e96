package dev.drydock.scanner;

import dev.drydock.scanner.match.Finding;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One image's scan.
 *
 * @param distro              the operating system, if any
 * @param packages            every package found
 * @param findings            the vulnerabilities, most severe first (not yet judged by a policy)
 * @param vulnerabilityCounts findings per severity name, e.g. {@code {"Low":6,"Medium":12}}
 * @param problems            what could not be read (the scan went on without it)
 * @param dataVersion         the advisory data used (sources, newest record, import time)
 * @param dataImportedAt      when the oldest advisory source was imported, or null without data
 */
public record ScanResult(Optional<Distro> distro, List<InstalledPackage> packages, List<Finding> findings,
                         Map<String, Integer> vulnerabilityCounts, List<ScanProblem> problems, String dataVersion,
                         Instant dataImportedAt) {
    public ScanResult {
        packages = List.copyOf(packages);
        findings = List.copyOf(findings);
        vulnerabilityCounts = Map.copyOf(vulnerabilityCounts);
        problems = List.copyOf(problems);
    }
}
