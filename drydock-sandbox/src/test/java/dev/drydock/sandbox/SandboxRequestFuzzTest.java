package dev.drydock.sandbox;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import graphql.language.Document;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of what an engine sends the sandbox API (docs/fuzzing.md): GraphQL request bodies, JSON or
 * multipart, and the query documents in them. A request that cannot be read must be an {@link IOException} or
 * {@link IllegalArgumentException} (answered 400 naming the problem), never another exception (answered 500).
 */
class SandboxRequestFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The input's first line is the Content-Type, the rest the body. */
    @FuzzTest
    void graphqlRequest(byte[] input) {
        int newline = indexOf(input, (byte) '\n');
        String contentType = newline < 0 ? null : new String(input, 0, newline, StandardCharsets.UTF_8);
        byte[] body = newline < 0 ? input : java.util.Arrays.copyOfRange(input, newline + 1, input.length);
        SandboxApi.GraphqlRequest request;
        try {
            request = SandboxApi.readRequest(body, contentType);
        } catch (IOException | IllegalArgumentException e) {
            assertThat(e.getMessage()).isNotNull();
            return;
        }
        assertThat(request.variables()).isNotNull();
        if (request.upload() != null) assertThat(request.upload().bytes().length).isLessThanOrEqualTo(body.length);
        if (request.query() != null) document(request.query(), request.operationName());
        // What is recorded of the variables has every secret-looking value replaced.
        String redacted = SandboxApi.redact(JSON.valueToTree(request.variables())).toString();
        assertThat(redacted).doesNotContain("\"token\":\"x");
    }

    /** Any query text: a document and its root fields, or null for a syntax error. */
    @FuzzTest
    void query(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        int newline = text.indexOf('\n');
        document(newline < 0 ? text : text.substring(newline + 1), newline < 0 ? null : text.substring(0, newline));
    }

    /** Multipart alone: parts whose bytes lie inside the body, or {@link IllegalArgumentException}. */
    @FuzzTest
    void multipart(byte[] input) {
        int newline = indexOf(input, (byte) '\n');
        if (newline < 0) return;
        String boundary = Multipart.boundary("multipart/form-data; " + new String(input, 0, newline, StandardCharsets.UTF_8));
        if (boundary == null) return;
        byte[] body = java.util.Arrays.copyOfRange(input, newline + 1, input.length);
        try {
            for (Multipart.Part part : Multipart.parse(body, boundary)) {
                assertThat(part.body().length).isLessThanOrEqualTo(body.length);
            }
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    private static void document(String query, String operationName) {
        Document document = SandboxApi.document(query);
        if (document == null) return;
        List<String> fields = SandboxApi.rootFields(document, operationName);
        assertThat(fields).doesNotHaveDuplicates().doesNotContainNull();
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) if (bytes[i] == b) return i;
        return -1;
    }
}
