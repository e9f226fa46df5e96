package dev.drydock.server.http;

import dev.drydock.platform.ApiErrorCode;
import dev.drydock.platform.ApiException;
import dev.drydock.platform.RequestIds;
import dev.drydock.platform.access.LoginThrottle;
import dev.drydock.platform.AuditLog;
import dev.drydock.platform.access.SessionService;
import dev.drydock.platform.access.TokenService;
import dev.drydock.platform.adapters.AdapterService;
import dev.drydock.platform.builds.BuildEvents;
import dev.drydock.platform.builds.BuildService;
import dev.drydock.platform.db.Database;
import dev.drydock.platform.identity.IdentityService;
import dev.drydock.platform.vulns.VulnerabilityService;
import dev.drydock.platform.webhooks.WebhookService;
import dev.drydock.registry.Registry;
import dev.drydock.server.metrics.Metrics;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.UUID;
import java.util.List;
import java.util.Map;

import static dev.drydock.platform.identity.Principal.PlatformRole.admin;
import static dev.drydock.platform.identity.Principal.PlatformRole.operator;
import static dev.drydock.platform.identity.Principal.PlatformRole.reviewer;
import static dev.drydock.server.http.Access.AUTHENTICATED;
import static dev.drydock.server.http.Access.OWN_CREDENTIAL;
import static dev.drydock.server.http.Access.PLATFORM_ADMIN;
import static dev.drydock.server.http.Access.PUBLIC;
import static dev.drydock.server.http.Access.USER;
import static dev.drydock.server.http.Access.adapterVisible;
import static dev.drydock.server.http.Access.buildVisible;
import static dev.drydock.server.http.Access.orgAdmin;
import static dev.drydock.server.http.Access.orgMember;
import static dev.drydock.server.http.Access.orgVisible;
import static dev.drydock.server.http.Access.platformRoles;

/**
 * Every HTTP route Drydock serves, declared once: method, path, the {@link Access} it needs and its handler.
 * {@link #install} registers them with the router, each behind its access check, so no handler checks who may
 * call it; the OpenAPI document describes exactly the {@code /api/v1} and {@code /graphql} lines (OpenApiTest), and
 * AccessMatrixTest calls every line (and every registry endpoint) as every kind of caller: a new line needs its row
 * there. New pages and endpoints are added here.
 */
public final class Routes {
    private static final Logger log = LoggerFactory.getLogger(Routes.class);

    /** The request id header, read and answered. */
    public static final String REQUEST_ID = "X-Request-Id";

    private final AccessCheck access;
    private final BuildEventRoutes eventStreams;
    private final List<Route> table;

    /**
     * @param uploads              where uploaded advisory files are spooled during an import
     * @param sseHeartbeat         how often an idle event stream sends a keep-alive
     * @param sseMaxStreamsPerPrincipal event streams one principal may hold open at once
     * @param engine               pings the sandbox's container engine (readiness); null on a node that tests nothing
     * @param fence                fails while the sandbox cannot fence its runs (readiness); null where nothing is fenced
     * @param metrics              what {@code /metrics} serves
     * @param metricsToken         the bearer token a scraper may send to {@code /metrics} ({@code metrics.token}); null: none
     */
    public Routes(IdentityService identity, TokenService tokens, SessionService sessions, Duration sessionMaxAge, AuditLog audit,
                  AdapterService adapters, BuildService builds, BuildEvents buildEvents, WebhookService webhooks,
                  VulnerabilityService vulns, Registry registry, Challenge challenge, Database database, Path uploads,
                  Duration sseHeartbeat, int sseMaxStreamsPerPrincipal, Runnable engine, Runnable fence, Metrics metrics, String metricsToken) {
        this.access = new AccessCheck(tokens, sessions, challenge, identity, adapters, builds);
        this.eventStreams = new BuildEventRoutes(builds, buildEvents, tokens, sessions, sseHeartbeat, sseMaxStreamsPerPrincipal);
        ApiViews views = new ApiViews(adapters, builds, vulns, challenge);
        this.table = table(new WebApp(sessions, new HomePage(challenge)), new SessionResource(sessions, tokens, challenge, sessionMaxAge),
                new Health(database, registry, engine, fence, metrics, metricsToken), new SchemaRoutes(), new TokenRoutes(tokens),
                new RegistryRoutes(registry, tokens, challenge), new UserResource(identity, tokens), new OrgResource(identity, vulns),
                new MemberResource(identity), new RobotResource(identity), new AdapterResource(adapters, builds, views),
                new BuildResource(builds, views), new ReportResource(builds, vulns), new VulnDbResource(vulns, uploads),
                new AllowlistResource(vulns), new WebhookResource(webhooks), new AuditResource(audit), eventStreams,
                new GraphqlRoutes(adapters, builds, challenge));
    }

