package dev.drydock.scanner.versions;

/**
 * Debian version ordering, Debian Policy §5.6.12: {@code [epoch:]upstream[-revision]}. The epoch is compared
 * numerically; upstream and revision alternate non-digit and digit runs: non-digit runs compare character by
 * character where {@code ~} sorts before everything (even the end of the string), then the end, then letters,
 * then every other character; digit runs compare numerically. A missing revision equals {@code 0}.
 */
public final class DpkgVersion implements VersionComparator {
    public static final DpkgVersion INSTANCE = new DpkgVersion();

    private DpkgVersion() {}

    @Override
    public String name() { return "dpkg"; }

    @Override
    public int compare(String a, String b) {
        String[] pa = EpochVersion.split(a.strip(), ""), pb = EpochVersion.split(b.strip(), "");
        int c = VersionComparator.compareDigits(pa[0], 0, pa[0].length(), pb[0], 0, pb[0].length());
        if (c != 0) return c;
        c = compareFragment(pa[1], pb[1]);
        if (c != 0) return c;
        return compareFragment(pa[2], pb[2]);
    }

    /** {epoch digits, upstream, revision}; a non-numeric epoch is treated as 0 (dpkg rejects it; we still order). */

    private static int order(char c) {
        if (c >= '0' && c <= '9') return 0;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return c;
        if (c == '~') return -1;
        return c + 256;
    }

    static int compareFragment(String a, String b) {
        int i = 0, j = 0;
        while (i < a.length() || j < b.length()) {
            while ((i < a.length() && !isDigit(a.charAt(i))) || (j < b.length() && !isDigit(b.charAt(j)))) {
                int oa = i < a.length() && !isDigit(a.charAt(i)) ? order(a.charAt(i)) : 0;
                int ob = j < b.length() && !isDigit(b.charAt(j)) ? order(b.charAt(j)) : 0;
                if (oa != ob) return Integer.compare(oa, ob);
                if (i < a.length() && !isDigit(a.charAt(i))) i++;
                if (j < b.length() && !isDigit(b.charAt(j))) j++;
            }
            int si = i, sj = j;
            while (i < a.length() && isDigit(a.charAt(i))) i++;
            while (j < b.length() && isDigit(b.charAt(j))) j++;
            int c = VersionComparator.compareDigits(a, si, i, b, sj, j);
            if (c != 0) return c;
        }
        return 0;
    }

    private static boolean isDigit(char c) { return c >= '0' && c <= '9'; }
}
