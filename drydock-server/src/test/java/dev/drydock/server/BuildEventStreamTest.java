package dev.drydock.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Server-Sent Events of build state changes, read line by line as a client would. */
class BuildEventStreamTest {
    static TestDrydock d;
    static BuildFixture f;
    static String admin;

    @BeforeAll
    static void start() {
        // A short heartbeat, so a departed client is noticed quickly.
        d = BuildFixture.start(Map.of("sse.heartbeat", "100ms"));
        f = new BuildFixture(d);
        admin = f.admin();
    }

    @AfterAll
    static void stop() {
        if (d != null) d.close();
    }

    /**
     * Streams an earlier test closed on the client side are dropped by the server only at their next heartbeat: start
     * each test once they are gone, so the counts it reads are its own (CI failed once reading a listener about to go).
     */
    @BeforeEach
    void earlierStreamsAreGone() {
        awaitNoOpenStreams(d);
    }

    /** The server holds no stream and so no listener of one (a stream unsubscribes before it stops counting). */
    static void awaitNoOpenStreams(TestDrydock d) {
        await().atMost(Duration.ofSeconds(10)).until(() -> d.server().eventStreams().openStreams() == 0);
    }

    @Test
    void buildStreamSendsTheCurrentStateThenEveryChangeInOrder() throws Exception {
        BuildFixture.Owner owner = f.orgWithRobot(2001);
        String engineId = f.registerAdapter(owner, "stream-adapter");
        String id = f.pushTested(owner, engineId, "stream-adapter", "1.0", "amd64", "available");
        int listenersBefore = d.server().buildEvents().listenerCount();

        try (EventStream events = EventStream.open(d, "/api/v1/builds/" + id + "/events", owner.auth())) {
            assertThat(events.response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
            JsonNode initial = events.next();
            assertThat(initial.get("buildId").asText()).isEqualTo(id);
            assertThat(initial.get("engineId").asText()).isEqualTo(engineId);
            assertThat(initial.get("to").asText()).isEqualTo("available");
            assertThat(initial.get("from").isNull()).isTrue();
            assertThat(initial.get("action").isNull()).isTrue();
            assertThat(d.server().buildEvents().listenerCount()).isEqualTo(listenersBefore + 1);

            act(id, owner.auth(), "submit");
            act(id, admin, "approve");
            act(id, owner.auth(), "deploy");

            JsonNode submit = events.next();
            assertThat(submit.get("from").asText()).isEqualTo("available");
            assertThat(submit.get("to").asText()).isEqualTo("submitted");
            assertThat(submit.get("action").asText()).isEqualTo("submit");
            assertThat(submit.get("actor").asText()).isEqualTo("2001+ci");
            assertThat(submit.get("at").asText()).isNotBlank();
            JsonNode approve = events.next();
            assertThat(List.of(approve.get("from").asText(), approve.get("to").asText(), approve.get("action").asText(),
                    approve.get("actor").asText())).containsExactly("submitted", "approved", "approve", TestDrydock.ADMIN_EMAIL);
            JsonNode deploy = events.next();
            assertThat(List.of(deploy.get("from").asText(), deploy.get("to").asText(), deploy.get("action").asText()))
                    .containsExactly("approved", "deployed", "deploy");
            await("idle streams get keep-alive comments").atMost(Duration.ofSeconds(10)).until(() -> !events.comments.isEmpty());
        }
        // The client went away: the stream notices at its next heartbeat and removes its listener.
        await().atMost(Duration.ofSeconds(10)).until(() -> d.server().buildEvents().listenerCount() == listenersBefore
                && d.server().eventStreams().openStreams() == 0);
    }

    @Test
    void adapterStreamSeesEveryBuildOfTheAdapterOnly() throws Exception {
        BuildFixture.Owner owner = f.orgWithRobot(2002);
        String engineId = f.registerAdapter(owner, "fleet-adapter");
        String otherEngine = f.registerAdapter(owner, "other-adapter");
        String first = f.pushTested(owner, engineId, "fleet-adapter", "1.0", "amd64", "available");

        try (EventStream events = EventStream.open(d, "/api/v1/adapters/" + engineId + "/events", owner.auth())) {
            JsonNode initial = events.next();
            assertThat(initial.get("buildId").asText()).isEqualTo(first);
            assertThat(initial.get("to").asText()).isEqualTo("available");

            f.pushTested(owner, otherEngine, "other-adapter", "1.0", "amd64", "available"); // not this adapter's
            String digest = f.push(owner, "fleet-adapter", "2.0", "arm64");
            String second = f.buildId(engineId, digest, owner.auth());

            // The new build from its push to the end of its test, in order.
            JsonNode pushed = events.next();
            assertThat(pushed.get("buildId").asText()).isEqualTo(second);
            assertThat(pushed.get("from").isNull()).isTrue();
            assertThat(pushed.get("to").asText()).isEqualTo("pending");
            assertThat(pushed.get("action").asText()).isEqualTo("push");
            List<String> states = new ArrayList<>();
            JsonNode e;
            do {
                e = events.next();
                assertThat(e.get("buildId").asText()).isEqualTo(second);
                states.add(e.get("from").asText() + "->" + e.get("to").asText());
            } while (!e.get("to").asText().equals("invalid"));
            assertThat(states).containsExactly("pending->fetching", "fetching->invalid");

            act(first, owner.auth(), "delete");
            JsonNode deleted = events.next();
            assertThat(List.of(deleted.get("buildId").asText(), deleted.get("to").asText())).containsExactly(first, "deleted");
        }
    }

    @Test
    void streamsNeedCredentialsAndVisibility() {
        BuildFixture.Owner owner = f.orgWithRobot(2003);
        String engineId = f.registerAdapter(owner, "private-adapter");
        String id = f.pushTested(owner, engineId, "private-adapter", "1.0", "amd64", "available");
        BuildFixture.Owner stranger = f.orgWithRobot(2004);

        assertThat(d.api("GET", "/api/v1/builds/" + id + "/events", null, null, 401).at("/error/code").asText())
                .isEqualTo("UNAUTHENTICATED");
        assertThat(d.api("GET", "/api/v1/adapters/" + engineId + "/events", null, null, 401).at("/error/code").asText())
                .isEqualTo("UNAUTHENTICATED");
        assertThat(d.api("GET", "/api/v1/builds/" + id + "/events", stranger.auth(), null, 404).at("/error/code").asText())
                .isEqualTo("BUILD_NOT_FOUND");
        assertThat(d.api("GET", "/api/v1/adapters/" + engineId + "/events", stranger.auth(), null, 404).at("/error/code").asText())
                .isEqualTo("ADAPTER_NOT_FOUND");
        assertThat(d.api("GET", "/api/v1/builds/not-a-build/events", owner.auth(), null, 404).at("/error/code").asText())
                .isEqualTo("BUILD_NOT_FOUND");
    }

    @Test
    void stoppingTheServerEndsOpenStreams() throws Exception {
        TestDrydock own = BuildFixture.start(Map.of()); // default heartbeat (15s): the stop must not wait for it
        boolean stopped = false;
        try {
            BuildFixture fixture = new BuildFixture(own);
            BuildFixture.Owner owner = fixture.orgWithRobot(2005);
            String engineId = fixture.registerAdapter(owner, "stop-adapter");
            try (EventStream events = EventStream.open(own, "/api/v1/adapters/" + engineId + "/events", owner.auth())) {
                assertThat(own.server().eventStreams().openStreams()).isEqualTo(1);
                long started = System.nanoTime();
                own.close();
                stopped = true;
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
                assertThat(events.awaitEnd(Duration.ofSeconds(10))).as("stream ended").isTrue();
                await().atMost(Duration.ofSeconds(10)).until(() -> own.server().buildEvents().listenerCount() == 0
                        && own.server().eventStreams().openStreams() == 0);
            }
        } finally {
            if (!stopped) own.close();
        }
    }

    private static void act(String buildId, String auth, String action) {
        d.api("POST", "/api/v1/builds/" + buildId + "/actions", auth, Map.of("action", action), 200);
    }

    /** A streaming SSE client: a reader thread parses events into a queue; close() disconnects. */
    static final class EventStream implements AutoCloseable {
        private static final Object END = new Object();
        final HttpResponse<Stream<String>> response;
        final List<String> comments = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        private final HttpClient client;
        private final Thread reader;

        private EventStream(HttpClient client, HttpResponse<Stream<String>> response) {
            this.client = client;
            this.response = response;
            this.reader = Thread.ofVirtual().start(this::read);
        }

        static EventStream open(TestDrydock d, String path, String auth) throws Exception {
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<Stream<String>> r = client.send(HttpRequest.newBuilder(URI.create(d.url() + path))
                    .header("Authorization", auth).header("Accept", "text/event-stream").GET().build(),
                    HttpResponse.BodyHandlers.ofLines());
            if (r.statusCode() != 200) {
                r.body().close();
                throw new AssertionError("GET " + path + ": " + r.statusCode());
            }
            return new EventStream(client, r);
        }

        private void read() {
            String event = null;
            StringBuilder data = new StringBuilder();
            try {
                Iterator<String> lines = response.body().iterator();
                while (lines.hasNext()) {
                    String line = lines.next();
                    if (line.isEmpty()) {
                        if ("state".equals(event)) events.add(BuildFixture.parse(data.toString()));
                        event = null;
                        data.setLength(0);
                    } else if (line.startsWith(":")) {
                        comments.add(line);
                    } else if (line.startsWith("event: ")) {
                        event = line.substring(7);
                    } else if (line.startsWith("data: ")) {
                        data.append(line.substring(6));
                    }
                }
            } catch (RuntimeException e) {
                // closed by us, or the connection dropped
            } finally {
                events.add(END);
            }
        }

        /** The next {@code state} event; fails after 20 s or at the end of the stream. */
        JsonNode next() throws InterruptedException {
            Object e = events.poll(20, TimeUnit.SECONDS);
            if (e == null) throw new AssertionError("no event within 20 s");
            if (e == END) throw new AssertionError("the stream ended");
            return (JsonNode) e;
        }

        boolean awaitEnd(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                Object e = events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (e == END) return true;
            }
            return false;
        }

        @Override
        public void close() throws InterruptedException {
            response.body().close();
            client.shutdownNow();
            reader.join(Duration.ofSeconds(10));
        }
    }
}
