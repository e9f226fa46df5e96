package dev.drydock.server.http;

import dev.drydock.platform.access.TokenService;
import dev.drydock.platform.adapters.Adapter;
import dev.drydock.platform.builds.Build;
import dev.drydock.platform.identity.Principal;

/**
 * Who is calling a route and what its access check resolved: the credential (none on public routes) and, for
 * routes whose access names an organization, adapter or build, that resource as the check found it.
 */
public record Caller(TokenService.ApiCredential credential, Long orgId, Adapter adapter, Build build) {
    static final Caller ANONYMOUS = new Caller(null, null, null, null);

    static Caller of(TokenService.ApiCredential credential) {
        return new Caller(credential, null, null, null);
    }

    public Principal principal() {
        return require(credential, "a credential").principal();
    }

    /** The organization named by the route's access (its {@code {orgId}} path parameter). */
    public long org() {
        return require(orgId, "an organization");
    }

    public Adapter adapter() {
        return require(adapter, "an adapter");
    }

    public Build build() {
        return require(build, "a build");
    }

    private static <T> T require(T value, String what) {
        if (value == null) throw new IllegalStateException("the route's access resolves no " + what + ": declare it in Routes");
        return value;
    }
}
