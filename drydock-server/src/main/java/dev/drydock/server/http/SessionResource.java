package dev.drydock.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.platform.ApiErrorCode;
import dev.drydock.platform.ApiException;
import dev.drydock.platform.access.SessionService;
import dev.drydock.platform.access.TokenService;
import dev.drydock.platform.identity.Principal;
import io.javalin.http.Context;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Developer App's sign-in ({@code /api/v1/session}): a user's e-mail and password start a browser session, held
 * in an {@code HttpOnly}, {@code SameSite=Lax} cookie ({@code Secure} over TLS); the answer carries the session's CSRF
 * token, which the app sends back in {@code X-CSRF-Token} on every state-changing call ({@link AccessCheck}).
 */
final class SessionResource {
    static final String COOKIE = "drydock_session";
    static final String CSRF_HEADER = "X-CSRF-Token";

    private final SessionService sessions;
    private final TokenService tokens;
    private final Challenge challenge;
    private final Duration maxAge;

    SessionResource(SessionService sessions, TokenService tokens, Challenge challenge, Duration maxAge) {
        this.sessions = sessions;
        this.tokens = tokens;
        this.challenge = challenge;
        this.maxAge = maxAge;
    }

    /** Signs in. Only JSON from this origin: a cross-site form cannot send JSON, so it cannot sign a victim in as someone else. */
    void start(Context ctx, Caller caller) {
        String type = String.valueOf(ctx.contentType());
        if (!type.startsWith("application/json")) {
            throw new ApiException(ApiErrorCode.VALIDATION_FAILED, "sign in with a JSON body {\"email\": …, \"password\": …}"
                    + " and Content-Type: application/json", Map.of("field", "Content-Type"));
        }
        AccessCheck.requireSameOrigin(ctx, challenge);
        JsonNode body = Json.readObject(ctx);
        String email = Json.text(body, "email");
        String password = Json.text(body, "password");
        Principal principal = tokens.login(email, password, "web", ctx.ip())
                .orElseThrow(() -> new ApiException(ApiErrorCode.INVALID_CREDENTIALS, "invalid e-mail or password"));
        if (!(principal instanceof Principal.User user)) {
            throw new ApiException(ApiErrorCode.INVALID_CREDENTIALS,
                    "robots have no Developer App session: use the robot's token with the API or the registry");
        }
        SessionService.NewSession session = sessions.start(user);
        boolean secure = challenge.baseUrl(ctx).startsWith("https:");
        ctx.header("Set-Cookie", COOKIE + "=" + session.id() + "; Path=/; Max-Age=" + maxAge.toSeconds()
                + "; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : ""));
        Json.write(ctx, 201, view(user, session.csrfToken(), session.expires()));
    }

    /** The signed-in session: who, its CSRF token (the app reads it after a reload) and when it ends unless used. */
    void current(Context ctx, Caller caller) {
        SessionService.Session session = sessions.find(ctx.cookie(COOKIE)).orElseThrow(() -> new ApiException(
                ApiErrorCode.UNAUTHENTICATED, "not signed in, or the session has ended: sign in again (POST /api/v1/session)"));
        Json.write(ctx, 200, view(session.user(), session.csrfToken(), session.expires()));
    }

    /** Signs out: ends the session (with its CSRF token, like any change) and clears the cookie. */
    void end(Context ctx, Caller caller) {
        String id = ctx.cookie(COOKIE);
        SessionService.Session session = sessions.find(id).orElseThrow(() -> new ApiException(ApiErrorCode.UNAUTHENTICATED,
                "not signed in, or the session has already ended"));
        AccessCheck.requireCsrfToken(ctx, session, challenge);
        sessions.end(id);
        ctx.header("Set-Cookie", COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
        ctx.status(204);
    }

    private static Map<String, Object> view(Principal.User user, String csrf, Instant expires) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("email", user.email());
        v.put("csrfToken", csrf);
        v.put("expires", expires.toString());
        return v;
    }
}
