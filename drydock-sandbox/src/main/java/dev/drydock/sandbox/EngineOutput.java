package dev.drydock.sandbox;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * One engine result the sandbox API received, in the order received ({@link SandboxResult#engineOutputs()}), for checks
 * that look at the content (drydock-compliance validates JSON results against the vtn-standard schema).
 *
 * <p>Every documented way to deliver a result is one {@code via}:
 * <table>
 *   <tr><th>via</th><th>the call</th><th>json</th></tr>
 *   <tr><td>{@code updateTask.output}</td><td>{@code updateTask(input: {…, output: <JSONData>})}</td><td>the value</td></tr>
 *   <tr><td>{@code updateTask.outputString}</td><td>{@code updateTask(input: {…, outputString: "…"})}</td><td>the
 *       string parsed as JSON; {@code {<outputJsonKey>: "…"}} when {@code outputJsonKey} is given; null when it is
 *       neither</td></tr>
 *   <tr><td>{@code taskOutput}</td><td>{@code updateTask(input: {…, taskOutput: <JSONData>})} (legacy)</td><td>the value</td></tr>
 *   <tr><td>{@code uploadEngineResult}</td><td>{@code uploadEngineResult(input: {taskId, output | outputString | uri})}
 *       or multipart with a {@code file} part</td><td>the content parsed as JSON when its content type says JSON (or
 *       none is given and it parses); null otherwise, and for a {@code uri} the sandbox cannot read (anything but its
 *       own signed media URIs)</td></tr>
 *   <tr><td>{@code createAsset}</td><td>{@code createAsset(input: {containerId, assetType, contentType, …})}, multipart
 *       with a {@code file} part or with a {@code uri}</td><td>as for uploadEngineResult</td></tr>
 *   <tr><td>{@code process}</td><td>a webhook engine's 200 answer to a chunk posted to its process webhook</td>
 *       <td>as for uploadEngineResult</td></tr>
 *   <tr><td>{@code resultWebhook}</td><td>a batch or stream webhook engine's {@code POST} to the chunk's
 *       {@code resultWebhook}</td><td>as for uploadEngineResult</td></tr>
 * </table>
 * An {@code updateTask} whose output is empty ({@code {}}, {@code null}, an empty string) delivers nothing and is not
 * listed. Pull/push adapters deliver a TDO, not an engine result: for them the list is empty.
 *
 * @param via         how it was delivered: one of {@link #VIAS}
 * @param contentType the declared (or deduced) content type: {@code application/json} for updateTask outputs that are
 *                    JSON, {@code text/plain} for a string that is not; may be null when a createAsset gave none
 * @param json        the content as parsed JSON, or null when it is not JSON (or could not be read)
 */
public record EngineOutput(String via, String contentType, JsonNode json) {
    public static final String UPDATE_TASK_OUTPUT = "updateTask.output";
    public static final String UPDATE_TASK_OUTPUT_STRING = "updateTask.outputString";
    public static final String UPLOAD_ENGINE_RESULT = "uploadEngineResult";
    public static final String CREATE_ASSET = "createAsset";
    public static final String TASK_OUTPUT = "taskOutput";
    public static final String PROCESS = "process";
    public static final String RESULT_WEBHOOK = "resultWebhook";
    public static final List<String> VIAS = List.of(UPDATE_TASK_OUTPUT, UPDATE_TASK_OUTPUT_STRING, UPLOAD_ENGINE_RESULT,
            CREATE_ASSET, TASK_OUTPUT, PROCESS, RESULT_WEBHOOK);
}
