package dev.drydock.compliance;

import dev.drydock.sandbox.RegistryAuth;
import dev.drydock.sandbox.Sandbox;

import java.time.Duration;

/**
 * What the sandbox run needs from the service that runs the pipeline, without this module knowing of HTTP or users:
 * the {@link Sandbox} (or why there is none), and for each build the image reference the engine can pull and a
 * credential for that pull.
 */
public interface SandboxAccess {
    Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);

    /** The image the engine pulls and the credential it pulls with (never logged, never in the report). */
    record PullTarget(String imageRef, RegistryAuth auth) {}

    /** The sandbox to run in; null when runs are disabled ({@link #disabledReason()} says why). */
    Sandbox sandbox();

    /** Why there is no sandbox, e.g. "the sandbox is disabled (sandbox.engine=none)". */
    String disabledReason();

    /** The pull reference and a credential valid for at least {@code validFor} and for this build's repository only. */
    PullTarget pullTarget(BuildUnderTest build, Duration validFor);

    /** No sandbox: the run checks are warnings saying {@code reason}. */
    static SandboxAccess disabled(String reason) {
        return new SandboxAccess() {
            @Override
            public Sandbox sandbox() {
                return null;
            }

            @Override
            public String disabledReason() {
                return reason;
            }

            @Override
            public PullTarget pullTarget(BuildUnderTest build, Duration validFor) {
                throw new IllegalStateException("the sandbox is disabled: " + reason);
            }
        };
    }
}
