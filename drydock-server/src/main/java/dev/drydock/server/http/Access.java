package dev.drydock.server.http;

import dev.drydock.platform.identity.Principal.PlatformRole;

import java.util.Set;

/**
 * The access a route needs, declared next to it in {@link Routes} and enforced by {@link AccessCheck} before its
 * handler runs. Levels that name a path parameter resolve the resource it names and refuse the way the API always
 * has: an organization, adapter or build the caller may not see is 404 (never revealing that it exists), one they
 * see but may not change is 403.
 */
public sealed interface Access {

    /** Anyone, without credentials: documents, the home page, login, health. */
    Access PUBLIC = new Public();
    /** The route checks its own kind of credential (registry bearer tokens, the token service's Basic login). */
    Access OWN_CREDENTIAL = new OwnCredential();
    /** Any authenticated principal: a user (Basic e-mail:password or a Bearer token) or a robot. */
    Access AUTHENTICATED = new Authenticated();
    /** Any signed-in user; robots are refused with 403 (invitations are for people: a robot cannot accept one). */
    Access USER = new AnyUser();
    /** Platform admins only (403 for everyone else). */
    Access PLATFORM_ADMIN = new PlatformRoles(Set.of(PlatformRole.admin), "only a platform admin may do this");

    record Public() implements Access {}

    record OwnCredential() implements Access {}

    record Authenticated() implements Access {}

    record AnyUser() implements Access {}

    /**
     * A scraper's bearer token ({@code token}, configured; null: none), or else whatever {@code otherwise} admits:
     * Prometheus sends a fixed {@code Authorization: Bearer} header and has no user to sign in.
     */
    record ScrapeToken(String token, Access otherwise) implements Access {
        @Override
        public String toString() {
            return "ScrapeToken[token=" + (token == null ? "none" : "(set)") + ", otherwise=" + otherwise + "]";
        }
    }

    /** A user holding one of {@code roles}; anyone else is refused with 403 and {@code refusal}. */
    record PlatformRoles(Set<PlatformRole> roles, String refusal) implements Access {}

    /** Whoever may see the organization named by path parameter {@code param} (members, its robots, platform roles). */
    record OrgVisible(String param) implements Access {}

    /** A member or robot of the organization named by {@code param}; others who see it get 403 "only members … may {@code what}". */
    record OrgMember(String param, String what) implements Access {}

    /** An admin of the organization named by {@code param}, or a platform admin. */
    record OrgAdmin(String param) implements Access {}

    /**
     * Whoever may see the adapter named by path parameter {@code param}. What they may then do to it (actions)
     * depends on the request and stays with the adapter service.
     */
    record AdapterVisible(String param) implements Access {}

    /** Whoever may see the build named by {@code param}; the lifecycle decides which actions they may take on it. */
    record BuildVisible(String param) implements Access {}

    static Access platformRoles(String refusal, PlatformRole... roles) {
        return new PlatformRoles(Set.of(roles), refusal);
    }

    static Access orgVisible(String param) {
        return new OrgVisible(param);
    }

    static Access orgMember(String param, String what) {
        return new OrgMember(param, what);
    }

    static Access orgAdmin(String param) {
        return new OrgAdmin(param);
    }

    static Access adapterVisible(String param) {
        return new AdapterVisible(param);
    }

    static Access buildVisible(String param) {
        return new BuildVisible(param);
    }
}
