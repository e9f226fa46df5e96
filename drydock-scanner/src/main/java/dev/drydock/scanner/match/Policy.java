package dev.drydock.scanner.match;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which findings are at or above the severity threshold {@code failAt} (default Critical) and not covered by an
 * unexpired allowlist entry. Allowlisted findings stay in the result, marked, and are counted. This is the scanner's
 * own threshold, shared by {@code drydock scan} (its exit code) and the compliance check; the check's verdict
 * ({@code passed}, {@code warning} without advisory data, {@code failed} naming the fix) is drydock-compliance's
 * VulnerabilitiesCheck.
 */
public record Policy(Severity failAt, List<AllowlistEntry> allowlist) {
    public static final Policy DEFAULT = new Policy(Severity.Critical, List.of());

    public Policy {
        Objects.requireNonNull(failAt, "failAt");
        allowlist = List.copyOf(allowlist);
    }

    /**
     * One allowlisted vulnerability.
     *
     * @param id      a CVE id (or the advisory's own id), as the finding's Name or Advisory
     * @param expires the last day (UTC) the entry applies, or null for no end
     * @param reason  why it is accepted (shown in the report)
     */
    public record AllowlistEntry(String id, LocalDate expires, String reason) {
        public AllowlistEntry {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(reason, "reason");
        }

        boolean covers(Finding f, LocalDate today) {
            return (id.equals(f.name()) || id.equals(f.advisory())) && (expires == null || !today.isAfter(expires));
        }
    }

    /**
     * The findings sorted by the threshold: {@code findings} all of them (allowlisted ones marked), {@code failing}
     * those at or above it and not allowlisted ({@code passed} when none), {@code counts} by severity over all findings.
     */
    public record Evaluation(boolean passed, Severity failAt, List<Finding> findings, List<Finding> failing,
                             Map<String, Integer> counts, String message) {}

    public Evaluation evaluate(List<Finding> findings, Instant now) {
        LocalDate today = now.atOffset(ZoneOffset.UTC).toLocalDate();
        List<Finding> marked = new ArrayList<>(findings.size());
        List<Finding> failing = new ArrayList<>();
        int allowlisted = 0;
        for (Finding finding : findings) {
            Finding f = finding;
            AllowlistEntry entry = allowlist.stream().filter(e -> e.covers(finding, today)).findFirst().orElse(null);
            if (entry != null) {
                f = f.withAllowlisted(new Finding.Allowlisted(entry.reason(),
                        entry.expires() == null ? null : entry.expires().toString()));
                allowlisted++;
            } else if (f.severity().atLeast(failAt)) {
                failing.add(f);
            }
            marked.add(f);
        }
        String message = failing.isEmpty()
                ? "no unallowlisted vulnerability at or above " + failAt + (allowlisted > 0 ? " (" + allowlisted + " allowlisted)" : "")
                : failing.size() + " vulnerabilities at or above " + failAt + ", e.g. " + failing.getFirst().name() + " in "
                        + failing.getFirst().featureName() + " " + failing.getFirst().featureVersion()
                        + (failing.getFirst().fixedBy().isEmpty() ? " (no fixed version yet)" : " (fixed by " + failing.getFirst().fixedBy() + ")")
                        + ": upgrade the package or allowlist the CVE with a reason";
        return new Evaluation(failing.isEmpty(), failAt, marked, failing, Counts.bySeverity(marked), message);
    }
}
