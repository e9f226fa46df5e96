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
    /** The most builds one page of {@code GET /api/v1/adapters/{engineId}/builds} holds. */
    static final int MAX_LIMIT = 500;

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
        Json.write(ctx, 201, views.adapter(ctx, caller.principal(), adapter));
    }

    void list(Context ctx, Caller caller) {
        Json.write(ctx, 200, adapters.list(caller.principal(), caller.org()).stream()
                .map(a -> views.adapter(ctx, caller.principal(), a)).toList());
    }

    void get(Context ctx, Caller caller) {
        Json.write(ctx, 200, views.adapter(ctx, caller.principal(), caller.adapter()));
    }

    void act(Context ctx, Caller caller) {
        JsonNode body = Json.readObject(ctx);
        Adapter after = adapters.act(caller.principal(), caller.adapter().engineId(), Json.text(body, "action"));
        Json.write(ctx, 200, views.adapter(ctx, caller.principal(), after));
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
        Integer limit = Numbers.queryInt(ctx, "limit", 1, MAX_LIMIT);
        Integer offset = Numbers.queryInt(ctx, "offset", 0, Integer.MAX_VALUE);
        Adapter adapter = caller.adapter();
        if (limit == null && offset == null) { // the whole list, as before pagination
            Json.write(ctx, 200, views.builds(ctx, caller.principal(), builds.list(adapter.engineId(), states), adapter.state()));
            return;
        }
        int size = limit == null ? Integer.MAX_VALUE : limit;
        int from = offset == null ? 0 : offset;
        BuildService.Page page = builds.list(adapter.engineId(), states, size, from);
        ctx.header("X-Total-Count", String.valueOf(page.total()));
        if ((long) from + page.builds().size() < page.total() && limit != null) {
            StringBuilder next = new StringBuilder(ctx.path()).append('?');
            if (!states.isEmpty()) {
                next.append("state=").append(String.join(",", states.stream().map(Enum::name).toList())).append('&');
            }
            next.append("limit=").append(limit).append("&offset=").append(from + page.builds().size());
            ctx.header("Link", "<" + next + ">; rel=\"next\"");
        }
        Json.write(ctx, 200, views.builds(ctx, caller.principal(), page.builds(), adapter.state()));
    }

}
