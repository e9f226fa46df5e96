package dev.drydock.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.drydock.platform.ApiErrorCode;
import dev.drydock.platform.ApiException;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/** JSON in and out of the HTTP layer: one mapper, bounded request bodies, errors that name the fix. */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final int MAX_BODY = 64 * 1024;

    private Json() {}

    public static void write(Context ctx, int status, Object body) {
        try {
            ctx.status(status).contentType("application/json").result(MAPPER.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads a JSON object body of at most 64 KiB. */
    public static JsonNode readObject(Context ctx) {
        byte[] body;
        try (InputStream in = ctx.req().getInputStream()) {
            body = in.readNBytes(MAX_BODY + 1);
        } catch (IOException e) {
            throw new ApiException(ApiErrorCode.MALFORMED_JSON, "could not read the request body: " + e.getMessage());
        }
        if (body.length > MAX_BODY) {
            throw new ApiException(ApiErrorCode.PAYLOAD_TOO_LARGE, "request body is larger than " + MAX_BODY + " bytes");
        }
        try {
            JsonNode node = MAPPER.readTree(body);
            if (node == null || !node.isObject()) {
                throw new ApiException(ApiErrorCode.MALFORMED_JSON, "request body must be a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new ApiException(ApiErrorCode.MALFORMED_JSON, "request body is not valid JSON: "
                    + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
    }

    public static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) {
            throw new ApiException(ApiErrorCode.VALIDATION_FAILED, "'" + field + "' must be a string", Map.of("field", field));
        }
        return v.textValue();
    }

    public static long number(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.canConvertToLong() || !v.isIntegralNumber()) {
            throw new ApiException(ApiErrorCode.VALIDATION_FAILED, "'" + field + "' must be a whole number",
                    Map.of("field", field));
        }
        return v.longValue();
    }
}
