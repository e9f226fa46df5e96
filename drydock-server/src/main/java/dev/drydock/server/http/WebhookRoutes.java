package dev.drydock.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.platform.ApiErrorCode;
import dev.drydock.platform.ApiException;
import dev.drydock.platform.webhooks.WebhookService;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.util.Map;

/** Webhooks of an organization under {@code /api/v1/orgs/{orgId}/webhooks} (org admins only). */
public final class WebhookRoutes {
    private static final int DEFAULT_LIMIT = 100;
    private static final int MAX_LIMIT = 1000;

    private final WebhookService webhooks;
    private final ApiRoutes api;

    public WebhookRoutes(WebhookService webhooks, ApiRoutes api) {
        this.webhooks = webhooks;
        this.api = api;
    }

    public void register(RoutesConfig routes) {
        routes.post("/api/v1/orgs/{orgId}/webhooks", api.auth((ctx, p) -> {
            JsonNode body = Json.readObject(ctx);
            WebhookService.NewWebhook created = webhooks.create(p, ApiRoutes.orgId(ctx), Json.text(body, "url"),
                    Json.text(body, "secret"));
            ctx.header("Cache-Control", "no-store");
            Json.write(ctx, 201, created);
        }));
        routes.get("/api/v1/orgs/{orgId}/webhooks", api.auth((ctx, p) ->
                Json.write(ctx, 200, webhooks.list(p, ApiRoutes.orgId(ctx)))));
        routes.delete("/api/v1/orgs/{orgId}/webhooks/{id}", api.auth((ctx, p) -> {
            webhooks.delete(p, ApiRoutes.orgId(ctx), ctx.pathParam("id"));
            ctx.status(204);
        }));
        routes.get("/api/v1/orgs/{orgId}/webhooks/{id}/deliveries", api.auth((ctx, p) ->
                Json.write(ctx, 200, webhooks.deliveries(p, ApiRoutes.orgId(ctx), ctx.pathParam("id"), limit(ctx)))));
    }

    private static int limit(Context ctx) {
        String raw = ctx.queryParam("limit");
        if (raw == null) return DEFAULT_LIMIT;
        try {
            int n = Integer.parseInt(raw);
            if (n >= 1 && n <= MAX_LIMIT) return n;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new ApiException(ApiErrorCode.VALIDATION_FAILED, "limit must be a whole number from 1 to " + MAX_LIMIT,
                Map.of("field", "limit"));
    }
}