    private static List<Route> table(WebApp app, SessionResource session, Health health, SchemaRoutes documents, TokenRoutes token,
                                     RegistryRoutes registry, UserResource users, OrgResource orgs, MemberResource members,
                                     RobotResource robots, AdapterResource adapters, BuildResource builds, ReportResource reports,
                                     VulnDbResource vulndb, AllowlistResource allowlist, WebhookResource webhooks,
                                     AuditResource audit, BuildEventRoutes streams, GraphqlRoutes graphql) {
        Access vulnDataAdmin = platformRoles("only a platform admin or operator may manage vulnerability data", admin, operator);
        List<Route> t = new ArrayList<>(List.of(
                // the Developer App: each page checks the access of what it shows, like the API it reads
                get("/", PUBLIC, app::home),
                page("/login", PUBLIC, app, "login"),
                page("/orgs/{orgId}", orgVisible("orgId"), app, "org"),
                page("/orgs/{orgId}/settings", orgVisible("orgId"), app, "settings"),
                page("/adapters/{engineId}", adapterVisible("engineId"), app, "adapter"),
                page("/builds/{buildId}", buildVisible("buildId"), app, "build"),
                page("/reviews", platformRoles("the review queue is for platform reviewers", admin, reviewer), app, "reviews"),
                page("/admin", platformRoles("administration is for platform admins and operators", admin, operator), app, "admin"),
                get("/ui/<path>", PUBLIC, plain(app::asset)),
                // probes, documents and the example adapters
                get("/examples/<path>", PUBLIC, plain(app.home()::example)),
                get("/healthz", PUBLIC, plain(health::live)),
                get("/readyz", PUBLIC, plain(health::ready)),
                get("/metrics", new Access.ScrapeToken(health.metricsToken(), platformRoles(
                        "metrics are for platform admins and operators, or a scraper sending metrics.token as its bearer token",
                        admin, operator)), plain(health::metrics)),
                get(SchemaRoutes.OPENAPI_PATH, PUBLIC, plain(documents::openApi)),
                get(SchemaRoutes.MANIFEST_PATH, PUBLIC, plain(documents::manifest)),
                get(SchemaRoutes.REPORT_PATH, PUBLIC, plain(documents::report)),
                // the Docker token service logs in with the request's Basic (or form) credentials itself
                get("/auth/token", OWN_CREDENTIAL, plain(token::get)),
                post("/auth/token", OWN_CREDENTIAL, plain(token::post)),
                // users and their browser sessions
                post("/api/v1/login", PUBLIC, users::login),
                post("/api/v1/session", PUBLIC, session::start),
                get("/api/v1/session", OWN_CREDENTIAL, session::current),
                delete("/api/v1/session", OWN_CREDENTIAL, session::end),
                get("/api/v1/me", AUTHENTICATED, users::me),
                get("/api/v1/users", PLATFORM_ADMIN, users::list),
                put("/api/v1/users/{email}/platform-role", PLATFORM_ADMIN, users::setPlatformRole),
                // organizations
                get("/api/v1/orgs", AUTHENTICATED, orgs::list),
                post("/api/v1/orgs", PLATFORM_ADMIN, orgs::create),
                get("/api/v1/orgs/{orgId}", orgVisible("orgId"), orgs::get),
                patch("/api/v1/orgs/{orgId}", orgAdmin("orgId"), orgs::update),
                // members: joining an organization is an invitation its invitee accepts
                get("/api/v1/orgs/{orgId}/members", orgVisible("orgId"), members::list),
                post("/api/v1/orgs/{orgId}/members", orgAdmin("orgId"), members::add),
                get("/api/v1/orgs/{orgId}/invitations", orgAdmin("orgId"), members::orgInvitations),
                delete("/api/v1/orgs/{orgId}/invitations/{invitationId}", orgAdmin("orgId"), members::revoke),
                get("/api/v1/invitations", USER, members::myInvitations),
                post("/api/v1/invitations/{invitationId}/accept", USER, members::accept),
                post("/api/v1/invitations/{invitationId}/decline", USER, members::decline),
                // robots
                get("/api/v1/orgs/{orgId}/robots", orgAdmin("orgId"), robots::list),
                post("/api/v1/orgs/{orgId}/robots", orgAdmin("orgId"), robots::create),
                delete("/api/v1/orgs/{orgId}/robots/{name}", orgAdmin("orgId"), robots::delete),
                // adapters (which actions a member may take on one is the adapter service's rule)
                post("/api/v1/orgs/{orgId}/adapters", orgMember("orgId", "register adapters in it"), adapters::register),
                get("/api/v1/orgs/{orgId}/adapters", orgVisible("orgId"), adapters::list),
                get("/api/v1/adapters/{engineId}", adapterVisible("engineId"), adapters::get),
                post("/api/v1/adapters/{engineId}/actions", adapterVisible("engineId"), adapters::act),
                get("/api/v1/adapters/{engineId}/builds", adapterVisible("engineId"), adapters::builds),
                get("/api/v1/adapters/{engineId}/events", adapterVisible("engineId"), streams::adapterStream),
                // builds (which actions a caller may take on one is the lifecycle's rule)
                get("/api/v1/builds/{buildId}", buildVisible("buildId"), builds::get),
                post("/api/v1/builds/{buildId}/actions", buildVisible("buildId"), builds::act),
                get("/api/v1/builds/{buildId}/events", buildVisible("buildId"), streams::buildStream),
                get("/api/v1/builds/{buildId}/changes", buildVisible("buildId"), builds::changes),
                get("/api/v1/reviews", platformRoles("the review queue is for platform reviewers", admin, reviewer), builds::reviews),
                // reports
                get("/api/v1/builds/{buildId}/report", buildVisible("buildId"), reports::report),
                get("/api/v1/builds/{buildId}/sbom", buildVisible("buildId"), reports::sbom),
                // vulnerability data
                get("/api/v1/vulndb", vulnDataAdmin, vulndb::status),
                post("/api/v1/vulndb/imports", vulnDataAdmin, vulndb::importFile),
                // vulnerability allowlists
                get("/api/v1/orgs/{orgId}/vulnerability-allowlist", orgAdmin("orgId"), allowlist::list),
                post("/api/v1/orgs/{orgId}/vulnerability-allowlist", orgAdmin("orgId"), allowlist::allow),
                delete("/api/v1/orgs/{orgId}/vulnerability-allowlist/{cveId}", orgAdmin("orgId"), allowlist::disallow),
                // webhooks
                post("/api/v1/orgs/{orgId}/webhooks", orgAdmin("orgId"), webhooks::create),
                get("/api/v1/orgs/{orgId}/webhooks", orgAdmin("orgId"), webhooks::list),
                delete("/api/v1/orgs/{orgId}/webhooks/{id}", orgAdmin("orgId"), webhooks::delete),
                get("/api/v1/orgs/{orgId}/webhooks/{id}/deliveries", orgAdmin("orgId"), webhooks::deliveries),
                // audit
                get("/api/v1/audit", platformRoles("the audit log is for platform admins and operators", admin, operator), audit::recent),
                // GraphQL answers refusals in its own errors[] shape
                new Route(HandlerType.POST, GraphqlRoutes.PATH, AUTHENTICATED, graphql::execute, graphql::writeError)));
        // The OCI distribution API matches repository names (which contain slashes) itself and checks registry tokens.
        for (String path : RegistryRoutes.PATHS) {
            for (HandlerType method : RegistryRoutes.METHODS) {
                t.add(new Route(method, path, OWN_CREDENTIAL, plain(registry::handle), null));
            }
        }
        return List.copyOf(t);
    }

