package dev.drydock.scanner.versions;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Semantic Versioning 2.0.0 precedence (§11): major, minor, patch numerically; a pre-release is lower than the
 * release; pre-release identifiers compare numerically when both are numeric, else as ASCII strings, numeric ones
 * lower than alphanumeric ones, a shorter list lower when all before are equal; build metadata is ignored.
 * Leniency for real-world data (npm, Go): a leading {@code v} or {@code =}, missing minor/patch (as 0). Strings
 * that are not versions at all sort before every version, among themselves lexically.
 */
public final class SemVer implements VersionComparator {
    public static final SemVer INSTANCE = new SemVer();

    private static final Pattern GRAMMAR = Pattern.compile(
            "^[v=]?(\\d+)(?:\\.(\\d+))?(?:\\.(\\d+))?(?:-([0-9A-Za-z.-]+))?(?:\\+[0-9A-Za-z.-]*)?$");

    private SemVer() {}

    @Override
    public String name() { return "semver"; }

    @Override
    public int compare(String a, String b) {
        Matcher ma = GRAMMAR.matcher(a.strip()), mb = GRAMMAR.matcher(b.strip());
        boolean va = ma.matches(), vb = mb.matches();
        if (!va || !vb) return va == vb ? a.compareTo(b) : (va ? 1 : -1);
        for (int g = 1; g <= 3; g++) {
            String x = ma.group(g) == null ? "0" : ma.group(g), y = mb.group(g) == null ? "0" : mb.group(g);
            int c = VersionComparator.compareDigits(x, 0, x.length(), y, 0, y.length());
            if (c != 0) return c;
        }
        String pa = ma.group(4), pb = mb.group(4);
        if (pa == null || pb == null) return pa == null ? (pb == null ? 0 : 1) : -1;
        String[] ia = pa.split("\\.", -1), ib = pb.split("\\.", -1);
        for (int i = 0; i < Math.min(ia.length, ib.length); i++) {
            boolean na = isNumeric(ia[i]), nb = isNumeric(ib[i]);
            int c;
            if (na && nb) c = VersionComparator.compareDigits(ia[i], 0, ia[i].length(), ib[i], 0, ib[i].length());
            else if (na != nb) c = na ? -1 : 1;
            else c = Integer.signum(ia[i].compareTo(ib[i]));
            if (c != 0) return c;
        }
        return Integer.compare(ia.length, ib.length);
    }

    private static boolean isNumeric(String s) {
        return !s.isEmpty() && s.chars().allMatch(ch -> ch >= '0' && ch <= '9');
    }
}
