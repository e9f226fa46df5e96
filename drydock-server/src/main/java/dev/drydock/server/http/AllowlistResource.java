package dev.drydock.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.platform.vulns.VulnerabilityService;
import io.javalin.http.Context;

/** An organization's vulnerability allowlist: {@code /api/v1/orgs/{orgId}/vulnerability-allowlist}. */
final class AllowlistResource {
    private final VulnerabilityService vulns;

    AllowlistResource(VulnerabilityService vulns) {
        this.vulns = vulns;
    }

    void list(Context ctx, Caller caller) {
        Json.write(ctx, 200, vulns.allowlist(caller.principal(), caller.org()));
    }

    void allow(Context ctx, Caller caller) {
        JsonNode body = Json.readObject(ctx);
        Json.write(ctx, 201, vulns.allow(caller.principal(), caller.org(), Json.text(body, "id"), Json.text(body, "expires"),
                Json.text(body, "reason")));
    }

    void disallow(Context ctx, Caller caller) {
        vulns.disallow(caller.principal(), caller.org(), ctx.pathParam("cveId"));
        ctx.status(204);
    }
}
