package dev.drydock.scanner.match;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * CVSS base scores computed from vectors (OSV records carry vectors, not scores): v3.0/v3.1 with the v3.1
 * specification's formulas and round-up, and v2 with the v2 guide's equations. A vector missing a base metric or
 * holding an unknown value has no score.
 */
public final class Cvss {
    private Cvss() {}

    private static Map<String, String> metrics(String vector) {
        Map<String, String> m = new HashMap<>();
        for (String part : vector.split("/")) {
            int colon = part.indexOf(':');
            if (colon > 0) m.put(part.substring(0, colon), part.substring(colon + 1));
        }
        return m;
    }

    /** The CVSS v3.x base score of a {@code CVSS:3.x/AV:…} vector. */
    public static OptionalDouble v3(String vector) {
        if (vector == null || !vector.startsWith("CVSS:3")) return OptionalDouble.empty();
        Map<String, String> m = metrics(vector);
        boolean changed = "C".equals(m.get("S"));
        if (!"U".equals(m.get("S")) && !changed) return OptionalDouble.empty();
        double av = weight(m.get("AV"), "N", 0.85, "A", 0.62, "L", 0.55, "P", 0.2);
        double ac = weight(m.get("AC"), "L", 0.77, "H", 0.44);
        double pr = weight(m.get("PR"), "N", 0.85, "L", changed ? 0.68 : 0.62, "H", changed ? 0.5 : 0.27);
        double ui = weight(m.get("UI"), "N", 0.85, "R", 0.62);
        double c = weight(m.get("C"), "H", 0.56, "L", 0.22, "N", 0);
        double i = weight(m.get("I"), "H", 0.56, "L", 0.22, "N", 0);
        double a = weight(m.get("A"), "H", 0.56, "L", 0.22, "N", 0);
        if (Double.isNaN(av + ac + pr + ui + c + i + a)) return OptionalDouble.empty();
        double iss = 1 - (1 - c) * (1 - i) * (1 - a);
        double impact = changed ? 7.52 * (iss - 0.029) - 3.25 * Math.pow(iss - 0.02, 15) : 6.42 * iss;
        double exploitability = 8.22 * av * ac * pr * ui;
        if (impact <= 0) return OptionalDouble.of(0);
        double base = changed ? Math.min(1.08 * (impact + exploitability), 10) : Math.min(impact + exploitability, 10);
        return OptionalDouble.of(roundUp(base));
    }

    /** CVSS v3.1 Appendix A round-up: the smallest one-decimal number not below the input, robust to float error. */
    static double roundUp(double x) {
        long scaled = Math.round(x * 100_000);
        if (scaled % 10_000 == 0) return scaled / 100_000.0;
        return (Math.floor(scaled / 10_000.0) + 1) / 10.0;
    }

    /** The CVSS v2 base score of an {@code AV:N/AC:M/Au:N/C:C/I:C/A:C} vector (a {@code (…)} wrapper is allowed). */
    public static OptionalDouble v2(String vector) {
        if (vector == null) return OptionalDouble.empty();
        Map<String, String> m = metrics(vector.replace("(", "").replace(")", "").replaceFirst("^CVSS:2\\.0/", ""));
        double av = weight(m.get("AV"), "L", 0.395, "A", 0.646, "N", 1.0);
        double ac = weight(m.get("AC"), "H", 0.35, "M", 0.61, "L", 0.71);
        double au = weight(m.get("Au"), "M", 0.45, "S", 0.56, "N", 0.704);
        double c = weight(m.get("C"), "N", 0, "P", 0.275, "C", 0.660);
        double i = weight(m.get("I"), "N", 0, "P", 0.275, "C", 0.660);
        double a = weight(m.get("A"), "N", 0, "P", 0.275, "C", 0.660);
        if (Double.isNaN(av + ac + au + c + i + a)) return OptionalDouble.empty();
        double impact = 10.41 * (1 - (1 - c) * (1 - i) * (1 - a));
        double exploitability = 20 * av * ac * au;
        double f = impact == 0 ? 0 : 1.176;
        double base = ((0.6 * impact) + (0.4 * exploitability) - 1.5) * f;
        return OptionalDouble.of(Math.round(base * 10) / 10.0);
    }

    private static double weight(String value, Object... pairs) {
        for (int k = 0; k < pairs.length; k += 2) {
            if (pairs[k].equals(value)) return ((Number) pairs[k + 1]).doubleValue();
        }
        return Double.NaN;
    }
}