    /** The table, in declaration order. */
    public List<Route> table() {
        return table;
    }

    /** The event streams (kept open by clients: closed with the server). */
    public BuildEventRoutes eventStreams() {
        return eventStreams;
    }

    /** What a node of role {@code worker} serves. */
    public static final java.util.Set<String> PROBES = java.util.Set.of("/healthz", "/readyz", "/metrics");

    /** Registers every route behind its access check, and the API's error answers. */
    public void install(RoutesConfig routes) {
        install(routes, false);
    }

    /**
     * Registers the routes behind their access checks, and the API's error answers.
     *
     * @param probesOnly only {@link #PROBES} (a worker node); any other path is a 404 saying where to go instead
     */
    public void install(RoutesConfig routes, boolean probesOnly) {
        // every request gets an id: the caller's X-Request-Id when it is short and plain, else a new one; it is
        // answered, and in the MDC every log line of the request (and a build move it makes) carries it
        routes.before(ctx -> {
            String sent = ctx.header(REQUEST_ID);
            String id = RequestIds.wellFormed(sent) ? sent : UUID.randomUUID().toString();
            MDC.put(RequestIds.MDC_KEY, id);
            ctx.header(REQUEST_ID, id);
        });
        for (Route route : table) {
            if (probesOnly && !PROBES.contains(route.path())) continue;
            routes.addHttpHandler(route.method(), route.path(), ctx -> {
                try {
                    route.handler().handle(ctx, access.check(route.access(), ctx));
                } catch (ApiException e) {
                    if (route.errors() == null) throw e;
                    route.errors().write(ctx, e);
                }
            });
        }
        routes.exception(ApiException.class, (e, ctx) -> {
            if (e instanceof LoginThrottle.Throttled t) ctx.header("Retry-After", String.valueOf(t.retryAfter()));
            ApiErrors.write(ctx, e.code(), e.getMessage(), e.detail());
        });
        // a path no route matches: API clients get the JSON envelope they parse everywhere else, not Jetty's text
        routes.error(404, ctx -> {
            if (probesOnly && !String.valueOf(ctx.res().getContentType()).startsWith("application/json")) {
                ApiErrors.write(ctx, ApiErrorCode.NOT_FOUND, "this node runs build tests only (role=worker) and serves only "
                        + String.join(", ", PROBES.stream().sorted().toList()) + ": send " + ctx.method() + " " + ctx.path()
                        + " to an API node (role api or all)", Map.of());
                return;
            }
            if (ctx.path().startsWith("/api/v1/") && !String.valueOf(ctx.res().getContentType()).startsWith("application/json")) {
                ApiErrors.write(ctx, ApiErrorCode.NOT_FOUND, "no API endpoint " + ctx.method() + " " + ctx.path()
                        + ": see /api/v1/openapi.json for the endpoints", Map.of());
            }
        });
        routes.exception(Exception.class, (e, ctx) -> {
            log.error("unhandled error on {} {}", ctx.method(), ctx.path(), e);
            ApiErrors.write(ctx, ApiErrorCode.INTERNAL_ERROR, "internal error; it has been logged", Map.of());
        });
    }

