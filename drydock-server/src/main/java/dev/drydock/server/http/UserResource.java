package dev.drydock.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.platform.ApiErrorCode;
import dev.drydock.platform.ApiException;
import dev.drydock.platform.access.TokenService;
import dev.drydock.platform.identity.IdentityService;
import dev.drydock.platform.identity.Principal;
import io.javalin.http.Context;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Users: logging in for a bearer token ({@code /api/v1/login}), the caller ({@code /api/v1/me}), the user list, platform roles. */
final class UserResource {
    private static final int DEFAULT_LIMIT = 100;
    private static final int MAX_LIMIT = 1000;
    private final IdentityService identity;
    private final TokenService tokens;

    UserResource(IdentityService identity, TokenService tokens) {
        this.identity = identity;
        this.tokens = tokens;
    }

    void login(Context ctx, Caller caller) {
        JsonNode body = Json.readObject(ctx);
        String email = Json.text(body, "email");
        String password = Json.text(body, "password");
        Principal principal = tokens.login(email, password, "api-login", ctx.ip())
                .orElseThrow(() -> new ApiException(ApiErrorCode.INVALID_CREDENTIALS, "invalid e-mail or password"));
        TokenService.IssuedToken issued = tokens.issueApiToken(principal);
        Json.write(ctx, 200, Map.of("token", issued.token(), "expiresIn", issued.expiresIn()));
    }

    void me(Context ctx, Caller caller) {
        Principal principal = caller.principal();
        Map<String, Object> me = new LinkedHashMap<>();
        me.put("name", principal.name());
        switch (principal) {
            case Principal.User u -> {
                me.put("type", "user");
                me.put("email", u.email());
                me.put("platformRole", u.platformRole());
                me.put("memberships", u.memberships().entrySet().stream().sorted(Map.Entry.comparingByKey())
                        .map(e -> Map.of("orgId", e.getKey(), "role", e.getValue())).toList());
            }
            case Principal.Robot r -> {
                me.put("type", "robot");
                me.put("memberships", List.of(Map.of("orgId", r.orgId(), "role", "robot")));
            }
        }
        Json.write(ctx, 200, me);
    }

    /** Users with their platform roles and memberships, by e-mail: {@code ?limit=} (1-1000, default 100), {@code &offset=}. */
    void list(Context ctx, Caller caller) {
        Integer limit = Numbers.queryInt(ctx, "limit", 1, MAX_LIMIT);
        Integer offset = Numbers.queryInt(ctx, "offset", 0, Integer.MAX_VALUE);
        Json.write(ctx, 200, identity.users(caller.principal(), limit == null ? DEFAULT_LIMIT : limit, offset == null ? 0 : offset));
    }

    void setPlatformRole(Context ctx, Caller caller) {
        JsonNode body = Json.readObject(ctx);
        if (!body.has("role")) {
            throw new ApiException(ApiErrorCode.VALIDATION_FAILED,
                    "send {\"role\": \"reviewer\"} (or admin, operator), or {\"role\": null} to remove the platform role",
                    Map.of("field", "role"));
        }
        Json.write(ctx, 200, identity.setPlatformRole(caller.principal(), ctx.pathParam("email"), Json.text(body, "role")));
    }
}
