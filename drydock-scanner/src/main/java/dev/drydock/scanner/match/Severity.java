package dev.drydock.scanner.match;

import java.util.Locale;
import java.util.Optional;

/** Clair's severity scale, in order. */
public enum Severity {
    Unknown, Negligible, Low, Medium, High, Critical, Defcon1;

    /** CVSS (v3 or v2) base score bands: &lt;1 Negligible, &lt;4 Low, &lt;7 Medium, &lt;9 High, else Critical. */
    public static Severity fromScore(double score) {
        if (score < 1) return Negligible;
        if (score < 4) return Low;
        if (score < 7) return Medium;
        if (score < 9) return High;
        return Critical;
    }

    /**
     * A publisher's severity word: GitHub's {@code LOW/MODERATE/HIGH/CRITICAL}, Debian's urgencies
     * ({@code unimportant}, {@code low}, {@code medium}, {@code high}, with or without {@code **}), Red Hat's
     * {@code Important}, Clair's own names. Empty for "not yet assigned" and words we do not know.
     */
    public static Optional<Severity> fromVendor(String word) {
        if (word == null) return Optional.empty();
        String w = word.strip().toLowerCase(Locale.ROOT).replace("*", "");
        return Optional.ofNullable(switch (w) {
            case "negligible", "unimportant", "none" -> Negligible;
            case "low" -> Low;
            case "medium", "moderate" -> Medium;
            case "high", "important" -> High;
            case "critical" -> Critical;
            case "defcon1" -> Defcon1;
            default -> null;
        });
    }

    /** A severity named on a command line or in configuration, any case ({@code critical}, {@code High}). */
    public static Severity parse(String name) {
        for (Severity s : values()) if (s.name().equalsIgnoreCase(name.strip())) return s;
        throw new IllegalArgumentException("unknown severity '" + name + "': use one of "
                + java.util.Arrays.toString(values()).replace("[", "").replace("]", ""));
    }

    public boolean atLeast(Severity other) {
        return compareTo(other) >= 0;
    }
}
