package dev.drydock.registry;

import java.time.Duration;
import java.util.Map;

/** {@link ErrorCode#TOOMANYREQUESTS} (429) with how long the client should wait, sent as {@code Retry-After}. */
public final class TooManyRequests extends RegistryException {
    private final Duration retryAfter;

    public TooManyRequests(String message, Duration retryAfter, Map<String, Object> detail) {
        super(ErrorCode.TOOMANYREQUESTS, message, detail);
        this.retryAfter = retryAfter;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
