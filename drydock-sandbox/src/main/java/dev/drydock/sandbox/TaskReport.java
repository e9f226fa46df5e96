package dev.drydock.sandbox;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * The task as the adapter left it, from its {@code updateTask} calls.
 *
 * @param status        the last status set ({@code running}, {@code complete}, {@code failed} …), or null when the adapter
 *                      never called updateTask
 * @param history       every status set, in order
 * @param output        the last {@code output} given (JSON), or null
 * @param failureReason the adapter's {@code failureReason}/{@code failureMessage} when it set {@code failed}, or null
 */
public record TaskReport(String status, List<String> history, JsonNode output, String failureReason) {
    public static final TaskReport NEVER_UPDATED = new TaskReport(null, List.of(), null, null);

    public TaskReport {
        history = List.copyOf(history);
    }
}
