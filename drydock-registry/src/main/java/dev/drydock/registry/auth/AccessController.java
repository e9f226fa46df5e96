package dev.drydock.registry.auth;

import java.util.List;

/**
 * Decides whether a request may proceed: the requested accesses go in, a {@link Grant} comes out, or an
 * {@link AuthenticationRequired} (a challenge) or a {@link dev.drydock.registry.RegistryException} with
 * DENIED is thrown. The registry knows nothing of users; the platform implements this.
 */
public interface AccessController {

    /**
     * @param authorization the raw {@code Authorization} header, or null
     * @param requested     what the request needs; empty for the base {@code /v2/} check
     */
    Grant authorize(String authorization, List<Access> requested);

    /**
     * As {@link #authorize(String, List)}, knowing the client's address (for throttling password guessing); a
     * controller that does not throttle ignores it.
     */
    default Grant authorize(String authorization, List<Access> requested, String clientAddress) {
        return authorize(authorization, requested);
    }
}
