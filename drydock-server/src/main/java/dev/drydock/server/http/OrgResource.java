package dev.drydock.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.platform.identity.IdentityService;
import io.javalin.http.Context;

/** Organizations: {@code /api/v1/orgs} and {@code /api/v1/orgs/{orgId}}. */
final class OrgResource {
    private final IdentityService identity;

    OrgResource(IdentityService identity) {
        this.identity = identity;
    }

    void list(Context ctx, Caller caller) {
        Json.write(ctx, 200, identity.orgs(caller.principal()));
    }

    void create(Context ctx, Caller caller) {
        JsonNode body = Json.readObject(ctx);
        Json.write(ctx, 201, identity.createOrg(caller.principal(), Json.number(body, "id"), Json.text(body, "name")));
    }

    void get(Context ctx, Caller caller) {
        Json.write(ctx, 200, identity.org(caller.principal(), caller.org()));
    }
}
