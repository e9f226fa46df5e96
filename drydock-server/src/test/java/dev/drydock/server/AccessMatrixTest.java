package dev.drydock.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.platform.access.SigningKeys;
import dev.drydock.registry.auth.Access;
import dev.drydock.registry.auth.TokenSigner;
import dev.drydock.server.http.RegistryRoutes;
import dev.drydock.server.http.Route;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static dev.drydock.server.AccessMatrixTest.Outcome.DENIED;
import static dev.drydock.server.AccessMatrixTest.Outcome.FORBID;
import static dev.drydock.server.AccessMatrixTest.Outcome.HIDDEN;
import static dev.drydock.server.AccessMatrixTest.Outcome.NOAUTH;
import static dev.drydock.server.AccessMatrixTest.Outcome.OK;
import static dev.drydock.server.AccessMatrixTest.Outcome.SAME;
import static dev.drydock.server.AccessMatrixTest.Outcome.SCOPE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The access matrix: every route Drydock serves (each line of the routes table, and each endpoint of the registry's
 * {@code /v2} API, which matches its own paths) called as every kind of caller, each answer compared with the
 * documented outcome. Rows are access kinds, each route names its kind; a route of the table or an endpoint of the
 * registry without a row fails the test by name. Where the rule is "a resource you may not see does not exist"
 * ({@link Outcome#HIDDEN}, and the registry's missing scope), the same call on a resource that does not exist must
 * answer the same (status, code, and message with the id masked).
 */
class AccessMatrixTest {
    private static final long ORG = 17532;
    private static final long OTHER = 20001;
    private static final long REVIEWERS = 30003;
    private static final String REPO = ORG + "/echo";
    private static final String ABSENT_REPO = ORG + "/absent";
    private static final String DEV = "dev@acme.test";
    private static final String ADMIN = "admin@acme.test";
    private static final String O_DEV = "dev@other.test";
    private static final String O_ADMIN = "admin@other.test";
    private static final String REVIEWER = "reviewer@drydock.test";
    private static final String ABSENT_ID = "00000000-0000-4000-8000-00000000abcd";

    /** Who calls: the columns. */
    enum Who {
        /** no credentials */
        ANON,
        /** a developer, a robot and an admin of another organization */
        O_DEV, O_ROBOT, O_ADMIN,
        /** a developer, a robot and an admin of this organization */
        DEV, ROBOT, ADMIN,
        /** a platform reviewer (member of another organization only) and the platform admin */
        REVIEWER, P_ADMIN,
        /** this organization's admin with a token expired one second beyond the leeway */
        EXPIRED,
        /** the token of a revoked robot whose name was then given to a new robot */
        REVOKED,
        /** a sandbox pull ticket for this organization's repository: to /v2 and the token endpoint as the engine sends it
         * (Basic, user drydock-sandbox), to the REST API as a bearer token */
        TICKET,
        /** the developer's token of the other audience: a registry pull token on the REST API (refused: a token granting
         * repository access is for /v2 only; a scope-less one, as docker login gets, is a REST credential), the REST
         * login token on /v2 */
        CROSS
    }

    /** What the caller gets: the cells. */
    enum Outcome {
        /** past the access check: the handler's own answer (never 5xx, never the route's refusal) */
        OK,
        /** exactly what the anonymous caller gets (status and code): the route does not read this caller's credentials */
        SAME,
        /** 401 UNAUTHENTICATED (pages: 303 to sign-in; /v2: 401 UNAUTHORIZED with a Bearer challenge) */
        NOAUTH,
        /** 403 FORBIDDEN (pages: the 403 page) */
        FORBID,
        /** 404 with the route's not-found code, the same answer as for a resource that does not exist */
        HIDDEN,
        /** /v2 with a token lacking the scope: 401 UNAUTHORIZED, error="insufficient_scope", the same for an absent repository */
        SCOPE,
        /** /v2: 403 DENIED (a pull ticket beyond its one repository pull) */
        DENIED
    }

    private static final Map<String, List<Outcome>> KINDS = new LinkedHashMap<>();

    private static void kind(String name, Outcome... cells) {
        assertThat(cells).as(name).hasSize(Who.values().length);
        KINDS.put(name, List.of(cells));
    }

    static {
        //                           ANON    O_DEV   O_ROBOT O_ADMIN DEV     ROBOT   ADMIN   REVIEW  P_ADMIN EXPIRED REVOKED TICKET  CROSS
        kind("public",               OK,     SAME,   SAME,   SAME,   SAME,   SAME,   SAME,   SAME,   SAME,   SAME,   SAME,   SAME,   SAME);
        kind("authenticated",        NOAUTH, OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     NOAUTH, NOAUTH, NOAUTH, NOAUTH);
        kind("user",                 NOAUTH, OK,     FORBID, OK,     OK,     FORBID, OK,     OK,     OK,     NOAUTH, NOAUTH, NOAUTH, NOAUTH);
        kind("platformAdmin",        NOAUTH, FORBID, FORBID, FORBID, FORBID, FORBID, FORBID, FORBID, OK,     NOAUTH, NOAUTH, NOAUTH, NOAUTH);
        kind("reviewers",            NOAUTH, FORBID, FORBID, FORBID, FORBID, FORBID, FORBID, OK,     OK,     NOAUTH, NOAUTH, NOAUTH, NOAUTH);
        kind("operators",            NOAUTH, FORBID, FORBID, FORBID, FORBID, FORBID, FORBID, FORBID, OK,     NOAUTH, NOAUTH, NOAUTH, NOAUTH);
        kind("visible",              NOAUTH, HIDDEN, HIDDEN, HIDDEN, OK,     OK,     OK,     OK,     OK,     NOAUTH, NOAUTH, NOAUTH, NOAUTH);
        kind("member",               NOAUTH, HIDDEN, HIDDEN, HIDDEN, OK,     OK,     OK,     FORBID, FORBID, NOAUTH, NOAUTH, NOAUTH, NOAUTH);
        kind("orgAdmin",             NOAUTH, HIDDEN, HIDDEN, HIDDEN, FORBID, FORBID, OK,     FORBID, OK,     NOAUTH, NOAUTH, NOAUTH, NOAUTH);
        // the token endpoint takes Basic credentials only (users and robots send theirs, as docker login does); the
        // browser session routes read the session cookie only, whatever Authorization header comes with them
        kind("tokenEndpoint",        NOAUTH, OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     NOAUTH, NOAUTH, OK,     NOAUTH);
        kind("cookie",               NOAUTH, SAME,   SAME,   SAME,   SAME,   SAME,   SAME,   SAME,   SAME,   SAME,   SAME,   SAME,   SAME);
        // /v2 with each caller's registry token (requested for every scope the rows use; granted what they may have)
        kind("v2base",               NOAUTH, OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     NOAUTH, NOAUTH, OK,     NOAUTH);
        kind("v2catalog",            NOAUTH, OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     NOAUTH, NOAUTH, DENIED, NOAUTH);
        kind("v2pull",               NOAUTH, SCOPE,  SCOPE,  SCOPE,  OK,     OK,     OK,     OK,     OK,     NOAUTH, NOAUTH, OK,     NOAUTH);
        kind("v2push",               NOAUTH, SCOPE,  SCOPE,  SCOPE,  OK,     OK,     OK,     SCOPE,  OK,     NOAUTH, NOAUTH, DENIED, NOAUTH);
        kind("v2delete",             NOAUTH, SCOPE,  SCOPE,  SCOPE,  SCOPE,  SCOPE,  OK,     SCOPE,  OK,     NOAUTH, NOAUTH, DENIED, NOAUTH);
    }

    /** Every line of the routes table, by kind. A new line without a row here fails the test. */
    private static final Map<String, String> ROUTES = new LinkedHashMap<>();

    /** The registry's endpoints ({@link RegistryRoutes#ENDPOINTS}) with each method it serves, by kind. */
    private static final Map<String, String> REGISTRY = new LinkedHashMap<>();

    private static void routes(String kind, String... routes) {
        assertThat(KINDS).as("kind " + kind).containsKey(kind);
        for (String r : routes) assertThat(ROUTES.put(r, kind)).as("row " + r + " declared twice").isNull();
    }

    private static void registry(String kind, String... endpoints) {
        assertThat(KINDS).as("kind " + kind).containsKey(kind);
        for (String r : endpoints) assertThat(REGISTRY.put(r, kind)).as("row " + r + " declared twice").isNull();
    }

    static {
        routes("public", "GET /", "GET /login", "GET /ui/<path>", "GET /examples/<path>", "GET /healthz", "GET /readyz",
                "GET /api/v1/openapi.json", "GET /api/v1/schemas/manifest.json", "GET /api/v1/schemas/report.json",
                "POST /api/v1/login", "POST /api/v1/session", "POST /auth/token" /* its credentials are in the form */);
        routes("cookie", "GET /api/v1/session", "DELETE /api/v1/session");
        routes("tokenEndpoint", "GET /auth/token");
        routes("authenticated", "GET /api/v1/me", "GET /api/v1/orgs", "POST /graphql");
        routes("user", "GET /api/v1/invitations", "POST /api/v1/invitations/{invitationId}/accept",
                "POST /api/v1/invitations/{invitationId}/decline");
        routes("platformAdmin", "GET /api/v1/users", "PUT /api/v1/users/{email}/platform-role", "POST /api/v1/orgs");
        routes("reviewers", "GET /reviews", "GET /api/v1/reviews");
        routes("operators", "GET /admin", "GET /metrics", "GET /api/v1/vulndb", "POST /api/v1/vulndb/imports", "GET /api/v1/audit");
        routes("visible", "GET /orgs/{orgId}", "GET /orgs/{orgId}/settings", "GET /adapters/{engineId}", "GET /builds/{buildId}",
                "GET /api/v1/orgs/{orgId}", "GET /api/v1/orgs/{orgId}/members", "GET /api/v1/orgs/{orgId}/adapters",
                "GET /api/v1/adapters/{engineId}", "POST /api/v1/adapters/{engineId}/actions", "GET /api/v1/adapters/{engineId}/builds",
                "GET /api/v1/adapters/{engineId}/events", "GET /api/v1/builds/{buildId}", "POST /api/v1/builds/{buildId}/actions",
                "GET /api/v1/builds/{buildId}/events", "GET /api/v1/builds/{buildId}/changes", "GET /api/v1/builds/{buildId}/report",
                "GET /api/v1/builds/{buildId}/sbom");
        routes("member", "POST /api/v1/orgs/{orgId}/adapters");
        routes("orgAdmin", "PATCH /api/v1/orgs/{orgId}", "POST /api/v1/orgs/{orgId}/members", "GET /api/v1/orgs/{orgId}/invitations",
                "DELETE /api/v1/orgs/{orgId}/invitations/{invitationId}", "GET /api/v1/orgs/{orgId}/robots",
                "POST /api/v1/orgs/{orgId}/robots", "DELETE /api/v1/orgs/{orgId}/robots/{name}",
                "GET /api/v1/orgs/{orgId}/vulnerability-allowlist", "POST /api/v1/orgs/{orgId}/vulnerability-allowlist",
                "DELETE /api/v1/orgs/{orgId}/vulnerability-allowlist/{cveId}", "POST /api/v1/orgs/{orgId}/webhooks",
                "GET /api/v1/orgs/{orgId}/webhooks", "DELETE /api/v1/orgs/{orgId}/webhooks/{id}",
                "GET /api/v1/orgs/{orgId}/webhooks/{id}/deliveries");

        registry("v2base", "GET /v2/");
        registry("v2catalog", "GET /v2/_catalog");
        registry("v2pull", "GET /v2/{name}/blobs/{digest}", "HEAD /v2/{name}/blobs/{digest}", "GET /v2/{name}/manifests/{reference}",
                "HEAD /v2/{name}/manifests/{reference}", "GET /v2/{name}/tags/list", "GET /v2/{name}/referrers/{digest}");
        registry("v2push", "POST /v2/{name}/blobs/uploads/", "GET /v2/{name}/blobs/uploads/{id}", "PATCH /v2/{name}/blobs/uploads/{id}",
                "PUT /v2/{name}/blobs/uploads/{id}", "DELETE /v2/{name}/blobs/uploads/{id}", "PUT /v2/{name}/manifests/{reference}");
        registry("v2delete", "DELETE /v2/{name}/blobs/{digest}", "DELETE /v2/{name}/manifests/{reference}");
    }

    /**
     * One caller's credentials: the Authorization header sent to the REST API and pages, the one sent to /v2, and the
     * one sent to the token endpoint (a user's or robot's Basic login, as docker login sends it).
     */
    private record Credential(String rest, String registry, String login) {
        Credential(String rest, String registry) {
            this(rest, registry, rest);
        }
    }

    private record Answer(int status, String code, String message, String location, String challenge, String body) {
        @Override
        public String toString() {
            return status + " " + code + (location == null ? "" : " -> " + location);
        }
    }

    @Test
    void everyRouteAnswersEveryCallerAsDocumented() {
        try (TestDrydock d = TestDrydock.start(Map.of(
                // the matrix sends hundreds of refused credentials from one address: it is not testing the throttle
                "login.max-failures-per-account", "1000", "login.max-failures-per-address", "100000"))) {
            long setup = System.nanoTime();
            Fixture f = new Fixture(d);
            long calls = System.nanoTime();
            List<String> wrong = new ArrayList<>();
            int cells = 0;

            // the routes table, each line against its row
            Set<String> seen = new LinkedHashSet<>();
            for (Route route : d.server().routes()) {
                if (route.path().startsWith("/v2")) continue; // the registry's lines: its endpoints are checked below
                String key = route.toString();
                seen.add(key);
                String kind = ROUTES.get(key);
                if (kind == null) {
                    wrong.add(key + " has no row in the access matrix: add one");
                    continue;
                }
                Answer anonymous = null;
                for (Who who : Who.values()) {
                    cells++;
                    Answer answer = check(d, f, wrong, key, route, kind, who, KINDS.get(kind).get(who.ordinal()), anonymous);
                    if (who == Who.ANON) anonymous = answer;
                }
            }
            for (String row : ROUTES.keySet()) {
                if (!seen.contains(row)) wrong.add(row + " has a row in the access matrix but is no route of the table");
            }

            // the registry's /v2 lines route every method to its dispatcher, whose endpoints are the rows here
            assertThat(d.server().routes().stream().filter(r -> r.path().startsWith("/v2")).map(Route::toString).toList())
                    .as("the table sends /v2 to the registry's dispatcher").isNotEmpty()
                    .allSatisfy(r -> assertThat(r).matches("[A-Z]+ /v2(/|/<path>)?"));
            Set<String> endpoints = new TreeSet<>();
            for (String row : REGISTRY.keySet()) endpoints.add(row.substring(row.indexOf(' ') + 1));
            for (String endpoint : RegistryRoutes.ENDPOINTS) {
                if (!endpoints.contains(endpoint)) wrong.add("registry endpoint " + endpoint + " has no row in the access matrix: add one");
            }
            for (String endpoint : endpoints) {
                if (!RegistryRoutes.ENDPOINTS.contains(endpoint)) wrong.add(endpoint + " has a row in the access matrix but is no registry endpoint");
            }
            for (Map.Entry<String, String> row : REGISTRY.entrySet()) {
                String method = row.getKey().substring(0, row.getKey().indexOf(' '));
                String template = row.getKey().substring(method.length() + 1);
                for (Who who : Who.values()) {
                    cells++;
                    checkRegistry(d, f, wrong, method, template, who, KINDS.get(row.getValue()).get(who.ordinal()));
                }
            }
            System.out.printf("access matrix: fixture %d ms, %d cells in %d ms%n", (calls - setup) / 1_000_000, cells,
                    (System.nanoTime() - calls) / 1_000_000);
            assertThat(wrong).as("routes without a row, and cells that answer otherwise than documented").isEmpty();
        }
    }

    // ---------------------------------------------------------------- the callers and what they call

    /**
     * The organizations, callers, an adapter with a pushed build and an open upload, made once. Each user signs in once
     * (a password check is an Argon2 hash); registry tokens come from the token service in-process, by the same policy
     * the token endpoint applies (the endpoint itself is a row of the matrix).
     */
    private static final class Fixture {
        final Map<Who, Credential> as = new EnumMap<>(Who.class);
        final String engineId;
        final String buildId;
        final String manifestDigest;
        final String uploadId;
        private final TestDrydock d;
        private final String platformAdmin;

        Fixture(TestDrydock d) {
            this.d = d;
            platformAdmin = d.login(TestDrydock.ADMIN_EMAIL, TestDrydock.ADMIN_PASSWORD);
            for (long org : new long[]{ORG, OTHER, REVIEWERS}) {
                d.api("POST", "/api/v1/orgs", platformAdmin, Map.of("id", org, "name", "Org " + org), 201);
            }
            String dev = member(ORG, DEV, "developer");
            String admin = member(ORG, ADMIN, "admin");
            String oDev = member(OTHER, O_DEV, "developer");
            String oAdmin = member(OTHER, O_ADMIN, "admin");
            String reviewer = member(REVIEWERS, REVIEWER, "developer");
            d.api("PUT", "/api/v1/users/" + REVIEWER + "/platform-role", platformAdmin, Map.of("role", "reviewer"), 200);
            String robot = robot(ORG, "ci");
            String oRobot = robot(OTHER, "ci");

            engineId = d.api("POST", "/api/v1/orgs/" + ORG + "/adapters", dev, Map.of("name", "echo", "category", "pull",
                    "deploymentModel", "FullyNetworkIsolated", "engineMode", "batch"), 201).get("engineId").asText();
            manifestDigest = TestImages.push(d, REPO, registryToken(dev, "repository:" + REPO + ":pull,push").substring("Bearer ".length()),
                    TestImages.adapter("matrix"), "1.0");
            buildId = d.api("GET", "/api/v1/adapters/" + engineId + "/builds", dev, null, 200).get(0).get("id").asText();

            // a robot's token, then the robot revoked and another of the same name created
            String first = robot(ORG, "rv");
            String revoked = "Bearer " + d.token(ORG + "+rv", first, SCOPES);
            d.api("DELETE", "/api/v1/orgs/" + ORG + "/robots/rv", platformAdmin, null, 204);
            robot(ORG, "rv");

            // tokens signed with the server's own key, expired one second beyond the leeway
            TokenSigner past = new TokenSigner(SigningKeys.loadOrCreate(d.server().database().jdbi(), InstantSource.system()), "drydock",
                    InstantSource.fixed(Instant.now().minus(Duration.ofMinutes(5)).minus(TokenSigner.LEEWAY).minusSeconds(1)));
            String ticket = d.server().tokens().issuePullTicket(REPO, Duration.ofMinutes(10), "access matrix");

            as.put(Who.ANON, new Credential(null, null));
            as.put(Who.O_DEV, user(oDev, O_DEV));
            as.put(Who.O_ROBOT, new Credential(TestDrydock.basic(OTHER + "+ci", oRobot), "Bearer " + d.token(OTHER + "+ci", oRobot, SCOPES)));
            as.put(Who.O_ADMIN, user(oAdmin, O_ADMIN));
            as.put(Who.DEV, user(dev, DEV));
            as.put(Who.ROBOT, new Credential(TestDrydock.basic(ORG + "+ci", robot), "Bearer " + d.token(ORG + "+ci", robot, SCOPES)));
            as.put(Who.ADMIN, user(admin, ADMIN));
            as.put(Who.REVIEWER, user(reviewer, REVIEWER));
            as.put(Who.P_ADMIN, new Credential(platformAdmin, registryToken(platformAdmin, SCOPES),
                    TestDrydock.basic(TestDrydock.ADMIN_EMAIL, TestDrydock.ADMIN_PASSWORD)));
            as.put(Who.EXPIRED, new Credential("Bearer " + past.issue(ADMIN, "drydock-api", List.of(), Duration.ofMinutes(5)),
                    "Bearer " + past.issue(ADMIN, "drydock", Access.parseScopes(List.of(SCOPES)), Duration.ofMinutes(5))));
            as.put(Who.REVOKED, new Credential(revoked, revoked));
            String ticketBasic = TestDrydock.basic("drydock-sandbox", ticket);
            as.put(Who.TICKET, new Credential("Bearer " + ticket, ticketBasic, ticketBasic));
            as.put(Who.CROSS, new Credential(registryToken(dev, "repository:" + REPO + ":pull"), dev));

            // an upload session of the developer's, for the rows that address one
            HttpResponse<String> started = d.send(HttpRequest.newBuilder(URI.create(d.url() + "/v2/" + REPO + "/blobs/uploads/"))
                    .header("Authorization", as.get(Who.DEV).registry()).POST(HttpRequest.BodyPublishers.noBody()).build());
            assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
            String location = started.headers().firstValue("Location").orElseThrow();
            uploadId = location.substring(location.lastIndexOf('/') + 1).replaceAll("\\?.*", "");
        }

        /** A member invited by the platform admin, who accepts; returns their sign-in token. */
        private String member(long org, String email, String role) {
            String invitation = d.api("POST", "/api/v1/orgs/" + org + "/members", platformAdmin,
                    Map.of("email", email, "password", TestDrydock.PASSWORD, "role", role), 202).get("id").asText();
            String token = d.login(email, TestDrydock.PASSWORD);
            d.api("POST", "/api/v1/invitations/" + invitation + "/accept", token, null, 200);
            return token;
        }

        private String robot(long org, String name) {
            return d.api("POST", "/api/v1/orgs/" + org + "/robots", platformAdmin, Map.of("name", name), 201).get("token").asText();
        }

        private Credential user(String signedIn, String email) {
            return new Credential(signedIn, registryToken(signedIn, SCOPES), TestDrydock.basic(email, TestDrydock.PASSWORD));
        }

        /** A registry token for the signed-in user, granted what the token endpoint would grant them. */
        private String registryToken(String signedIn, String... scopes) {
            var principal = d.server().tokens().apiPrincipal(signedIn, "127.0.0.1").orElseThrow();
            return "Bearer " + d.server().tokens().issueRegistryToken(principal, Access.parseScopes(List.of(scopes))).token();
        }
    }

    /** What every caller's registry token asks for: all actions on this organization's repository and on an absent one. */
    private static final String[] SCOPES = {"repository:" + REPO + ":pull,push,delete", "repository:" + ABSENT_REPO + ":pull,push,delete",
            "registry:catalog:*"};

    private static String path(String template, Fixture f, boolean absent) {
        return template.replace("{orgId}", absent ? "99999" : String.valueOf(ORG))
                .replace("{engineId}", absent ? ABSENT_ID : f.engineId)
                .replace("{buildId}", absent ? ABSENT_ID : f.buildId)
                .replace("{email}", DEV).replace("{name}", "absent").replace("{id}", "1")
                .replace("{cveId}", "CVE-2024-0001").replace("{invitationId}", ABSENT_ID)
                .replace("/ui/<path>", "/ui/app.js").replace("/examples/<path>", "/examples/webhook-keyword-engine/README.md");
    }

    // ---------------------------------------------------------------- the cells

    private static Answer check(TestDrydock d, Fixture f, List<String> wrong, String key, Route route, String kind, Who who,
                                Outcome expected, Answer anonymous) {
        String path = path(route.path(), f, false);
        assertThat(path).as(key + " has only known path parameters").doesNotContain("{", "<");
        Credential credential = f.as.get(who);
        String authorization = kind.equals("tokenEndpoint") ? credential.login() : credential.rest();
        Answer answer = send(d, route.method().name(), path, authorization, "application/json");
        boolean page = route.errors() != null && !route.path().equals("/graphql");
        // the token endpoint answers in the registry's error shape, as docker and podman expect
        String unauthenticated = route.path().startsWith("/auth/") ? "UNAUTHORIZED" : "UNAUTHENTICATED";
        String notFound = route.path().contains("{buildId}") ? "BUILD_NOT_FOUND"
                : route.path().contains("{engineId}") ? "ADAPTER_NOT_FOUND" : "ORG_NOT_FOUND";
        String cell = key + " as " + who + ": expected " + expected + ", got " + answer + " " + abbreviate(answer.body());
        boolean right = switch (expected) {
            case OK -> answer.status() < 500 && !Set.of("FORBIDDEN", unauthenticated, notFound).contains(answer.code())
                    && !(page && answer.status() == 303);
            case SAME -> answer.status() == anonymous.status() && answer.code().equals(anonymous.code());
            case NOAUTH -> page ? answer.status() == 303 && String.valueOf(answer.location()).startsWith("/login?next=")
                    : answer.status() == 401 && unauthenticated.equals(answer.code());
            case FORBID -> answer.status() == 403 && "FORBIDDEN".equals(answer.code());
            case HIDDEN -> answer.status() == 404 && notFound.equals(answer.code());
            default -> false;
        };
        if (!right) wrong.add(cell);
        if (right && expected == HIDDEN) {
            Answer absent = send(d, route.method().name(), path(route.path(), f, true), authorization, "application/json");
            if (absent.status() != answer.status() || !absent.code().equals(answer.code())
                    || !masked(absent.message(), f).equals(masked(answer.message(), f))) {
                wrong.add(key + " as " + who + ": exists elsewhere answers " + answer + " '" + answer.message()
                        + "', does not exist answers " + absent + " '" + absent.message() + "'");
            }
        }
        return answer;
    }

    private static void checkRegistry(TestDrydock d, Fixture f, List<String> wrong, String method, String template, Who who, Outcome expected) {
        String path = registryPath(template, f, REPO);
        assertThat(RegistryRoutes.template(path)).as(path).isEqualTo(template);
        Answer answer = send(d, method, path, f.as.get(who).registry(), template.contains("/manifests/")
                ? "application/vnd.oci.image.manifest.v1+json" : "application/octet-stream");
        String cell = method + " " + template + " as " + who + ": expected " + expected + ", got " + answer + " "
                + abbreviate(answer.body());
        // HEAD answers carry no body: judge them by status and challenge
        boolean head = method.equals("HEAD");
        boolean right = switch (expected) {
            case OK -> answer.status() < 500 && answer.status() != 401 && answer.status() != 403;
            case NOAUTH -> answer.status() == 401 && (head || "UNAUTHORIZED".equals(answer.code()))
                    && String.valueOf(answer.challenge()).startsWith("Bearer realm=")
                    && !String.valueOf(answer.challenge()).contains("insufficient_scope");
            case SCOPE -> answer.status() == 401 && (head || "UNAUTHORIZED".equals(answer.code()))
                    && String.valueOf(answer.challenge()).contains("error=\"insufficient_scope\"");
            case DENIED -> answer.status() == 403 && (head || "DENIED".equals(answer.code()));
            default -> false;
        };
        if (!right) wrong.add(cell);
        if (right && expected == SCOPE) {
            Answer absent = send(d, method, registryPath(template, f, ABSENT_REPO), f.as.get(who).registry(), "application/octet-stream");
            if (absent.status() != answer.status() || !absent.code().equals(answer.code())
                    || !absent.message().replace(ABSENT_REPO, REPO).equals(answer.message())) {
                wrong.add(method + " " + template + " as " + who + ": exists answers " + answer + " '" + answer.message()
                        + "', does not exist answers " + absent + " '" + absent.message() + "'");
            }
        }
    }

    private static String registryPath(String template, Fixture f, String repository) {
        return template.replace("{name}", repository).replace("{reference}", "1.0").replace("{digest}", f.manifestDigest)
                .replace("{id}", f.uploadId);
    }

    private static String masked(String message, Fixture f) {
        return message.replace(f.engineId, "ID").replace(f.buildId, "ID").replace(ABSENT_ID, "ID")
                .replace(String.valueOf(ORG), "ORG").replace("99999", "ORG");
    }

    private static String abbreviate(String body) {
        return body.length() > 300 ? body.substring(0, 300) + "…" : body;
    }

    /** Sends one request; an event stream that opens is closed at once (its status is the answer). */
    private static Answer send(TestDrydock d, String method, String path, String authorization, String contentType) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(d.url() + path)).timeout(Duration.ofSeconds(30));
        if (authorization != null) request.header("Authorization", authorization);
        if (method.equals("POST") || method.equals("PUT") || method.equals("PATCH")) {
            request.header("Content-Type", contentType).method(method, HttpRequest.BodyPublishers.ofString("{}"));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        try {
            HttpResponse<InputStream> r = d.http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            String body;
            try (InputStream in = r.body()) {
                body = r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream") ? ""
                        : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            String code = "";
            String message = "";
            if (r.headers().firstValue("Content-Type").orElse("").startsWith("application/json") && !body.isEmpty()) {
                JsonNode json = BuildFixture.parse(body);
                JsonNode error = json.has("errors") ? json.at("/errors/0") : json.at("/error");
                code = error.has("extensions") ? error.at("/extensions/code").asText() : error.path("code").asText();
                message = error.path("message").asText();
            } else if (body.contains("data-error-code=\"")) {
                int at = body.indexOf("data-error-code=\"") + "data-error-code=\"".length();
                code = body.substring(at, body.indexOf('"', at));
            }
            return new Answer(r.statusCode(), code, message, r.headers().firstValue("Location").orElse(null),
                    r.headers().firstValue("WWW-Authenticate").orElse(null), body);
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
