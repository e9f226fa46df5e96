package dev.drydock.server.http;

import dev.drydock.platform.ApiErrorCode;
import dev.drydock.platform.ApiException;
import dev.drydock.platform.access.SessionService;
import dev.drydock.platform.access.TokenService;
import dev.drydock.platform.adapters.AdapterService;
import dev.drydock.platform.builds.Actor;
import dev.drydock.platform.builds.BuildService;
import dev.drydock.platform.builds.Roles;
import dev.drydock.platform.identity.IdentityService;
import dev.drydock.platform.identity.Principal;
import io.javalin.http.Context;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;
import java.util.function.BiConsumer;

/** Enforces a route's {@link Access} before its handler runs, resolving the resource the access names. */
final class AccessCheck {
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");

    private final TokenService tokens;
    private final SessionService sessions;
    private final Challenge challenge;
    private final IdentityService identity;
    private final AdapterService adapters;
    private final BuildService builds;

    AccessCheck(TokenService tokens, SessionService sessions, Challenge challenge, IdentityService identity,
                AdapterService adapters, BuildService builds) {
        this.tokens = tokens;
        this.sessions = sessions;
        this.challenge = challenge;
        this.identity = identity;
        this.adapters = adapters;
        this.builds = builds;
    }

    /** The caller, once allowed; otherwise the {@link ApiException} (401, 403 or 404) the API answers with. */
    Caller check(Access access, Context ctx) {
        return switch (access) {
            case Access.Public p -> Caller.ANONYMOUS;
            case Access.OwnCredential o -> Caller.ANONYMOUS;
            case Access.ScrapeToken s -> {
                String sent = ctx.header("Authorization");
                if (s.token() != null && sent != null && MessageDigest.isEqual(sent.getBytes(StandardCharsets.UTF_8),
                        ("Bearer " + s.token()).getBytes(StandardCharsets.UTF_8))) {
                    yield Caller.ANONYMOUS;
                }
                yield check(s.otherwise(), ctx);
            }
            case Access.Authenticated a -> Caller.of(authenticate(ctx));
            case Access.AnyUser u -> {
                TokenService.ApiCredential credential = authenticate(ctx);
                if (!(credential.principal() instanceof Principal.User)) {
                    throw new ApiException(ApiErrorCode.FORBIDDEN,
                            "only users may do this, not robots: sign in with the invited user's e-mail and password");
                }
                yield Caller.of(credential);
            }
            case Access.PlatformRoles r -> {
                TokenService.ApiCredential credential = authenticate(ctx);
                if (!(credential.principal() instanceof Principal.User u) || u.platformRole() == null
                        || !r.roles().contains(u.platformRole())) {
                    throw new ApiException(ApiErrorCode.FORBIDDEN, r.refusal());
                }
                yield Caller.of(credential);
            }
            case Access.OrgVisible o -> inOrg(ctx, o.param(), identity::org);
            case Access.OrgMember m -> inOrg(ctx, m.param(), (principal, org) -> {
                identity.org(principal, org);
                if (!Roles.of(principal, org).contains(Actor.owner)) {
                    throw new ApiException(ApiErrorCode.FORBIDDEN, "only members of organization " + org + " may " + m.what());
                }
            });
            case Access.OrgAdmin a -> inOrg(ctx, a.param(), identity::requireOrgAdmin);
            case Access.AdapterVisible a -> {
                TokenService.ApiCredential credential = authenticate(ctx);
                yield new Caller(credential, null, adapters.get(credential.principal(), ctx.pathParam(a.param())), null);
            }
            case Access.BuildVisible b -> {
                TokenService.ApiCredential credential = authenticate(ctx);
                yield new Caller(credential, null, null, builds.get(credential.principal(), ctx.pathParam(b.param())));
            }
        };
    }

    /** The caller in the organization named by path parameter {@code param}, once {@code rule} let them in. */
    private Caller inOrg(Context ctx, String param, BiConsumer<Principal, Long> rule) {
        TokenService.ApiCredential credential = authenticate(ctx);
        long org = orgId(ctx, param);
        rule.accept(credential.principal(), org);
        return new Caller(credential, org, null, null);
    }

    /**
     * The caller's credential: the Authorization header (API clients), else the Developer App's session cookie. A
     * state-changing request made with the cookie must also carry the session's CSRF token and, when the browser says
     * where it comes from, come from this origin.
     */
    private TokenService.ApiCredential authenticate(Context ctx) {
        String authorization = ctx.header("Authorization");
        String cookie = authorization == null ? ctx.cookie(SessionResource.COOKIE) : null;
        if (cookie != null) {
            SessionService.Session session = sessions.find(cookie).orElseThrow(() -> new ApiException(ApiErrorCode.UNAUTHENTICATED,
                    "your session has ended (signed out, idle too long or expired): sign in again"));
            if (!SAFE_METHODS.contains(ctx.method().name())) requireCsrfToken(ctx, session, challenge);
            return new TokenService.ApiCredential(session.user(), session.expires());
        }
        return tokens.apiCredential(authorization, ctx.ip()).orElseThrow(() -> new ApiException(ApiErrorCode.UNAUTHENTICATED,
                "authentication required: send Basic credentials (e-mail:password or robot login:token) "
                        + "or a Bearer token from POST /api/v1/login"));
    }

    /** A change made with the session cookie: refused unless it repeats the session's CSRF token and comes from here. */
    static void requireCsrfToken(Context ctx, SessionService.Session session, Challenge challenge) {
        requireSameOrigin(ctx, challenge);
        String sent = ctx.header(SessionResource.CSRF_HEADER);
        if (sent == null || !MessageDigest.isEqual(sent.getBytes(StandardCharsets.UTF_8),
                session.csrfToken().getBytes(StandardCharsets.UTF_8))) {
            throw new ApiException(ApiErrorCode.CSRF_TOKEN_INVALID, (sent == null ? "missing" : "wrong") + " CSRF token: a change made"
                    + " with the Developer App's session cookie must send the session's token in the " + SessionResource.CSRF_HEADER
                    + " header (GET /api/v1/session returns it); API clients send an Authorization header instead of the cookie");
        }
    }

    /** Refuses a request whose browser-set Origin names another site (a cross-site form or script). */
    static void requireSameOrigin(Context ctx, Challenge challenge) {
        String origin = ctx.header("Origin");
        if (origin == null) return; // not sent by every browser for same-origin requests; the CSRF token still holds
        String here = ctx.scheme() + "://" + ctx.host();
        if (!origin.equals(here) && !origin.equals(challenge.baseUrl(ctx))) {
            throw new ApiException(ApiErrorCode.CSRF_TOKEN_INVALID, "cross-origin request from " + origin
                    + " refused: the Developer App's session works only on pages served by this Drydock");
        }
    }

    private static long orgId(Context ctx, String param) {
        String raw = ctx.pathParam(param);
        try {
            return Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw new ApiException(ApiErrorCode.ORG_NOT_FOUND, "organization ids are numbers, got '" + raw + "'");
        }
    }
}
