package dev.drydock.server.http;

import dev.drydock.platform.ApiErrorCode;
import io.javalin.http.Context;

import java.util.Map;

/** The REST API's error envelope: {@code {"error": {"code", "message", "detail"}}} with the code's status. */
public final class ApiErrors {
    private ApiErrors() {}

    public static void write(Context ctx, ApiErrorCode code, String message, Map<String, Object> detail) {
        Json.write(ctx, code.status, Map.of("error", Map.of("code", code.name(), "message", message, "detail", detail)));
    }
}
