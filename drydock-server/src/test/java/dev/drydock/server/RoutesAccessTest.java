package dev.drydock.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.server.http.Access;
import dev.drydock.server.http.Route;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every line of the routes table enforces the access it declares, before its handler runs: without credentials a
 * non-public route answers 401; a stranger (a member of another organization) gets 404 for an organization,
 * adapter or build they may not see (never 403: that would reveal it exists); a developer is refused with 403 by
 * the admin-only and platform-role routes; a robot is refused with 403 by the routes for users only (invitations).
 */
class RoutesAccessTest {
    private static final long ORG = 17532;
    private static final long OTHER = 20001;
    private static final String DEV = "dev@acme.test";
    private static final String STRANGER = "stranger@other.test";

    @Test
    void everyRouteEnforcesItsDeclaredAccess() {
        try (TestDrydock d = TestDrydock.start()) {
            d.createOrg(ORG);
            d.createOrg(OTHER);
            d.addMember(ORG, DEV, "developer");
            d.addMember(OTHER, STRANGER, "developer");
            String dev = TestDrydock.basic(DEV, TestDrydock.PASSWORD);
            String stranger = TestDrydock.basic(STRANGER, TestDrydock.PASSWORD);
            String robot = TestDrydock.basic(ORG + "+ci", d.createRobot(ORG, "ci"));
            String engineId = d.api("POST", "/api/v1/orgs/" + ORG + "/adapters", dev, Map.of("name", "echo", "category", "pull",
                    "deploymentModel", "FullyNetworkIsolated", "engineMode", "batch"), 201).get("engineId").asText();
            String repository = ORG + "/echo";
            TestImages.push(d, repository, TestImages.pushToken(d, DEV, TestDrydock.PASSWORD, repository), TestImages.adapter("routes"), "1.0");
            String buildId = d.api("GET", "/api/v1/adapters/" + engineId + "/builds", dev, null, 200).get(0).get("id").asText();

            List<String> checked = new ArrayList<>();
            for (Route route : d.server().routes()) {
                if (route.access() instanceof Access.Public || route.access() instanceof Access.OwnCredential) continue;
                String path = route.path().replace("{orgId}", String.valueOf(ORG)).replace("{engineId}", engineId)
                        .replace("{buildId}", buildId).replace("{email}", DEV).replace("{name}", "ci").replace("{id}", "1")
                        .replace("{cveId}", "CVE-2024-0001")
                        .replace("{invitationId}", "00000000-0000-4000-8000-000000000001");
                assertThat(path).as(route + " has only known path parameters").doesNotContain("{", "<");
                expect(d, route, path, null, 401, "UNAUTHENTICATED");
                switch (route.access()) {
                    case Access.OrgVisible o -> expect(d, route, path, stranger, 404, "ORG_NOT_FOUND");
                    case Access.OrgMember o -> expect(d, route, path, stranger, 404, "ORG_NOT_FOUND");
                    case Access.OrgAdmin o -> {
                        expect(d, route, path, stranger, 404, "ORG_NOT_FOUND");
                        expect(d, route, path, dev, 403, "FORBIDDEN");
                    }
                    case Access.AdapterVisible a -> expect(d, route, path, stranger, 404, "ADAPTER_NOT_FOUND");
                    case Access.BuildVisible b -> expect(d, route, path, stranger, 404, "BUILD_NOT_FOUND");
                    case Access.PlatformRoles r -> expect(d, route, path, dev, 403, "FORBIDDEN");
                    case Access.AnyUser u -> expect(d, route, path, robot, 403, "FORBIDDEN");
                    case Access.ScrapeToken s -> expect(d, route, path, dev, 403, "FORBIDDEN");
                    default -> {
                    }
                }
                checked.add(route.toString());
            }
            assertThat(checked).contains("GET /api/v1/me", "POST /api/v1/orgs/{orgId}/webhooks", "GET /api/v1/builds/{buildId}/events",
                    "POST /graphql", "GET /api/v1/audit", "GET /builds/{buildId}", "GET /reviews",
                    "POST /api/v1/invitations/{invitationId}/accept", "DELETE /api/v1/orgs/{orgId}/invitations/{invitationId}").hasSizeGreaterThan(30);
        }
    }

    /** Calls the route as {@code authorization} (null: none) and asserts the refusal, in the route's error shape. */
    private static void expect(TestDrydock d, Route route, String path, String authorization, int status, String code) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(d.url() + path));
        if (authorization != null) request.header("Authorization", authorization);
        if (route.method().name().equals("POST") || route.method().name().equals("PUT")) {
            request.header("Content-Type", "application/json").method(route.method().name(), HttpRequest.BodyPublishers.ofString("{}"));
        } else {
            request.method(route.method().name(), HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> r = d.send(request.build());
        String who = route + " as " + (authorization == null ? "nobody" : authorization.equals(TestDrydock.basic(DEV, TestDrydock.PASSWORD))
                ? DEV : authorization.equals(TestDrydock.basic(STRANGER, TestDrydock.PASSWORD)) ? STRANGER : "a robot");
        if (!route.path().startsWith("/api/") && !route.path().equals("/graphql") && !route.path().equals("/metrics")) {
            // a page of the Developer App: the signed-out go to sign-in, other refusals are the app's error page
            if (status == 401) {
                assertThat(r.statusCode()).as(who).isEqualTo(303);
                assertThat(r.headers().firstValue("Location").orElse("")).as(who).startsWith("/login?next=");
            } else {
                assertThat(r.statusCode()).as(who + ": " + r.body()).isEqualTo(status);
                assertThat(r.body()).as(who).contains("data-error-code=\"" + code + "\"");
            }
            return;
        }
        assertThat(r.statusCode()).as(who + ": " + r.body()).isEqualTo(status);
        JsonNode body = BuildFixture.parse(r.body());
        JsonNode actual = route.path().equals("/graphql") ? body.at("/errors/0/extensions/code") : body.at("/error/code");
        assertThat(actual.asText()).as(who).isEqualTo(code);
    }
}
