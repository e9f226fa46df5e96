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

    /**
     * No stack trace: these are answers to clients (a HEAD for a blob the registry lacks is the normal start
     * of every layer push), not faults, and filling in a trace per request is measurable on the hot path.
     */
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }

    public ErrorCode code() { return code; }
    public int status() { return status; }
    public Map<String, Object> detail() { return detail; }
}
