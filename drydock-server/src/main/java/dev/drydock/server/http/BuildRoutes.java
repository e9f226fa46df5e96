package dev.drydock.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.platform.ApiErrorCode;
import dev.drydock.platform.ApiException;
import dev.drydock.platform.adapters.Adapter;
import dev.drydock.platform.adapters.AdapterService;
import dev.drydock.platform.builds.Build;
import dev.drydock.platform.builds.BuildAction;
import dev.drydock.platform.builds.BuildLifecycle;
import dev.drydock.platform.builds.BuildService;
import dev.drydock.platform.builds.BuildState;
import dev.drydock.platform.identity.Principal;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Adapters and builds under {@code /api/v1}: registration, listings, lifecycle actions, reports. */
public final class BuildRoutes {
    private final AdapterService adapters;
    private final BuildService builds;
    private final ApiRoutes api;
    private final Challenge challenge;

    public BuildRoutes(AdapterService adapters, BuildService builds, ApiRoutes api, Challenge challenge) {
        this.adapters = adapters;
        this.builds = builds;
        this.api = api;
        this.challenge = challenge;
    }

    public void register(RoutesConfig routes) {
        routes.post("/api/v1/orgs/{orgId}/adapters", api.auth(this::registerAdapter));
        routes.get("/api/v1/orgs/{orgId}/adapters", api.auth((ctx, p) ->
                Json.write(ctx, 200, adapters.list(p, ApiRoutes.orgId(ctx)).stream().map(a -> adapterView(ctx, a)).toList())));
        routes.get("/api/v1/adapters/{engineId}", api.auth((ctx, p) ->
                Json.write(ctx, 200, adapterView(ctx, adapters.get(p, ctx.pathParam("engineId"))))));
        routes.post("/api/v1/adapters/{engineId}/actions", api.auth((ctx, p) -> {
            JsonNode body = Json.readObject(ctx);
            Json.write(ctx, 200, adapterView(ctx, adapters.act(p, ctx.pathParam("engineId"), Json.text(body, "action"))));
        }));
        routes.get("/api/v1/adapters/{engineId}/builds", api.auth(this::listBuilds));
        routes.get("/api/v1/builds/{buildId}", api.auth((ctx, p) ->
                Json.write(ctx, 200, buildView(ctx, p, builds.get(p, ctx.pathParam("buildId")), true))));
        routes.post("/api/v1/builds/{buildId}/actions", api.auth(this::act));
        routes.get("/api/v1/builds/{buildId}/report", api.auth(this::report));
        routes.get("/api/v1/reviews", api.auth(this::reviews));
    }

    private void registerAdapter(Context ctx, Principal p) {
        JsonNode body = Json.readObject(ctx);
        Adapter adapter = adapters.register(p, ApiRoutes.orgId(ctx), Json.text(body, "name"), Json.text(body, "category"),
                Json.text(body, "deploymentModel"), Json.text(body, "engineMode"));
        Json.write(ctx, 201, adapterView(ctx, adapter));
    }

    private void listBuilds(Context ctx, Principal p) {
        Adapter adapter = adapters.get(p, ctx.pathParam("engineId"));
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
        Json.write(ctx, 200, builds.list(adapter.engineId(), states).stream().map(b -> buildView(ctx, p, b, false)).toList());
    }

    private void act(Context ctx, Principal p) {
        JsonNode body = Json.readObject(ctx);
        String name = Json.text(body, "action");
        BuildAction action;
        try {
            action = BuildAction.valueOf(name == null ? "" : name);
        } catch (IllegalArgumentException e) {
            throw new ApiException(ApiErrorCode.VALIDATION_FAILED, "action must be one of: "
                    + String.join(", ", Arrays.stream(BuildAction.values()).map(Enum::name).toList()), Map.of("field", "action"));
        }
        Build build = builds.act(p, ctx.pathParam("buildId"), action, Json.text(body, "reason"));
        Json.write(ctx, 200, buildView(ctx, p, build, true));
    }

    private void report(Context ctx, Principal p) {
        Build build = builds.get(p, ctx.pathParam("buildId"));
        String report = builds.report(build.id()).orElse(null);
        if (report == null || !BuildLifecycle.reportDownloadable(build.state())) {
            throw new ApiException(ApiErrorCode.REPORT_NOT_AVAILABLE, "build " + build.id() + " is " + build.state()
                    + ": a report can be downloaded once testing finished (available, invalid, submitted, approved, deployed, paused)",
                    Map.of("state", build.state().name()));
        }
        ctx.header("Content-Disposition", "attachment; filename=build-" + build.id() + "-report.json");
        ctx.status(200).contentType("application/json").result(report);
    }

    private void reviews(Context ctx, Principal p) {
        if (!(p instanceof Principal.User u) || u.platformRole() == null
                || u.platformRole() == Principal.PlatformRole.operator) {
            throw new ApiException(ApiErrorCode.FORBIDDEN, "the review queue is for platform reviewers");
        }
        Json.write(ctx, 200, builds.reviewQueue().stream().map(b -> buildView(ctx, p, b, false)).toList());
    }

    /** The registry's host as clients write it in image references, e.g. {@code registry.example.com}. */
    private String registryHost(Context ctx) {
        return challenge.baseUrl(ctx).replaceFirst("^https?://", "");
    }

    private Map<String, Object> adapterView(Context ctx, Adapter a) {
        String host = registryHost(ctx);
        String target = host + "/" + a.repository();
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("engineId", a.engineId());
        v.put("orgId", a.orgId());
        v.put("name", a.name());
        v.put("category", a.category());
        v.put("engineMode", a.engineMode());
        v.put("deploymentModel", a.deploymentModel());
        v.put("state", a.state());
        v.put("repository", a.repository());
        v.put("image", target);
        Map<String, String> commands = new LinkedHashMap<>();
        commands.put("build", "docker build -t " + a.name() + " .");
        commands.put("login", "docker login " + host);
        commands.put("tag", "docker tag " + a.name() + " " + target + ":<tag>");
        commands.put("push", "docker push " + target + ":<tag>");
        v.put("commands", commands);
        v.put("createdBy", a.createdBy());
        v.put("created", a.created());
        return v;
    }

    private Map<String, Object> buildView(Context ctx, Principal p, Build b, boolean detail) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", b.id());
        v.put("engineId", b.engineId());
        v.put("state", b.state());
        v.put("image", registryHost(ctx) + "/" + b.imagePath());
        v.put("digest", b.digest());
        v.put("tag", b.tag());
        v.put("uploadTime", b.uploadTime());
        v.put("user", b.user());
        v.put("allowedActions", builds.allowedActions(p, b).stream().map(Enum::name).toList());
        v.put("reportAvailable", BuildLifecycle.reportDownloadable(b.state()));
        if (detail) {
            v.put("checks", checks(b));
            v.put("history", builds.history(b.id()));
        }
        return v;
    }

    private List<Object> checks(Build b) {
        return builds.report(b.id()).map(json -> {
            try {
                JsonNode checks = Json.MAPPER.readTree(json).get("checks");
                return checks == null ? List.<Object>of() : List.<Object>of(Json.MAPPER.treeToValue(checks, Object[].class));
            } catch (java.io.IOException e) {
                return List.<Object>of();
            }
        }).orElse(List.of());
    }
}
