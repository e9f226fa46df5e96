package dev.drydock.registry.auth;

import java.util.List;

/**
 * The caller must (re)authenticate: rendered as 401 with a {@code WWW-Authenticate: Bearer} challenge naming
 * the scope the request needs. {@code error} is the challenge's error attribute (e.g.
 * {@code insufficient_scope}) or null.
 */
public class AuthenticationRequired extends RuntimeException {
    private final List<Access> requested;
    private final String error;

    public AuthenticationRequired(String message, List<Access> requested, String error) {
        super(message);
        this.requested = List.copyOf(requested);
        this.error = error;
    }

    public List<Access> requested() { return requested; }
    public String error() { return error; }
}
