package dev.drydock.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.platform.ApiErrorCode;
import dev.drydock.platform.ApiException;
import dev.drydock.compliance.ReportSummary;
import dev.drydock.platform.builds.Build;
import dev.drydock.platform.builds.BuildAction;
import dev.drydock.platform.builds.BuildComparison;
import dev.drydock.platform.builds.BuildService;
import io.javalin.http.Context;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds: one build and its lifecycle actions ({@code /api/v1/builds/{buildId}}), what changed since an earlier
 * build of its adapter, the review queue.
 */
final class BuildResource {
    private final BuildService builds;
    private final BuildComparison comparison;
    private final ApiViews views;

    BuildResource(BuildService builds, ApiViews views) {
        this.builds = builds;
        this.comparison = new BuildComparison(builds);
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

    /** What changed since the adapter's previous tested build, or since the build named by {@code ?since=}. */
    void changes(Context ctx, Caller caller) {
        String since = ctx.queryParam("since");
        BuildComparison.Result result = comparison.compare(caller.principal(), caller.build(),
                since == null || since.isBlank() ? null : since.strip());
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("build", ref(caller.build()));
        v.put("previous", result.previous() == null ? null : ref(result.previous()));
        v.put("nothingChanged", result.previous() != null && result.changes().nothingChanged());
        Map<String, Object> changes = Json.MAPPER.convertValue(result.changes(), Json.MAPPER.getTypeFactory()
                .constructMapType(LinkedHashMap.class, String.class, Object.class));
        v.putAll(changes);
        Json.write(ctx, 200, v);
    }

    private static Map<String, Object> ref(Build b) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", b.id());
        v.put("tag", b.tag());
        v.put("digest", b.digest().toString());
        v.put("uploadTime", b.uploadTime());
        return v;
    }

    /**
     * Builds waiting for review, oldest first, each with its organization, adapter name and report summary (the
     * reviewer's queue lists builds of every organization).
     */
    void reviews(Context ctx, Caller caller) {
        List<Build> queue = builds.reviewQueue();
        List<Map<String, Object>> views = this.views.builds(ctx, caller.principal(), queue);
        for (int i = 0; i < queue.size(); i++) {
            Build b = queue.get(i);
            Map<String, Object> v = views.get(i);
            v.put("orgId", b.orgId());
            v.put("adapter", b.repository().substring(b.repository().indexOf('/') + 1));
            v.put("summary", summary(b));
        }
        Json.write(ctx, 200, views);
    }

    private ReportSummary summary(Build b) {
        return builds.reportTree(b.id()).map(ReportSummary::of).orElse(null);
    }
}
