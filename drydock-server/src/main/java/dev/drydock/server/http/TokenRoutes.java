package dev.drydock.server.http;

import dev.drydock.platform.access.LoginThrottle;
import dev.drydock.platform.access.TokenService;
import dev.drydock.platform.identity.Principal;
import dev.drydock.registry.auth.Access;
import io.javalin.http.Context;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Docker token service: {@code GET /auth/token} with Basic credentials (what docker, podman, skopeo and
 * Jib use) and the OAuth2 form {@code POST /auth/token} ({@code grant_type=password}).
 */
public final class TokenRoutes {
    private final TokenService tokens;

    public TokenRoutes(TokenService tokens) {
        this.tokens = tokens;
    }

    void get(Context ctx) {
        Optional<String[]> credentials = TokenService.basicCredentials(ctx.header("Authorization"));
        if (credentials.isEmpty()) {
            ctx.header("WWW-Authenticate", "Basic realm=\"drydock\"");
            RegistryRoutes.error(ctx, 401, "UNAUTHORIZED",
                    "credentials required: run docker login with your e-mail and password, or a robot login and token", Map.of());
            return;
        }
        if (TokenService.isPullTicketUser(credentials.get()[0])) {
            // a container engine pulling a build's image for its sandbox run, with a single-repository pull ticket
            Optional<TokenService.IssuedToken> ticketToken = tokens.issueForPullTicket(credentials.get()[1],
                    Access.parseScopes(ctx.queryParams("scope")));
            if (ticketToken.isEmpty()) {
                ctx.header("WWW-Authenticate", "Basic realm=\"drydock\"");
                RegistryRoutes.error(ctx, 401, "UNAUTHORIZED", "invalid or expired pull ticket", Map.of());
                return;
            }
            writeToken(ctx, ticketToken.get());
            return;
        }
        Optional<Principal> principal;
        try {
            principal = tokens.login(credentials.get()[0], credentials.get()[1], "token-endpoint", ctx.ip());
        } catch (LoginThrottle.Throttled t) {
            tooManyAttempts(ctx, t);
            return;
        }
        if (principal.isEmpty()) {
            ctx.header("WWW-Authenticate", "Basic realm=\"drydock\"");
            RegistryRoutes.error(ctx, 401, "UNAUTHORIZED",
                    "invalid username or password (robots log in as <orgId>+<name> with their token)", Map.of());
            return;
        }
        writeToken(ctx, tokens.issueRegistryToken(principal.get(), Access.parseScopes(ctx.queryParams("scope"))));
    }

    /** A throttled sign-in, in the registry's error shape that docker and podman show: 429 TOOMANYREQUESTS, Retry-After. */
    private static void tooManyAttempts(Context ctx, LoginThrottle.Throttled t) {
        ctx.header("Retry-After", String.valueOf(t.retryAfter()));
        RegistryRoutes.error(ctx, 429, "TOOMANYREQUESTS", t.getMessage(), Map.of("retryAfterSeconds", t.retryAfter()));
    }

    private static void writeToken(Context ctx, TokenService.IssuedToken issued) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("token", issued.token());
        body.put("access_token", issued.token());
        body.put("expires_in", issued.expiresIn());
        // no issued_at: clients then time expires_in by their own clocks from receipt, so their skew never matters
        ctx.header("Cache-Control", "no-store");
        Json.write(ctx, 200, body);
    }

    void post(Context ctx) {
        String grantType = ctx.formParam("grant_type");
        ctx.header("Cache-Control", "no-store");
        if (!"password".equals(grantType)) {
            Json.write(ctx, 400, Map.of("error", "unsupported_grant_type",
                    "error_description", "only grant_type=password is supported; send username and password"));
            return;
        }
        Optional<Principal> principal;
        try {
            principal = tokens.login(ctx.formParam("username"), ctx.formParam("password"), "token-endpoint-oauth", ctx.ip());
        } catch (LoginThrottle.Throttled t) {
            tooManyAttempts(ctx, t);
            return;
        }
        if (principal.isEmpty()) {
            Json.write(ctx, 401, Map.of("error", "invalid_grant", "error_description", "invalid username or password"));
            return;
        }
        String scope = ctx.formParam("scope");
        TokenService.IssuedToken issued = tokens.issueRegistryToken(principal.get(),
                Access.parseScopes(scope == null ? List.of() : List.of(scope)));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", issued.token());
        body.put("token_type", "Bearer");
        body.put("expires_in", issued.expiresIn());
        body.put("scope", String.join(" ", issued.granted().stream().map(Access::scope).toList()));
        Json.write(ctx, 200, body);
    }
}
