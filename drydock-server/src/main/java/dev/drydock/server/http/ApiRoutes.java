package dev.drydock.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.platform.ApiErrorCode;
import dev.drydock.platform.ApiException;
import dev.drydock.platform.AuditLog;
import dev.drydock.platform.access.TokenService;
import dev.drydock.platform.identity.IdentityService;
import dev.drydock.platform.identity.Principal;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The REST API under {@code /api/v1}: this table is its table of contents. Every route but login and the
 * OpenAPI document needs an authenticated principal (Basic e-mail:password or robot login:token, or a Bearer
 * token).
 */
public final class ApiRoutes {
    public static final String OPENAPI_PATH = "/api/v1/openapi.json";
    /** The hand-written OpenAPI 3.1 description of this API (OpenApiTest keeps it complete). */
    private static final byte[] OPENAPI = resource("api/openapi.json");

    private final IdentityService identity;
    private final TokenService tokens;
    private final AuditLog audit;

    public ApiRoutes(IdentityService identity, TokenService tokens, AuditLog audit) {
        this.identity = identity;
        this.tokens = tokens;
        this.audit = audit;
    }

    /** A handler that runs with the caller's principal. */
    @FunctionalInterface
    interface Authenticated {
        void handle(Context ctx, Principal principal) throws Exception;
    }

    public void register(RoutesConfig routes) {
        routes.get(OPENAPI_PATH, ctx -> ctx.status(200).contentType("application/json").result(OPENAPI));
        routes.post("/api/v1/login", this::login);
        routes.get("/api/v1/me", auth(this::me));
        routes.get("/api/v1/orgs", auth((ctx, p) -> Json.write(ctx, 200, identity.orgs(p))));
        routes.post("/api/v1/orgs", auth(this::createOrg));
        routes.get("/api/v1/orgs/{orgId}", auth((ctx, p) -> Json.write(ctx, 200, identity.org(p, orgId(ctx)))));
        routes.get("/api/v1/orgs/{orgId}/members", auth((ctx, p) -> Json.write(ctx, 200, identity.members(p, orgId(ctx)))));
        routes.post("/api/v1/orgs/{orgId}/members", auth(this::addMember));
        routes.get("/api/v1/orgs/{orgId}/robots", auth((ctx, p) -> Json.write(ctx, 200, identity.robots(p, orgId(ctx)))));
        routes.post("/api/v1/orgs/{orgId}/robots", auth(this::createRobot));
        routes.delete("/api/v1/orgs/{orgId}/robots/{name}", auth((ctx, p) -> {
            identity.deleteRobot(p, orgId(ctx), ctx.pathParam("name"));
            ctx.status(204);
        }));
        routes.put("/api/v1/users/{email}/platform-role", auth(this::setPlatformRole));
        routes.get("/api/v1/audit", auth(this::auditLog));
        routes.exception(ApiException.class, (e, ctx) -> error(ctx, e.code(), e.getMessage(), e.detail()));
        // a path no route matches: API clients get the JSON envelope they parse everywhere else, not Jetty's text
        routes.error(404, ctx -> {
            if (ctx.path().startsWith("/api/v1/") && !String.valueOf(ctx.res().getContentType()).startsWith("application/json")) {
                error(ctx, ApiErrorCode.NOT_FOUND, "no API endpoint " + ctx.method() + " " + ctx.path()
                        + ": see /api/v1/openapi.json for the endpoints", Map.of());
            }
        });
    }

    /** A handler that runs with the caller's credential: the principal and, for a bearer token, its expiry. */
    @FunctionalInterface
    interface WithCredential {
        void handle(Context ctx, TokenService.ApiCredential credential) throws Exception;
    }

    Handler auth(Authenticated handler) {
        return authCredential((ctx, credential) -> handler.handle(ctx, credential.principal()));
    }

