package dev.drydock.scanner.versions;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Python package versions, PEP 440: {@code [N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]} with the PEP's
 * normalisations (case, {@code alpha/beta/c/pre/preview/rev/r} spellings, {@code -}/{@code _}/{@code .}
 * separators, implicit 0, {@code 1.0-1} as a post-release, a leading {@code v}). Order: epoch; release with
 * trailing zeros ignored; then {@code .devN} of a bare release &lt; pre-releases &lt; the release &lt; post-releases;
 * within each, a dev release before its parent; local versions after the public version they extend (numeric
 * segments above alphanumeric ones). Invalid versions (the PEP's "legacy" ones) sort before every valid one.
 */
public final class Pep440Version implements VersionComparator {
    public static final Pep440Version INSTANCE = new Pep440Version();

    private static final Pattern GRAMMAR = Pattern.compile(
            "^v?(?:(\\d+)!)?(\\d+(?:\\.\\d+)*)"
                    + "(?:[-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?(\\d+)?)?"
                    + "(?:-(\\d+)|[-_.]?(post|rev|r)[-_.]?(\\d+)?)?"
                    + "(?:[-_.]?(dev)[-_.]?(\\d+)?)?"
                    + "(?:\\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?$");

    private Pep440Version() {}

    @Override
    public String name() { return "pep440"; }

    /** A parsed version; {@code null} pre/post/dev mean absent, and their sort position is decided in compare. */
    private record Parsed(BigInteger epoch, List<BigInteger> release, int preKind, BigInteger pre, BigInteger post,
                          BigInteger dev, String[] local) {}

    private static Parsed parse(String raw) {
        Matcher m = GRAMMAR.matcher(raw.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) return null;
        List<BigInteger> release = new ArrayList<>();
        for (String part : m.group(2).split("\\.")) release.add(new BigInteger(part));
        while (release.size() > 1 && release.getLast().signum() == 0) release.removeLast();
        int preKind = -1;
        BigInteger pre = null;
        if (m.group(3) != null) {
            preKind = switch (m.group(3)) {
                case "a", "alpha" -> 0;
                case "b", "beta" -> 1;
                default -> 2;
            };
            pre = number(m.group(4));
        }
        BigInteger post = m.group(5) != null ? new BigInteger(m.group(5)) : m.group(6) != null ? number(m.group(7)) : null;
        BigInteger dev = m.group(8) != null ? number(m.group(9)) : null;
        String[] local = m.group(10) == null ? null : m.group(10).split("[-_.]");
        return new Parsed(m.group(1) == null ? BigInteger.ZERO : new BigInteger(m.group(1)), release, preKind, pre, post,
                dev, local);
    }

    private static BigInteger number(String s) { return s == null ? BigInteger.ZERO : new BigInteger(s); }

    @Override
    public int compare(String a, String b) {
        Parsed x = parse(a), y = parse(b);
        if (x == null || y == null) return x == y ? Integer.signum(a.compareTo(b)) : (x == null ? -1 : 1);
        int c = x.epoch.compareTo(y.epoch);
        if (c != 0) return c;
        for (int i = 0; i < Math.max(x.release.size(), y.release.size()); i++) {
            BigInteger p = i < x.release.size() ? x.release.get(i) : BigInteger.ZERO;
            BigInteger q = i < y.release.size() ? y.release.get(i) : BigInteger.ZERO;
            c = p.compareTo(q);
            if (c != 0) return c;
        }
        c = Long.compare(preRank(x), preRank(y));
        if (c != 0) return c;
        if (x.pre != null) {
            c = x.pre.compareTo(y.pre);
            if (c != 0) return c;
        }
        c = compareOptional(x.post, y.post, -1);
        if (c != 0) return c;
        c = compareOptional(x.dev, y.dev, 1);
        if (c != 0) return c;
        return compareLocal(x.local, y.local);
    }

    /** Pre-release position: a dev release of a bare release first, then a, b, rc, then no pre-release. */
    private static long preRank(Parsed p) {
        if (p.pre == null) return (p.post == null && p.dev != null) ? -1 : 3;
        return p.preKind;
    }

    /** Absent sorts below every value when {@code absent} is -1 (post), above when 1 (dev). */
    private static int compareOptional(BigInteger x, BigInteger y, int absent) {
        if (x == null || y == null) return x == y ? 0 : (x == null ? absent : -absent);
        return x.compareTo(y);
    }

    private static int compareLocal(String[] x, String[] y) {
        if (x == null || y == null) return x == y ? 0 : (x == null ? -1 : 1);
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            boolean nx = x[i].chars().allMatch(Character::isDigit), ny = y[i].chars().allMatch(Character::isDigit);
            int c;
            if (nx && ny) c = new BigInteger(x[i]).compareTo(new BigInteger(y[i]));
            else if (nx != ny) c = nx ? 1 : -1;
            else c = Integer.signum(x[i].compareTo(y[i]));
            if (c != 0) return c;
        }
        return Integer.compare(x.length, y.length);
    }
}
