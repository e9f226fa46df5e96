package dev.drydock.server.http;

import dev.drydock.platform.builds.BuildAction;

import java.util.Optional;

/**
 * Veritone's GraphQL {@code BuildUpdateAction} (plus Drydock's {@link #retest}) and the lifecycle action each
 * one takes here. {@link #upload} has none: on the platform it hands over an image for a build to fetch,
 * while a Drydock build is created by pushing its image to the registry, so {@code updateEngineBuild}
 * refuses it and no build ever offers it.
 */
public enum PlatformBuildAction {
    deploy, pause, unpause, approve, disapprove, invalidate, submit, upload, delete, retest;

    /** The lifecycle action, or empty when Drydock has no equivalent. */
    public Optional<BuildAction> action() {
        return Optional.ofNullable(switch (this) {
            case deploy -> BuildAction.deploy;
            case pause -> BuildAction.pause;
            case unpause -> BuildAction.unpause;
            case approve -> BuildAction.approve;
            case disapprove -> BuildAction.disapprove;
            case invalidate -> BuildAction.invalidate;
            case submit -> BuildAction.submit;
            case delete -> BuildAction.delete;
            case retest -> BuildAction.retest;
            case upload -> null;
        });
    }

    /** The name under which a lifecycle action appears (the same for every one of them). */
    public static PlatformBuildAction of(BuildAction action) {
        for (PlatformBuildAction a : values()) {
            if (a.action().orElse(null) == action) return a;
        }
        throw new IllegalStateException("no BuildUpdateAction for " + action);
    }
}