    /** For handlers that outlive the request's check (event streams) and must re-check the credential later. */
    Handler authCredential(WithCredential handler) {
        return ctx -> {
            Optional<TokenService.ApiCredential> credential = tokens.apiCredential(ctx.header("Authorization"));
            if (credential.isEmpty()) {
                throw new ApiException(ApiErrorCode.UNAUTHENTICATED,
                        "authentication required: send Basic credentials (e-mail:password or robot login:token) "
                                + "or a Bearer token from POST /api/v1/login");
            }
            handler.handle(ctx, credential.get());
        };
    }

    /** The principal as it is now, or empty once it is gone (a revoked robot, …). */
    Optional<Principal> current(Principal principal) {
        return tokens.current(principal);
    }

    private void login(Context ctx) {
        JsonNode body = Json.readObject(ctx);
        String email = Json.text(body, "email");
        String password = Json.text(body, "password");
        Principal principal = tokens.login(email, password, "api-login")
                .orElseThrow(() -> new ApiException(ApiErrorCode.INVALID_CREDENTIALS, "invalid e-mail or password"));
        TokenService.IssuedToken issued = tokens.issueApiToken(principal);
        Json.write(ctx, 200, Map.of("token", issued.token(), "expiresIn", issued.expiresIn()));
    }

    private void me(Context ctx, Principal principal) {
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

    private void createOrg(Context ctx, Principal principal) {
        JsonNode body = Json.readObject(ctx);
        Json.write(ctx, 201, identity.createOrg(principal, Json.number(body, "id"), Json.text(body, "name")));
    }

    private void addMember(Context ctx, Principal principal) {
        JsonNode body = Json.readObject(ctx);
        Json.write(ctx, 201, identity.addMember(principal, orgId(ctx), Json.text(body, "email"),
                Json.text(body, "password"), Json.text(body, "role")));
    }

    private void createRobot(Context ctx, Principal principal) {
        JsonNode body = Json.readObject(ctx);
        IdentityService.NewRobot robot = identity.createRobot(principal, orgId(ctx), Json.text(body, "name"));
        ctx.header("Cache-Control", "no-store");
        Json.write(ctx, 201, robot);
    }

    private static byte[] resource(String name) {
        try (java.io.InputStream in = ApiRoutes.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException(name + " is missing from the classpath");
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The newest audit entries (logins, tokens, members, deletes, approvals …): platform admins and operators. */
    private void auditLog(Context ctx, Principal principal) {
        if (!(principal instanceof Principal.User u) || (!u.isPlatformAdmin() && u.platformRole() != Principal.PlatformRole.operator)) {
            throw new ApiException(ApiErrorCode.FORBIDDEN, "the audit log is for platform admins and operators");
        }
        int limit;
        try {
            limit = Integer.parseInt(ctx.queryParamAsClass("limit", String.class).getOrDefault("100"));
        } catch (NumberFormatException e) {
            limit = -1;
        }
        if (limit < 1 || limit > 1000) {
            throw new ApiException(ApiErrorCode.VALIDATION_FAILED, "limit must be a whole number from 1 to 1000", Map.of("field", "limit"));
        }
        Json.write(ctx, 200, audit.recent(limit));
    }

    private void setPlatformRole(Context ctx, Principal principal) {
        JsonNode body = Json.readObject(ctx);
        if (!body.has("role")) {
            throw new ApiException(ApiErrorCode.VALIDATION_FAILED,
                    "send {\"role\": \"reviewer\"} (or admin, operator), or {\"role\": null} to remove the platform role",
                    Map.of("field", "role"));
        }
        Json.write(ctx, 200, identity.setPlatformRole(principal, ctx.pathParam("email"), Json.text(body, "role")));
    }

    static long orgId(Context ctx) {
        String raw = ctx.pathParam("orgId");
        try {
            return Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw new ApiException(ApiErrorCode.ORG_NOT_FOUND, "organization ids are numbers, got '" + raw + "'");
        }
    }

    public static void error(Context ctx, ApiErrorCode code, String message, Map<String, Object> detail) {
        Json.write(ctx, code.status, Map.of("error", Map.of("code", code.name(), "message", message, "detail", detail)));
    }
}
