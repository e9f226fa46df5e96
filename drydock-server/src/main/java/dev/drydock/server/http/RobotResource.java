package dev.drydock.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.platform.identity.IdentityService;
import io.javalin.http.Context;

/** Robots of an organization: {@code /api/v1/orgs/{orgId}/robots}. */
final class RobotResource {
    private final IdentityService identity;

    RobotResource(IdentityService identity) {
        this.identity = identity;
    }

    void list(Context ctx, Caller caller) {
        Json.write(ctx, 200, identity.robots(caller.principal(), caller.org()));
    }

    void create(Context ctx, Caller caller) {
        JsonNode body = Json.readObject(ctx);
        IdentityService.NewRobot robot = identity.createRobot(caller.principal(), caller.org(), Json.text(body, "name"));
        ctx.header("Cache-Control", "no-store"); // the token is shown once
        Json.write(ctx, 201, robot);
    }

    void delete(Context ctx, Caller caller) {
        identity.deleteRobot(caller.principal(), caller.org(), ctx.pathParam("name"));
        ctx.status(204);
    }
}
