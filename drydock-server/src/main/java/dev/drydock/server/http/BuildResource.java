package dev.drydock.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.platform.ApiErrorCode;
import dev.drydock.platform.ApiException;
import dev.drydock.platform.builds.Build;
import dev.drydock.platform.builds.BuildAction;
import dev.drydock.platform.builds.BuildService;
import io.javalin.http.Context;

import java.util.Arrays;
import java.util.Map;

/** Builds: one build and its lifecycle actions ({@code /api/v1/builds/{buildId}}), the review queue. */
final class BuildResource {
    private final BuildService builds;
    private final ApiViews views;

    BuildResource(BuildService builds, ApiViews views) {
        this.builds = builds;
        this.views = views;
    }

    void get(Context ctx, Caller caller) {
        Json.write(ctx, 200, views.build(ctx, caller.principal(), caller.build(), true));
    }

    void act(Context ctx, Caller caller) {
        JsonNode body = Json.readObject(ctx);
        String name = Json.text(body, "action");
        BuildAction action;
        try {
            action = BuildAction.valueOf(name == null ? "" : name);
        } catch (IllegalArgumentException e) {
            throw new ApiException(ApiErrorCode.VALIDATION_FAILED, "action must be one of: "
                    + String.join(", ", Arrays.stream(BuildAction.values()).map(Enum::name).toList()), Map.of("field", "action"));
        }
        Build build = builds.act(caller.principal(), caller.build().id(), action, Json.text(body, "reason"));
        Json.write(ctx, 200, views.build(ctx, caller.principal(), build, true));
    }

    /** Builds waiting for review, oldest first. */
    void reviews(Context ctx, Caller caller) {
        Json.write(ctx, 200, views.builds(ctx, caller.principal(), builds.reviewQueue()));
    }
}
