package dev.drydock.platform.builds;

import java.time.Instant;

/** A build moved from one state to another (published after the transaction committed). */
public record BuildChanged(String buildId, String engineId, long orgId, BuildState from, BuildState to,
                           String action, String actor, String reason, Instant at) {}
