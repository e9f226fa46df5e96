package example;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A minimal batch ingest adapter with no dependencies: reads the task payload, marks the task running, creates a TDO,
 * attaches the source file as an asset, and completes the task with the TDO's id as recordingId. On an error it marks
 * the task failed with the reason and exits 1.
 */
public final class PullAdapter {
    private final HttpClient http = HttpClient.newHttpClient();
    private final String api;
    private final String token;
    private final String taskId;

    private PullAdapter(String payload) {
        this.api = field(payload, "veritoneApiBaseUrl") + "/v3/graphql";
        this.token = field(payload, "token");
        this.taskId = field(payload, "taskId");
    }

    public static void main(String[] args) throws Exception {
        String payload = Files.readString(Path.of(System.getenv("PAYLOAD_FILE")));
        PullAdapter adapter = new PullAdapter(payload);
        String source = field(payload, "url");
        try {
            adapter.run(source);
        } catch (IOException | RuntimeException e) {
            System.err.println("ingest failed: " + e.getMessage());
            adapter.graphql("mutation($id: ID!, $o: JSONData) { updateTask(input: {id: $id, status: failed, output: $o}) { id } }",
                    "{\"id\":" + quote(adapter.taskId) + ",\"o\":{\"error\":" + quote(String.valueOf(e.getMessage())) + "}}");
            System.exit(1);
        }
    }

    private void run(String source) throws IOException, InterruptedException {
        System.out.println("Starting ingest of " + source);
        graphql("mutation($id: ID!) { updateTask(input: {id: $id, status: running}) { id } }", "{\"id\":" + quote(taskId) + "}");
        // a TDO spans the ingested media's time: startDateTime and stopDateTime are required
        java.time.Instant now = java.time.Instant.now();
        String tdo = field(graphql("mutation($start: DateTime!, $stop: DateTime!) { createTDO(input: {name: \"java ingest\","
                + " startDateTime: $start, stopDateTime: $stop}) { id } }", "{\"start\":" + quote(now.toString()) + ",\"stop\":"
                + quote(now.plusSeconds(1).toString()) + "}"), "id");
        System.out.println("Created TDO " + tdo);
        graphql("mutation($c: ID!, $u: String) { createAsset(input: {containerId: $c, contentType: \"text/plain\", assetType: \"media\", uri: $u}) { id } }",
                "{\"c\":" + quote(tdo) + ",\"u\":" + quote(source) + "}");
        System.out.println("Added the source as an asset");
        graphql("mutation($id: ID!, $o: JSONData) { updateTask(input: {id: $id, status: complete, output: $o}) { id } }",
                "{\"id\":" + quote(taskId) + ",\"o\":{\"recordingId\":" + quote(tdo) + "}}");
        System.out.println("Processing complete");
    }

    /** POSTs one GraphQL request with the task's token; fails on an HTTP or GraphQL error. */
    private String graphql(String query, String variables) throws IOException, InterruptedException {
        String body = "{\"query\":" + quote(query) + ",\"variables\":" + variables + "}";
        HttpRequest request = HttpRequest.newBuilder(URI.create(api))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200 || response.body().contains("\"errors\"")) {
            throw new IOException("API answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    /** The string value of the first {@code "name":"…"} in a JSON text (enough for the payload's flat ids and URLs). */
    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\":\"([^\"]*)\"").matcher(json);
        if (!m.find()) throw new IllegalArgumentException("no '" + name + "' in " + json);
        return m.group(1);
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
