package dev.drydock.server.http;

import dev.drydock.platform.builds.BuildState;

import java.util.EnumSet;
import java.util.Set;

/**
 * Veritone's GraphQL {@code BuildStatus}, spelled as the platform spells it, and how Drydock's build states
 * appear under it. Every state keeps its name except {@link BuildState#submitted}: the platform has no such
 * status, and a build waiting for approval is {@link #pending} there ("created but still pending approval").
 * {@link #deploying}, {@link #deployFailed} and {@link #uploaded} describe platform steps Drydock does not
 * have (deploying is immediate, images arrive by {@code docker push}): they are accepted as filters and
 * match nothing.
 */
public enum PlatformBuildStatus {
    approved, available, deleted, deploying, deployed, deployFailed, disapproved, fetching, invalid, paused, pending, uploaded;

    /** The status a build in {@code state} shows. */
    public static PlatformBuildStatus of(BuildState state) {
        return switch (state) {
            case pending, submitted -> pending;
            case fetching -> fetching;
            case available -> available;
            case invalid -> invalid;
            case approved -> approved;
            case disapproved -> disapproved;
            case deployed -> deployed;
            case paused -> paused;
            case deleted -> deleted;
        };
    }

    /** The Drydock states that show this status; empty for the statuses Drydock never produces. */
    public Set<BuildState> states() {
        Set<BuildState> states = EnumSet.noneOf(BuildState.class);
        for (BuildState s : BuildState.values()) {
            if (of(s) == this) states.add(s);
        }
        return states;
    }
}
