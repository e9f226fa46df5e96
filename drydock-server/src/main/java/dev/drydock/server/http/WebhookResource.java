package dev.drydock.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.platform.ApiErrorCode;
import dev.drydock.platform.ApiException;
import dev.drydock.platform.webhooks.WebhookService;
import io.javalin.http.Context;

import java.util.Map;

/** Webhooks of an organization and their deliveries: {@code /api/v1/orgs/{orgId}/webhooks}. */
final class WebhookResource {
    private static final int DEFAULT_LIMIT = 100;
    private static final int MAX_LIMIT = 1000;

    private final WebhookService webhooks;

    WebhookResource(WebhookService webhooks) {
        this.webhooks = webhooks;
    }

    void create(Context ctx, Caller caller) {
        JsonNode body = Json.readObject(ctx);
        WebhookService.NewWebhook created = webhooks.create(caller.principal(), caller.org(), Json.text(body, "url"),
                Json.text(body, "secret"));
        ctx.header("Cache-Control", "no-store"); // the secret is shown once
        Json.write(ctx, 201, created);
    }

    void list(Context ctx, Caller caller) {
        Json.write(ctx, 200, webhooks.list(caller.principal(), caller.org()));
    }

    void delete(Context ctx, Caller caller) {
        webhooks.delete(caller.principal(), caller.org(), ctx.pathParam("id"));
        ctx.status(204);
    }

    void deliveries(Context ctx, Caller caller) {
        Json.write(ctx, 200, webhooks.deliveries(caller.principal(), caller.org(), ctx.pathParam("id"), limit(ctx)));
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
