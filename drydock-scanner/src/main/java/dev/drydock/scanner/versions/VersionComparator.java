package dev.drydock.scanner.versions;

import java.util.Comparator;

/**
 * Orders the version strings of one packaging ecosystem. Comparators never throw on odd input: a string that
 * does not follow the ecosystem's grammar is still ordered (deterministically, usually as a lesser version),
 * because advisory data and package databases both contain such strings and a scan must go on.
 */
public interface VersionComparator extends Comparator<String> {

    /** The ecosystem's name as used in documentation and errors, e.g. {@code dpkg}. */
    String name();

    /** Compares {@code a} to {@code b}: negative, zero or positive. */
    @Override
    int compare(String a, String b);

    /** Shared helper: compares two runs of decimal digits of any length without overflow. */
    static int compareDigits(CharSequence a, int aFrom, int aTo, CharSequence b, int bFrom, int bTo) {
        while (aFrom < aTo && a.charAt(aFrom) == '0') aFrom++;
        while (bFrom < bTo && b.charAt(bFrom) == '0') bFrom++;
        int lenA = aTo - aFrom, lenB = bTo - bFrom;
        if (lenA != lenB) return Integer.compare(lenA, lenB);
        for (int i = 0; i < lenA; i++) {
            int c = Character.compare(a.charAt(aFrom + i), b.charAt(bFrom + i));
            if (c != 0) return c;
        }
        return 0;
    }
}
