package dev.drydock.scanner.versions;

/** Splitting {@code [epoch:]version[-revision]}, the shape dpkg and rpm versions share. */
final class EpochVersion {
    private EpochVersion() {}

    /**
     * {epoch digits, version, revision}. A missing or non-numeric epoch is "0" (the tools reject the latter; we
     * still order it); a missing revision is {@code noRevision}.
     */
    static String[] split(String v, String noRevision) {
        String epoch = "0";
        int colon = v.indexOf(':');
        if (colon >= 0) {
            String e = v.substring(0, colon);
            if (!e.isEmpty() && e.chars().allMatch(c -> c >= '0' && c <= '9')) epoch = e;
            v = v.substring(colon + 1);
        }
        int dash = v.lastIndexOf('-');
        if (dash < 0) return new String[] {epoch, v, noRevision};
        return new String[] {epoch, v.substring(0, dash), v.substring(dash + 1)};
    }
}
