package dev.drydock.scanner.versions;

/**
 * RPM ordering of {@code [epoch:]version[-release]}: epoch numerically, then version and release with
 * rpmvercmp: the strings are cut into alphanumeric segments (separators are any other characters and only
 * separate); {@code ~} sorts before anything (pre-releases), {@code ^} after the end of the string but before any
 * further segment (post-release snapshots); a numeric segment is newer than an alphabetic one; numeric segments
 * compare as numbers, alphabetic ones as strings; when one string runs out, the one with segments left is newer.
 * A missing release sorts before any release ({@code 1.0 < 1.0-3}): rpm's requirement matching lets {@code 1.0}
 * match {@code 1.0-3}, but that is not an order (1.0 would equal both 1.0-3 and 1.0-4), and sorting and range
 * checks need one.
 */
public final class RpmVersion implements VersionComparator {
    public static final RpmVersion INSTANCE = new RpmVersion();

    private RpmVersion() {}

    @Override
    public String name() { return "rpm"; }

    @Override
    public int compare(String a, String b) {
        String[] pa = EpochVersion.split(a.strip(), null), pb = EpochVersion.split(b.strip(), null);
        int c = VersionComparator.compareDigits(pa[0], 0, pa[0].length(), pb[0], 0, pb[0].length());
        if (c != 0) return c;
        c = vercmp(pa[1], pb[1]);
        if (c != 0) return c;
        if (pa[2] == null || pb[2] == null) return pa[2] == null ? (pb[2] == null ? 0 : -1) : 1;
        return vercmp(pa[2], pb[2]);
    }


    /** rpmvercmp on one version or release string. */
    public static int vercmp(String a, String b) {
        if (a.equals(b)) return 0;
        int i = 0, j = 0, n = a.length(), m = b.length();
        while (i < n || j < m) {
            while (i < n && !isAlnum(a.charAt(i)) && a.charAt(i) != '~' && a.charAt(i) != '^') i++;
            while (j < m && !isAlnum(b.charAt(j)) && b.charAt(j) != '~' && b.charAt(j) != '^') j++;
            boolean ta = i < n && a.charAt(i) == '~', tb = j < m && b.charAt(j) == '~';
            if (ta || tb) {
                if (!ta) return 1;
                if (!tb) return -1;
                i++; j++;
                continue;
            }
            boolean ca = i < n && a.charAt(i) == '^', cb = j < m && b.charAt(j) == '^';
            if (ca || cb) {
                if (i >= n) return -1;   // a ended, b has ^: the ^ version is newer
                if (j >= m) return 1;
                if (!ca) return 1;       // a has a real segment where b has ^: a is newer
                if (!cb) return -1;
                i++; j++;
                continue;
            }
            if (i >= n || j >= m) break;
            int si = i, sj = j;
            boolean numeric = isDigit(a.charAt(i));
            if (numeric) {
                while (i < n && isDigit(a.charAt(i))) i++;
                while (j < m && isDigit(b.charAt(j))) j++;
            } else {
                while (i < n && isAlpha(a.charAt(i))) i++;
                while (j < m && isAlpha(b.charAt(j))) j++;
            }
            if (sj == j) return numeric ? 1 : -1;   // segments of different kinds: numeric is newer
            int c = numeric ? VersionComparator.compareDigits(a, si, i, b, sj, j)
                    : a.substring(si, i).compareTo(b.substring(sj, j));
            if (c != 0) return Integer.signum(c);
        }
        if (i >= n && j >= m) return 0;
        return i >= n ? -1 : 1;
    }

    private static boolean isDigit(char c) { return c >= '0' && c <= '9'; }

    private static boolean isAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

    private static boolean isAlnum(char c) { return isDigit(c) || isAlpha(c); }
}
