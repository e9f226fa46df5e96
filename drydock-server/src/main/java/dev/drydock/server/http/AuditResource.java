package dev.drydock.server.http;

import dev.drydock.platform.ApiErrorCode;
import dev.drydock.platform.ApiException;
import dev.drydock.platform.AuditLog;
import io.javalin.http.Context;

import java.util.Map;

/** The newest audit entries (logins, tokens, members, deletes, approvals …): {@code /api/v1/audit}. */
final class AuditResource {
    private final AuditLog audit;

    AuditResource(AuditLog audit) {
        this.audit = audit;
    }

    void recent(Context ctx, Caller caller) {
        int limit;
        try {
            limit = Integer.parseInt(ctx.queryParamAsClass("limit", String.class).getOrDefault("100"));
        } catch (NumberFormatException e) {
            limit = -1;
        }
        if (limit < 1 || limit > 1000) {
            throw new ApiException(ApiErrorCode.VALIDATION_FAILED, "limit must be a whole number from 1 to 1000", Map.of("field", "limit"));
        }
        Json.write(ctx, 200, audit.recent(limit));
    }
}
