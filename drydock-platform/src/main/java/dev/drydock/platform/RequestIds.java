package dev.drydock.platform;

import org.slf4j.MDC;

import java.util.regex.Pattern;

/**
 * The id of the HTTP request being served, kept in the logging MDC under {@link #MDC_KEY} by the server for the
 * request's thread: every log line of the request carries it, and a build move made by the request records it in
 * the build's history. Lower layers read it here rather than having it passed through every call.
 */
public final class RequestIds {
    /** The MDC key (and the JSON log field inside {@code mdc}). */
    public static final String MDC_KEY = "requestId";
    /** What an incoming X-Request-Id may be to be kept: short, and nothing that could forge a log line or a header. */
    private static final Pattern WELL_FORMED = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    private RequestIds() {
    }

    /** True when {@code id} may be used as a request id as it is. */
    public static boolean wellFormed(String id) {
        return id != null && WELL_FORMED.matcher(id).matches();
    }

    /** The id of the request this thread serves; null outside a request (workers, scheduled tasks). */
    public static String current() {
        String id = MDC.get(MDC_KEY);
        return wellFormed(id) ? id : null;
    }
}
