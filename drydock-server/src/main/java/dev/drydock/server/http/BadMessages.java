package dev.drydock.server.http;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Requests Jetty rejects before any route runs (a {@code Content-Length} beyond 63 bits, malformed headers …): Jetty
 * answers them itself, without a log line, and by default with an empty body (no body at all for PATCH and PUT).
 * Under {@code /v2} this gives them the registry's error body instead: {@code SIZE_INVALID} when Jetty says the
 * length is at fault, otherwise {@code UNSUPPORTED} (Jetty often reports only "Bad Request", so that is the usual
 * code). Other paths keep Jetty's answer.
 */
public final class BadMessages extends ErrorHandler {
    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = request.getHttpURI() == null ? null : request.getHttpURI().getPath();
        if (path == null || !(path.equals("/v2") || path.startsWith("/v2/"))) return super.handle(request, response, callback);
        int status = request.getAttribute(ERROR_STATUS) instanceof Integer s ? s : response.getStatus();
        if (status < 400 || status >= 500) return super.handle(request, response, callback);
        String reason = request.getAttribute(ERROR_MESSAGE) instanceof String m ? m : null;
        // Jetty's reason is often just "Bad Request"; the exception (or the header itself) says what was wrong.
        for (Throwable t = request.getAttribute(ERROR_EXCEPTION) instanceof Throwable e ? e : null; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().toLowerCase(Locale.ROOT).contains("content-length")) {
                reason = t.getMessage();
                break;
            }
        }
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put("Docker-Distribution-Api-Version", "registry/2.0");
        response.write(true, body(reason), callback);
        return true;
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        return body(reason);
    }

    private static ByteBuffer body(String reason) {
        String why = reason == null ? "bad request" : reason;
        boolean length = why.toLowerCase(Locale.ROOT).contains("content-length");
        String code = length ? "SIZE_INVALID" : "UNSUPPORTED";
        String message = length
                ? "invalid Content-Length: send the body's exact length in bytes (at most 9223372036854775807)"
                : "the request's line or headers are not valid HTTP (" + why + "), e.g. a Content-Length that is not a"
                        + " number of bytes below 2^63: fix them and resend";
        try {
            return ByteBuffer.wrap(Json.MAPPER.writeValueAsBytes(Map.of("errors",
                    List.of(Map.of("code", code, "message", message, "detail", Map.of())))));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
