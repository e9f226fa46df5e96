package dev.drydock.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.server.BuildEventStreamTest.EventStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Live event streams answer to the credentials that opened them for as long as they stay open (issue 16 #2), and
 * one principal cannot hold more than {@code sse.max-streams-per-principal} of them (issue 16 #9).
 */
class EventStreamAccessTest {
    static final String ADMIN = TestDrydock.basic(TestDrydock.ADMIN_EMAIL, TestDrydock.ADMIN_PASSWORD);
    static TestDrydock d;
    static BuildFixture f;

    @BeforeAll
    static void start() {
        // Short-lived tokens, so a stream can outlive its token within the test.
        d = BuildFixture.start(Map.of("sse.heartbeat", "500ms", "token-ttl", "3s"));
        f = new BuildFixture(d);
    }

    @AfterAll
    static void stop() {
        if (d != null) d.close();
    }

    @BeforeEach
    void earlierStreamsAreGone() {
        BuildEventStreamTest.awaitNoOpenStreams(d);
    }

    @Test
    void aStreamEndsWhenItsRobotIsRevoked() throws Exception {
        BuildFixture.Owner owner = f.orgWithRobot(2101);
        String engineId = f.registerAdapter(owner, "revoke-adapter");
        String id = f.pushTested(owner, engineId, "revoke-adapter", "1.0", "amd64", "available");
        String other = TestDrydock.basic(owner.org() + "+ci2", d.createRobot(owner.org(), "ci2"));

        try (EventStream events = EventStream.open(d, "/api/v1/adapters/" + engineId + "/events", owner.auth())) {
            assertThat(events.next().get("buildId").asText()).isEqualTo(id);
            d.api("DELETE", "/api/v1/orgs/" + owner.org() + "/robots/ci", ADMIN, null, 204);
            d.api("POST", "/api/v1/builds/" + id + "/actions", other, Map.of("action", "submit"), 200);
            assertThat(events.awaitEnd(Duration.ofSeconds(10))).as("the revoked robot's stream ended").isTrue();
        }
        BuildEventStreamTest.awaitNoOpenStreams(d); // the server side lets go too
    }

    @Test
    void aStreamEndsWhenItsTokenExpires() throws Exception {
        BuildFixture.Owner owner = f.orgWithRobot(2102);
        String engineId = f.registerAdapter(owner, "expiry-adapter");
        d.addMember(owner.org(), "dev@expiry.test", "developer");
        String bearer = f.login("dev@expiry.test", TestDrydock.PASSWORD); // valid for 3 s

        long opened = System.nanoTime();
        try (EventStream events = EventStream.open(d, "/api/v1/adapters/" + engineId + "/events", bearer)) {
            assertThat(events.awaitEnd(Duration.ofSeconds(15))).as("the stream ended with its token").isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - opened)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        }
        d.api("GET", "/api/v1/adapters/" + engineId + "/events", bearer, null, 401);
    }

    @Test
    void onePrincipalHoldsAtMostTheConfiguredNumberOfStreams() throws Exception {
        BuildFixture.Owner owner = f.orgWithRobot(2103);
        String engineId = f.registerAdapter(owner, "busy-adapter");
        String path = "/api/v1/adapters/" + engineId + "/events";
        String other = TestDrydock.basic(owner.org() + "+ci2", d.createRobot(owner.org(), "ci2"));
        List<EventStream> open = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) open.add(EventStream.open(d, path, owner.auth())); // the default cap
            HttpResponse<InputStream> refused = d.http.send(HttpRequest.newBuilder(URI.create(d.url() + path))
                    .header("Authorization", owner.auth()).header("Accept", "text/event-stream").GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            String body;
            try (InputStream in = refused.body()) {
                // a stream that was let in would never end: read its body only when it was refused
                body = refused.statusCode() == 200 ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            assertThat(refused.statusCode()).as("the 21st stream of one principal").isEqualTo(429);
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
            JsonNode error = BuildFixture.parse(body).get("error");
            assertThat(error.get("code").asText()).isEqualTo("TOO_MANY_STREAMS");
            assertThat(error.get("message").asText()).contains("sse.max-streams-per-principal");

            // Another principal is not affected; a closed stream frees its place.
            EventStream.open(d, path, other).close();
            open.removeFirst().close();
            await().atMost(Duration.ofSeconds(10)).until(() -> d.server().eventStreams().openStreams() <= 19);
            open.add(EventStream.open(d, path, owner.auth()));
        } finally {
            for (EventStream s : open) s.close();
        }
    }
}
