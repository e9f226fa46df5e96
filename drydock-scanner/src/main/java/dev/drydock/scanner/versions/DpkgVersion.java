package dev.drydock.scanner.versions;

/**
 * Debian version ordering, Debian Policy §5.6.12: {@code [epoch:]upstream[-revision]}. The epoch is compared
 * numerically; upstream and revision alternate non-digit and digit runs: non-digit runs compare character by
 * character where {@code ~} sorts before everything (even the end of the string), then the end, then letters,
 * then every other character; digit runs compare numerically. A missing revision equals {@code 0}.
 *
 * <p>Works on index ranges of the two strings without allocating: matching compares a package's version with
 * every range of every advisory for that package.
 */
public final class DpkgVersion implements VersionComparator {
    public static final DpkgVersion INSTANCE = new DpkgVersion();

    private DpkgVersion() {}

    @Override
    public String name() { return "dpkg"; }

    @Override
    public int compare(String a, String b) {
        int ca = epochEnd(a), cb = epochEnd(b);
        // epoch: digits before ':'; missing or non-numeric counts as 0
        int c = VersionComparator.compareDigits(a, 0, numericEpoch(a, ca) ? ca : 0, b, 0, numericEpoch(b, cb) ? cb : 0);
        if (c != 0) return c;
        int da = a.lastIndexOf('-'), db = b.lastIndexOf('-');
        int ua = ca < 0 ? 0 : ca + 1, ub = cb < 0 ? 0 : cb + 1;
        if (da < ua) da = -1;
        if (db < ub) db = -1;
        c = compareFragment(a, ua, da < 0 ? a.length() : da, b, ub, db < 0 ? b.length() : db);
        if (c != 0) return c;
        return compareFragment(a, da < 0 ? a.length() : da + 1, a.length(), b, db < 0 ? b.length() : db + 1, b.length());
    }

    private static int epochEnd(String v) {
        return v.indexOf(':');
    }

    private static boolean numericEpoch(String v, int colon) {
        if (colon <= 0) return false;
        for (int i = 0; i < colon; i++) if (!isDigit(v.charAt(i))) return false;
        return true;
    }

    private static int order(char c) {
        if (c >= '0' && c <= '9') return 0;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return c;
        if (c == '~') return -1;
        return c + 256;
    }

    /** dpkg's verrevcmp on {@code a[i, n)} and {@code b[j, m)}. */
    static int compareFragment(String a, int i, int n, String b, int j, int m) {
        while (i < n || j < m) {
            while ((i < n && !isDigit(a.charAt(i))) || (j < m && !isDigit(b.charAt(j)))) {
                int oa = i < n && !isDigit(a.charAt(i)) ? order(a.charAt(i)) : 0;
                int ob = j < m && !isDigit(b.charAt(j)) ? order(b.charAt(j)) : 0;
                if (oa != ob) return Integer.compare(oa, ob);
                if (i < n && !isDigit(a.charAt(i))) i++;
                if (j < m && !isDigit(b.charAt(j))) j++;
            }
            int si = i, sj = j;
            while (i < n && isDigit(a.charAt(i))) i++;
            while (j < m && isDigit(b.charAt(j))) j++;
            int c = VersionComparator.compareDigits(a, si, i, b, sj, j);
            if (c != 0) return c;
        }
        return 0;
    }

    private static boolean isDigit(char c) { return c >= '0' && c <= '9'; }
}