    /** A handler that needs nothing from the caller (public routes, and routes that check their own credentials). */
    @FunctionalInterface
    private interface Plain {
        void handle(Context ctx) throws Exception;
    }

    private static Route.Handler plain(Plain handler) {
        return (ctx, caller) -> handler.handle(ctx);
    }

    private static Route get(String path, Access access, Route.Handler handler) {
        return new Route(HandlerType.GET, path, access, handler, null);
    }

    private static Route post(String path, Access access, Route.Handler handler) {
        return new Route(HandlerType.POST, path, access, handler, null);
    }

    /** A page of the Developer App: refusals answer as pages (sign-in redirect, 404 page), not JSON. */
    private static Route page(String path, Access access, WebApp app, String name) {
        return new Route(HandlerType.GET, path, access, app.page(name), app::error);
    }

    private static Route put(String path, Access access, Route.Handler handler) {
        return new Route(HandlerType.PUT, path, access, handler, null);
    }

    private static Route patch(String path, Access access, Route.Handler handler) {
        return new Route(HandlerType.PATCH, path, access, handler, null);
    }

    private static Route delete(String path, Access access, Route.Handler handler) {
        return new Route(HandlerType.DELETE, path, access, handler, null);
    }

    /**
     * The liveness and readiness probes, and the metrics. Probes are public, so their answers name each dependency
     * and its state only; why one is down (addresses, paths) goes to the log.
     */
    private record Health(Database database, Registry registry, Runnable engine, Runnable fence, Metrics metrics, String metricsToken) {
        void live(Context ctx) {
            Json.write(ctx, 200, Map.of("status", "alive"));
        }

        void ready(Context ctx) {
            Map<String, String> checks = new LinkedHashMap<>();
            checks.put("database", probe("database", () -> database.jdbi().withHandle(h -> h.createQuery("select 1")
                    .mapTo(Integer.class).one())));
            checks.put("blobStorage", probe("blob storage", () -> {
                registry.checkStorage();
                return null;
            }));
            if (engine != null) {
                checks.put("containerEngine", probe("container engine", () -> {
                    engine.run();
                    return null;
                }));
            }
            if (fence != null) {
                checks.put("sandboxFence", probe("sandbox fence", () -> {
                    fence.run();
                    return null;
                }));
            }
            boolean ready = !checks.containsValue("down");
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", ready ? "ready" : "unavailable");
            body.put("checks", checks);
            Json.write(ctx, ready ? 200 : 503, body);
        }

        private static String probe(String what, java.util.concurrent.Callable<?> check) {
            try {
                check.call();
                return "up";
            } catch (Exception e) {
                log.warn("readiness: {} is down: {}", what, e.toString());
                return "down";
            }
        }

        void metrics(Context ctx) {
            ctx.contentType("text/plain; version=0.0.4; charset=utf-8");
            ctx.result(metrics.scrape());
        }
    }
}
