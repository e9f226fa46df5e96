package dev.drydock.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The sandbox API over real HTTP on loopback (no container needed). */
class SandboxApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final TaskPayloads.Ids ids = TaskPayloads.Ids.random();
    private SandboxApi api;

    @BeforeEach
    void start() throws Exception {
        api = new SandboxApi(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "the-token", ids,
                SampleMedia.forFormat("image/png"));
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private HttpResponse<String> post(String token, String contentType, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api.baseUrl() + SandboxApi.GRAPHQL_PATH))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) b.header("Authorization", "Bearer " + token);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode gql(String query, String variablesJson) throws Exception {
        String body = "{\"query\":" + JSON.writeValueAsString(query) + (variablesJson == null ? "" : ",\"variables\":" + variablesJson) + "}";
        HttpResponse<String> r = post("the-token", "application/json", body.getBytes(StandardCharsets.UTF_8));
        assertThat(r.statusCode()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    @Test
    void missingOrWrongTokenIs401AndRecorded() throws Exception {
        byte[] body = "{\"query\":\"{ task(id: \\\"x\\\") { id } }\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(post(null, "application/json", body).statusCode()).isEqualTo(401);
        assertThat(post("wrong", "application/json", body).statusCode()).isEqualTo(401);
        assertThat(api.calls()).hasSize(2).allSatisfy(c -> {
            assertThat(c.status()).isEqualTo(401);
            assertThat(c.authorized()).isFalse();
        });
        assertThat(api.task()).isEqualTo(TaskReport.NEVER_UPDATED);
    }

    @Test
    void updateTaskRecordsStatusOutputAndRedactsSecrets() throws Exception {
        JsonNode r = gql("mutation($id: ID!, $o: JSONData) { updateTask(input: {id: $id, status: running, output: $o}) { id status } }",
                "{\"id\":\"" + ids.taskId() + "\",\"o\":{\"progress\":1,\"apiToken\":\"s3cret\"}}");
        assertThat(r.path("data").path("updateTask").path("status").asText()).isEqualTo("running");
        gql("mutation { updateTask(input: {id: \"" + ids.taskId() + "\", status: failed, failureReason: \"bad source\"}) { id } }", null);
        assertThat(api.task().status()).isEqualTo("failed");
        assertThat(api.task().history()).containsExactly("running", "failed");
        assertThat(api.task().failureReason()).isEqualTo("bad source");
        ApiCall first = api.calls().getFirst();
        assertThat(first.operation()).isEqualTo("updateTask");
        assertThat(first.variables().toString()).contains("\"apiToken\":\"***\"").doesNotContain("s3cret");
    }

    @Test
    void unknownTaskIdIsAGraphqlError() throws Exception {
        JsonNode r = gql("mutation { updateTask(input: {id: \"nope\", status: complete}) { id } }", null);
        assertThat(r.path("errors").path(0).path("message").asText()).contains("unknown task id 'nope': use the payload's taskId");
        assertThat(api.calls().getFirst().error()).contains("unknown task id");
    }

    @Test
    void multipartCreateAssetStoresTheFileAndServesItSigned() throws Exception {
        String tdo = gql("mutation { createTDO(input: {name: \"t\"}) { id } }", null).path("data").path("createTDO").path("id").asText();
        String boundary = "----drydock" + System.nanoTime();
        byte[] file = "hello asset".getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        String query = "mutation { createAsset(input: {containerId: \"" + tdo + "\", contentType: \"text/plain\", assetType: \"media\"}) { id signedUri fileSize } }";
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"query\"\r\n\r\n" + query + "\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"filename\"\r\n\r\nhello.txt\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"hello.txt\"\r\nContent-Type: text/plain\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(file);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = post("the-token", "multipart/form-data; boundary=" + boundary, body.toByteArray());
        JsonNode asset = JSON.readTree(r.body()).path("data").path("createAsset");
        assertThat(asset.path("fileSize").asInt()).as(r.body()).isEqualTo(file.length);
        String signed = asset.path("signedUri").asText();
        HttpResponse<String> download = http.send(HttpRequest.newBuilder(URI.create(signed)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(download.body()).isEqualTo("hello asset");
        HttpResponse<String> forged = http.send(HttpRequest.newBuilder(URI.create(signed.replaceFirst("sig=.*", "sig=00"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(api.created()).extracting(CreatedObject::kind).containsExactly(CreatedObject.Kind.tdo, CreatedObject.Kind.asset);
        assertThat(api.created().getLast().bytes()).isEqualTo(file.length);
        assertThat(api.calls().get(1).variables().path("uploadedFileBytes").asInt()).isEqualTo(file.length);
    }

    @Test
    void recordingHasTheSampleAsItsPrimaryMediaAsset() throws Exception {
        JsonNode tdo = gql("query($id: ID!) { temporalDataObject(id: $id) { id assets { count records { id contentType signedUri } } primaryAsset(assetType: \"media\") { id } } }",
                "{\"id\":\"" + ids.recordingId() + "\"}").path("data").path("temporalDataObject");
        assertThat(tdo.path("assets").path("count").asInt()).isEqualTo(1);
        JsonNode asset = tdo.path("assets").path("records").path(0);
        assertThat(asset.path("contentType").asText()).isEqualTo("image/png");
        assertThat(tdo.path("primaryAsset").path("id").asText()).isEqualTo(api.sampleAssetId());
        HttpResponse<byte[]> png = http.send(HttpRequest.newBuilder(URI.create(asset.path("signedUri").asText())).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(png.body()).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
    }

    @Test
    void structuredDataAndEngineResultsAreRecorded() throws Exception {
        gql("mutation { createStructuredData(input: {schemaId: \"s1\", data: {label: \"cat\", score: 0.9}}) { id } }", null);
        gql("mutation($t: ID!) { uploadEngineResult(input: {taskId: $t, contentType: \"application/json\", outputString: \"{not json\"}) { id } }",
                "{\"t\":\"" + ids.taskId() + "\"}");
        assertThat(api.created()).extracting(CreatedObject::kind)
                .containsExactly(CreatedObject.Kind.structuredData, CreatedObject.Kind.engineResult);
        assertThat(api.created().getFirst().details().path("data").path("label").asText()).isEqualTo("cat");
        assertThat(api.created().getLast().details().path("valid").asBoolean()).isFalse();
    }
}
