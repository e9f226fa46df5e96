package dev.drydock.server.http;

import dev.drydock.platform.ApiException;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;

/**
 * One line of the {@link Routes} table: method, path (Javalin syntax), the access it needs, and the handler that
 * runs once {@link AccessCheck} allowed the caller.
 *
 * @param errors how refusals and other {@link ApiException}s are written; null for the REST envelope
 *               {@code {"error": {code, message, detail}}}
 */
public record Route(HandlerType method, String path, Access access, Handler handler, ErrorBody errors) {

    /** Runs with the allowed caller (and what the access check resolved). */
    @FunctionalInterface
    public interface Handler {
        void handle(Context ctx, Caller caller) throws Exception;
    }

    /** Writes an {@link ApiException} in a route's own response shape (GraphQL's {@code errors[]}). */
    @FunctionalInterface
    public interface ErrorBody {
        void write(Context ctx, ApiException e);
    }

    /** {@code GET /path}, as documented in the OpenAPI document. */
    @Override
    public String toString() {
        return method + " " + path;
    }
}
