package dev.drydock.platform;

import java.util.Map;

/** A domain error for the REST API: a stable code, a message that names the fix, and detail. */
public class ApiException extends RuntimeException {
    private final ApiErrorCode code;
    private final Map<String, Object> detail;

    public ApiException(ApiErrorCode code, String message) {
        this(code, message, Map.of());
    }

    public ApiException(ApiErrorCode code, String message, Map<String, Object> detail) {
        super(message);
        this.code = code;
        this.detail = detail;
    }

    public ApiErrorCode code() { return code; }
    public Map<String, Object> detail() { return detail; }
}
