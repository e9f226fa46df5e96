package dev.drydock.scanner.versions;

import java.util.List;

/**
 * Alpine package versions, apk-package(5): {@code number{.number}...{letter}{_suffix{number}}...{~hash}{-rN}}.
 * The version is read as a stream of tokens (digit run, letter, suffix, suffix number, revision, end). Equal
 * kinds compare by value: the first number numerically, later numbers numerically unless either has a leading
 * zero (then as decimal fractions, i.e. as strings); suffixes by the fixed order {@code alpha < beta < pre < rc <
 * (none) < cvs < svn < git < hg < p}. When the kinds differ, the version that goes on is newer unless what it goes
 * on with is a pre-release suffix ({@code 1.0_rc1 < 1.0 < 1.0-r1 < 1.0_p1 < 1.0a < 1.0.1}).
 */
public final class ApkVersion implements VersionComparator {
    public static final ApkVersion INSTANCE = new ApkVersion();

    private static final List<String> PRE = List.of("alpha", "beta", "pre", "rc");
    private static final List<String> POST = List.of("cvs", "svn", "git", "hg", "p");

    private enum Kind { DIGIT, LETTER, SUFFIX, SUFFIX_NO, REVISION, HASH, END, INVALID }

    private ApkVersion() {}

    @Override
    public String name() { return "apk"; }

    /** Reads tokens one at a time; {@code kind} tells what the next token is, {@code value} holds the last one. */
    private static final class Reader {
        final String s;
        int pos;
        Kind kind = Kind.DIGIT;
        String value = "";
        boolean first = true;

        Reader(String s) {
            this.s = s;
            if (s.isEmpty()) kind = Kind.END;
        }

        /** Consumes one token of the current kind into {@code value}, then works out the next kind. */
        void next() {
            int start = pos;
            switch (kind) {
                case DIGIT, SUFFIX_NO, REVISION -> {
                    while (pos < s.length() && Character.isDigit(s.charAt(pos))) pos++;
                    if (start == pos && kind != Kind.SUFFIX_NO) { kind = Kind.INVALID; return; }
                }
                case LETTER -> pos++;
                case SUFFIX -> { while (pos < s.length() && Character.isLowerCase(s.charAt(pos))) pos++; }
                case HASH -> { while (pos < s.length() && Character.isLetterOrDigit(s.charAt(pos))) pos++; }
                default -> { return; }
            }
            value = s.substring(start, pos);
            Kind was = kind;
            if (pos >= s.length()) { kind = Kind.END; return; }
            char c = s.charAt(pos);
            if (was == Kind.DIGIT && Character.isLowerCase(c)) { kind = Kind.LETTER; return; }
            if (was == Kind.SUFFIX && Character.isDigit(c)) { kind = Kind.SUFFIX_NO; return; }
            pos++;
            kind = switch (c) {
                case '.' -> (was == Kind.DIGIT) ? Kind.DIGIT : Kind.INVALID;
                case '_' -> (was == Kind.DIGIT || was == Kind.LETTER || was == Kind.SUFFIX_NO || was == Kind.SUFFIX)
                        ? Kind.SUFFIX : Kind.INVALID;
                case '~' -> (was != Kind.REVISION && was != Kind.HASH) ? Kind.HASH : Kind.INVALID;
                case '-' -> (was != Kind.REVISION && pos < s.length() && s.charAt(pos) == 'r') ? revision() : Kind.INVALID;
                default -> Kind.INVALID;
            };
        }

        private Kind revision() { pos++; return Kind.REVISION; }

        /** Sign of a suffix: negative for pre-release, positive for post-release, 0 unknown. */
        static int suffixRank(String suffix) {
            int i = PRE.indexOf(suffix);
            if (i >= 0) return i - PRE.size();
            i = POST.indexOf(suffix);
            return i >= 0 ? i + 1 : 0;
        }
    }

    @Override
    public int compare(String a, String b) {
        Reader ra = new Reader(a.strip()), rb = new Reader(b.strip());
        while (ra.kind == rb.kind && ra.kind != Kind.END && ra.kind != Kind.INVALID) {
            Kind kind = ra.kind;
            boolean first = ra.first;
            ra.next();
            rb.next();
            ra.first = rb.first = false;
            int c = switch (kind) {
                case DIGIT -> {
                    if (!first && (ra.value.startsWith("0") || rb.value.startsWith("0"))) yield ra.value.compareTo(rb.value);
                    yield VersionComparator.compareDigits(ra.value, 0, ra.value.length(), rb.value, 0, rb.value.length());
                }
                case SUFFIX -> Integer.compare(Reader.suffixRank(ra.value), Reader.suffixRank(rb.value));
                case HASH -> 0;
                case LETTER -> ra.value.compareTo(rb.value);
                default -> VersionComparator.compareDigits(ra.value, 0, ra.value.length(), rb.value, 0, rb.value.length());
            };
            if (c != 0) return Integer.signum(c);
        }
        if (ra.kind == rb.kind) return 0;
        // a version that is invalid from here on sorts before a valid continuation
        if (ra.kind == Kind.INVALID) return -1;
        if (rb.kind == Kind.INVALID) return 1;
        if (ra.kind == Kind.SUFFIX && preRelease(ra)) return -1;
        if (rb.kind == Kind.SUFFIX && preRelease(rb)) return 1;
        return ra.kind.ordinal() > rb.kind.ordinal() ? -1 : 1;
    }

    private static boolean preRelease(Reader r) {
        int end = r.pos;
        while (end < r.s.length() && Character.isLowerCase(r.s.charAt(end))) end++;
        return Reader.suffixRank(r.s.substring(r.pos, end)) < 0;
    }
}
