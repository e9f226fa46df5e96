package dev.drydock.sandbox;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;

/**
 * One request the container made to the sandbox API, as recorded for the report.
 *
 * @param operation     the GraphQL field(s) called ({@code updateTask}, {@code createTDO} …), {@code GET /media} for a
 *                      signed download, or {@code unknown} when the request could not be parsed
 * @param variables     the GraphQL variables and inline arguments with secrets (tokens, passwords, keys) replaced by
 *                      {@code "***"}; uploaded file contents are replaced by their size
 * @param status        the HTTP status answered (401 for a missing or wrong token)
 * @param error         the error answered, or null
 */
public record ApiCall(Instant time, String operation, JsonNode variables, int status, long requestBytes,
                      long responseBytes, long millis, String error) {
    public boolean authorized() {
        return status != 401;
    }
}
