package dev.drydock.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.platform.ApiErrorCode;
import dev.drydock.platform.ApiException;
import dev.drydock.platform.adapters.Adapter;
import dev.drydock.platform.adapters.AdapterService;
import dev.drydock.platform.builds.BuildService;
import dev.drydock.platform.builds.BuildState;
import io.javalin.http.Context;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Adapters: registration and listing under {@code /api/v1/orgs/{orgId}/adapters}, one adapter, its actions and
 * its builds under {@code /api/v1/adapters/{engineId}}.
 */
final class AdapterResource {
    private final AdapterService adapters;
    private final BuildService builds;
    private final ApiViews views;

    AdapterResource(AdapterService adapters, BuildService builds, ApiViews views) {
        this.adapters = adapters;
        this.builds = builds;
        this.views = views;
    }

    void register(Context ctx, Caller caller) {
        JsonNode body = Json.readObject(ctx);
        Adapter adapter = adapters.register(caller.principal(), caller.org(), Json.text(body, "name"), Json.text(body, "category"),
                Json.text(body, "deploymentModel"), Json.text(body, "engineMode"));
        Json.write(ctx, 201, views.adapter(ctx, adapter));
    }

    void list(Context ctx, Caller caller) {
        Json.write(ctx, 200, adapters.list(caller.principal(), caller.org()).stream().map(a -> views.adapter(ctx, a)).toList());
    }

    void get(Context ctx, Caller caller) {
        Json.write(ctx, 200, views.adapter(ctx, caller.adapter()));
    }

    void act(Context ctx, Caller caller) {
        JsonNode body = Json.readObject(ctx);
        Json.write(ctx, 200, views.adapter(ctx, adapters.act(caller.principal(), caller.adapter().engineId(), Json.text(body, "action"))));
    }

    void builds(Context ctx, Caller caller) {
        Set<BuildState> states = EnumSet.noneOf(BuildState.class);
        for (String s : ctx.queryParams("state")) {
            for (String one : s.split(",")) {
                try {
                    states.add(BuildState.parse(one.trim()));
                } catch (IllegalArgumentException e) {
                    throw new ApiException(ApiErrorCode.VALIDATION_FAILED, "state must be one of: "
                            + String.join(", ", Arrays.stream(BuildState.values()).map(Enum::name).toList()), Map.of("field", "state"));
                }
            }
        }
        Json.write(ctx, 200, builds.list(caller.adapter().engineId(), states).stream()
                .map(b -> views.build(ctx, caller.principal(), b, false)).toList());
    }
}
