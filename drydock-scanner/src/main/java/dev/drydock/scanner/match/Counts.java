package dev.drydock.scanner.match;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The report's {@code vulnerabilityCounts}: findings per severity, in severity order, severities with none left out. */
public final class Counts {
    private Counts() {}

    public static Map<String, Integer> bySeverity(List<Finding> findings) {
        EnumMap<Severity, Integer> counts = new EnumMap<>(Severity.class);
        for (Finding f : findings) counts.merge(f.severity(), 1, Integer::sum);
        Map<String, Integer> out = new LinkedHashMap<>();
        counts.forEach((s, n) -> out.put(s.name(), n));
        return out;
    }
}
