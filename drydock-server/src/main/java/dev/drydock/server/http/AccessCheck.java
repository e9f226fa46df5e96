package dev.drydock.server.http;

import dev.drydock.platform.ApiErrorCode;
import dev.drydock.platform.ApiException;
import dev.drydock.platform.access.TokenService;
import dev.drydock.platform.adapters.AdapterService;
import dev.drydock.platform.builds.Actor;
import dev.drydock.platform.builds.BuildService;
import dev.drydock.platform.builds.Roles;
import dev.drydock.platform.identity.IdentityService;
import dev.drydock.platform.identity.Principal;
import io.javalin.http.Context;

import java.util.function.BiConsumer;

/** Enforces a route's {@link Access} before its handler runs, resolving the resource the access names. */
final class AccessCheck {
    private final TokenService tokens;
    private final IdentityService identity;
    private final AdapterService adapters;
    private final BuildService builds;

    AccessCheck(TokenService tokens, IdentityService identity, AdapterService adapters, BuildService builds) {
        this.tokens = tokens;
        this.identity = identity;
        this.adapters = adapters;
        this.builds = builds;
    }

    /** The caller, once allowed; otherwise the {@link ApiException} (401, 403 or 404) the API answers with. */
    Caller check(Access access, Context ctx) {
        return switch (access) {
            case Access.Public p -> Caller.ANONYMOUS;
            case Access.OwnCredential o -> Caller.ANONYMOUS;
            case Access.Authenticated a -> Caller.of(authenticate(ctx));
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

    private TokenService.ApiCredential authenticate(Context ctx) {
        return tokens.apiCredential(ctx.header("Authorization")).orElseThrow(() -> new ApiException(ApiErrorCode.UNAUTHENTICATED,
                "authentication required: send Basic credentials (e-mail:password or robot login:token) "
                        + "or a Bearer token from POST /api/v1/login"));
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
