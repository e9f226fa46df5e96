package dev.drydock.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.platform.identity.IdentityService;
import io.javalin.http.Context;

/** Members of an organization: {@code /api/v1/orgs/{orgId}/members}. */
final class MemberResource {
    private final IdentityService identity;

    MemberResource(IdentityService identity) {
        this.identity = identity;
    }

    void list(Context ctx, Caller caller) {
        Json.write(ctx, 200, identity.members(caller.principal(), caller.org()));
    }

    void add(Context ctx, Caller caller) {
        JsonNode body = Json.readObject(ctx);
        Json.write(ctx, 201, identity.addMember(caller.principal(), caller.org(), Json.text(body, "email"),
                Json.text(body, "password"), Json.text(body, "role")));
    }
}
