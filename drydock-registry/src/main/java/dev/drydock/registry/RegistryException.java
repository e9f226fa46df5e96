package dev.drydock.registry;

import java.util.Map;

/** A registry protocol error: a spec error code, a message that says what to fix, and optional detail. */
public class RegistryException extends RuntimeException {
    private final ErrorCode code;
    private final int status;
    private final Map<String, Object> detail;

    public RegistryException(ErrorCode code, String message) {
        this(code, code.status, message, Map.of());
    }

    public RegistryException(ErrorCode code, String message, Map<String, Object> detail) {
        this(code, code.status, message, detail);
    }

    public RegistryException(ErrorCode code, int status, String message, Map<String, Object> detail) {
        super(message);
        this.code = code;
        this.status = status;
        this.detail = detail;
    }

    public ErrorCode code() { return code; }
    public int status() { return status; }
    public Map<String, Object> detail() { return detail; }
}
