package dev.drydock.compliance;

import java.time.Duration;
import java.util.Locale;

/** Durations as the record's messages spell them ("Timed out after 10m0s"). */
public final class GoDuration {
    private GoDuration() {
    }

    /** Go's {@code time.Duration.String()} for whole seconds and up: 10m0s, 1h2m3s, 5s, 1.5s. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) return ms + "ms";
        long h = d.toHours();
        long m = d.toMinutesPart();
        long s = d.toSecondsPart();
        long frac = d.toMillisPart();
        String sec = frac == 0 ? s + "s" : String.format(Locale.ROOT, "%d.%03ds", s, frac).replaceAll("0+s$", "s");
        if (h > 0) return h + "h" + m + "m" + sec;
        if (m > 0) return m + "m" + sec;
        return sec;
    }
}
