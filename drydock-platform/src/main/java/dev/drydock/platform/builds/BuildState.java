package dev.drydock.platform.builds;

import java.util.Locale;

/** A build's lifecycle state (DESIGN §3). Lower-case names are the REST spelling. */
public enum BuildState {
    pending, fetching, available, invalid, submitted, approved, disapproved, deployed, paused, deleted;

    public static BuildState parse(String value) {
        return valueOf(value.toLowerCase(Locale.ROOT));
    }
}
