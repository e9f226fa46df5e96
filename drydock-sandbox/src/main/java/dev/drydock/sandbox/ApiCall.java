package dev.drydock.sandbox;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.List;

/**
 * One request the container made to the sandbox API, as recorded for the report.
 *
 * @param operation     the GraphQL root field(s) the request asked for, comma-separated ({@code updateTask},
 *                      {@code createTDO}, {@code __schema} for an introspection query …) whether or not the request was
 *                      valid; {@code GET /media} for a signed download; {@code unauthorized} for a request without the
 *                      run's token; {@code unparseable} when the GraphQL document is not valid syntax; {@code unreadable}
 *                      when the HTTP body could not be read
 * @param variables     the arguments of the fields that ran, or for a rejected request its variables (and
 *                      {@code query}, the document, bounded); secrets (tokens, passwords, keys) replaced by
 *                      {@code "***"}; uploaded file contents replaced by their size
 * @param status        the HTTP status answered (401 for a missing or wrong token)
 * @param error         the error(s) answered, or null
 * @param unserved      the Veritone fields the request asked for that the sandbox does not serve (e.g.
 *                      {@code createJob}, {@code TemporalDataObject.tasks}); empty normally
 */
public record ApiCall(Instant time, String operation, JsonNode variables, int status, long requestBytes,
                      long responseBytes, long millis, String error, List<String> unserved) {
    public ApiCall {
        unserved = unserved == null ? List.of() : List.copyOf(unserved);
    }

    public ApiCall(Instant time, String operation, JsonNode variables, int status, long requestBytes, long responseBytes,
                   long millis, String error) {
        this(time, operation, variables, status, requestBytes, responseBytes, millis, error, List.of());
    }

    public boolean authorized() {
        return status != 401;
    }

    /** True when the request asked for {@code field} at the root (e.g. {@code updateTask}). */
    public boolean calls(String field) {
        for (String op : operation.split(",")) {
            if (op.equals(field)) return true;
        }
        return false;
    }
}
