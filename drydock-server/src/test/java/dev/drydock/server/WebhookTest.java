package dev.drydock.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.server.http.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class WebhookTest {
    private static final long ORG = 4242;
    private static final long OTHER_ORG = 5353;
    private static final String ADMIN = "admin@hooks.test";
    private static final String DEV = "dev@hooks.test";
    private static final String REPO = ORG + "/echo";
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closing.reversed()) c.close();
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        closing.add(c);
        return c;
    }

    /**
     * A server that turns pushes into builds, lets webhooks reach loopback, and retries fast. The timeouts stay generous
     * (a test about them sets its own): with 1 s, a loaded machine timed a delivery out and logged status 0 for a 500.
     */
    private TestDrydock drydock(Map<String, String> overrides) {
        Map<String, String> settings = new HashMap<>(Map.of(
                "registry.require-adapter", "true",
                "webhooks.allow-private-network", "true",
                "webhooks.connect-timeout", "10s",
                "webhooks.request-timeout", "30s",
                "webhooks.retry-base", "100ms",
                "webhooks.retry-cap", "400ms",
                "webhooks.max-attempts", "5"));
        settings.putAll(overrides);
        TestDrydock d = closeLater(TestDrydock.start(settings));
        d.createOrg(ORG);
        d.addMember(ORG, ADMIN, "admin");
        d.addMember(ORG, DEV, "developer");
        return d;
    }

    private static String admin() {
        return TestDrydock.basic(ADMIN, TestDrydock.PASSWORD);
    }

    private static JsonNode createWebhook(TestDrydock d, String url, String secret) {
        Map<String, Object> body = new HashMap<>();
        body.put("url", url);
        if (secret != null) body.put("secret", secret);
        return d.api("POST", "/api/v1/orgs/" + ORG + "/webhooks", admin(), body, 201);
    }

    /** Registers the adapter and pushes an image to it: a build that goes pending → fetching → available. */
    private static void pushBuild(TestDrydock d, String tag) {
        if (d.api("GET", "/api/v1/orgs/" + ORG + "/adapters", admin(), null, 200).isEmpty()) {
            d.api("POST", "/api/v1/orgs/" + ORG + "/adapters", TestDrydock.basic(DEV, TestDrydock.PASSWORD),
                    Map.of("name", "echo", "category", "pull", "deploymentModel", "FullyNetworkIsolated",
                            "engineMode", "batch"), 201);
        }
        String token = TestImages.pushToken(d, DEV, TestDrydock.PASSWORD, REPO);
        TestImages.push(d, REPO, token, TestImages.adapter("layer of " + tag), tag);
    }

    private static JsonNode deliveries(TestDrydock d, String webhookId) {
        return d.api("GET", "/api/v1/orgs/" + ORG + "/webhooks/" + webhookId + "/deliveries", admin(), null, 200);
    }

    private static JsonNode json(Receiver.Request r) {
        try {
            return Json.MAPPER.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The receiver's side of the signature, as the README tells receivers to compute it. */
    private static String expectedSignature(String secret, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    }

    private static String eventId(Receiver.Request r) {
        return json(r).get("id").asText();
    }

    // ---------------------------------------------------------------- delivery

    @Test
    void buildChangesArriveAsSignedCloudEventsAndAreLogged() throws Exception {
        TestDrydock d = drydock(Map.of());
        Receiver receiver = closeLater(Receiver.answering(204));
        Receiver second = closeLater(Receiver.answering(200));
        String secret = "a-receiver-chosen-secret-0123456789";
        JsonNode created = createWebhook(d, receiver.url(), secret);
        assertThat(created.get("secret").asText()).isEqualTo(secret);
        assertThat(created.get("url").asText()).isEqualTo(receiver.url());
        JsonNode generated = createWebhook(d, second.url(), null);
        String generatedSecret = generated.get("secret").asText();
        assertThat(generatedSecret).startsWith("whsec_").hasSizeGreaterThanOrEqualTo(40);

        JsonNode listed = d.api("GET", "/api/v1/orgs/" + ORG + "/webhooks", admin(), null, 200);
        assertThat(listed).hasSize(2);
        assertThat(listed.toString()).doesNotContain(secret).doesNotContain(generatedSecret).doesNotContain("secret");

        pushBuild(d, "1.0");
        await().atMost(PATIENCE).until(() -> receiver.requests.size() >= 3 && second.requests.size() >= 3);

        List<Receiver.Request> got = receiver.requests;
        assertThat(got).hasSize(3);
        String buildId = json(got.getFirst()).get("subject").asText();
        List<String> ids = new ArrayList<>();
        for (Receiver.Request r : got) {
            assertThat(r.method()).isEqualTo("POST");
            assertThat(r.path()).isEqualTo("/hook");
            assertThat(r.header("Content-Type")).startsWith("application/cloudevents+json");
            assertThat(r.header("Drydock-Signature")).isEqualTo(expectedSignature(secret, r.body()));
            JsonNode e = json(r);
            assertThat(e.get("specversion").asText()).isEqualTo("1.0");
            assertThat(UUID.fromString(e.get("id").asText())).isNotNull();
            assertThat(e.get("source").asText()).isEqualTo("/drydock/orgs/" + ORG);
            assertThat(e.get("type").asText()).isEqualTo("dev.drydock.build.state.changed");
            assertThat(e.get("subject").asText()).isEqualTo(buildId);
            assertThat(Instant.parse(e.get("time").asText())).isBefore(Instant.now().plusSeconds(1));
            assertThat(e.get("datacontenttype").asText()).isEqualTo("application/json");
            JsonNode data = e.get("data");
            assertThat(data.get("buildId").asText()).isEqualTo(buildId);
            assertThat(data.get("orgId").asLong()).isEqualTo(ORG);
            assertThat(data.get("engineId").asText()).isNotBlank();
            assertThat(data.get("at").asText()).isEqualTo(e.get("time").asText());
            ids.add(e.get("id").asText());
        }
        assertThat(Set.copyOf(ids)).hasSize(3);
        // One webhook's events go out one at a time, in the order they happened.
        assertThat(got.stream().map(r -> json(r).get("data").get("to").asText()))
                .containsExactly("pending", "fetching", "available");
        assertThat(got.stream().map(r -> json(r).get("data").get("from")))
                .extracting(JsonNode::isNull).containsExactly(true, false, false);
        assertThat(got.stream().map(r -> json(r).get("data").get("action").asText())).containsExactly("push", "fetch", "tested");
        assertThat(json(got.getFirst()).get("data").get("actor").asText()).isEqualTo(DEV);

        // The same events, with the same ids, signed with the generated secret for the second webhook.
        for (Receiver.Request r : second.requests) {
            assertThat(r.header("Drydock-Signature")).isEqualTo(expectedSignature(generatedSecret, r.body()));
        }
        assertThat(second.requests.stream().map(WebhookTest::eventId)).containsExactlyInAnyOrderElementsOf(ids);

        String hookId = created.get("id").asText();
        await().atMost(PATIENCE).until(() -> deliveries(d, hookId).size() == 3);
        JsonNode log = deliveries(d, hookId);
        for (JsonNode entry : log) {
            assertThat(entry.get("statusCode").asInt()).isEqualTo(204);
            assertThat(entry.get("success").asBoolean()).isTrue();
            assertThat(entry.get("attempt").asInt()).isEqualTo(1);
            assertThat(entry.get("error").isNull()).isTrue();
            assertThat(entry.get("durationMs").asLong()).isNotNegative();
            assertThat(Instant.parse(entry.get("at").asText())).isNotNull();
        }
        assertThat(log.findValuesAsText("eventId")).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(d.server().webhooks().pending()).isZero();

        // Creation is audited, without the secret.
        List<String> audit = d.server().database().jdbi().withHandle(h -> h.createQuery(
                        "select action || ' ' || target || ' ' || coalesce(detail, '') from audit_log where action like 'webhook.%' order by id")
                .mapTo(String.class).list());
        assertThat(audit).hasSize(2).allMatch(a -> a.startsWith("webhook.create " + ORG + "/"));
        assertThat(String.join("\n", audit)).doesNotContain(secret).doesNotContain(generatedSecret);
    }

    @Test
    void aFailedDeliveryIsRetriedAndEveryAttemptLogged() {
        TestDrydock d = drydock(Map.of());
        Set<String> failedOnce = ConcurrentHashMap.newKeySet();
        Receiver receiver = closeLater(new Receiver(r -> failedOnce.add(eventId(r)) ? 500 : 200));
        String hookId = createWebhook(d, receiver.url(), null).get("id").asText();

        pushBuild(d, "1.0");
        await().atMost(PATIENCE).until(() -> deliveries(d, hookId).size() == 6 && d.server().webhooks().pending() == 0);

        JsonNode log = deliveries(d, hookId);
        Map<String, List<JsonNode>> byEvent = new HashMap<>();
        log.forEach(e -> byEvent.computeIfAbsent(e.get("eventId").asText(), k -> new ArrayList<>()).add(e));
        assertThat(byEvent).hasSize(3);
        byEvent.forEach((event, attempts) -> {
            attempts.sort((a, b) -> Integer.compare(a.get("attempt").asInt(), b.get("attempt").asInt()));
            assertThat(attempts).hasSize(2);
            assertThat(attempts.get(0).get("attempt").asInt()).isEqualTo(1);
            assertThat(attempts.get(0).get("statusCode").asInt()).isEqualTo(500);
            assertThat(attempts.get(0).get("success").asBoolean()).isFalse();
            assertThat(attempts.get(1).get("attempt").asInt()).isEqualTo(2);
            assertThat(attempts.get(1).get("statusCode").asInt()).isEqualTo(200);
            assertThat(attempts.get(1).get("success").asBoolean()).isTrue();
            assertThat(Instant.parse(attempts.get(1).get("at").asText()))
                    .isAfterOrEqualTo(Instant.parse(attempts.get(0).get("at").asText()));
        });
        // The receiver saw each event twice, with the same CloudEvents id both times.
        assertThat(receiver.requests).hasSize(6);
        assertThat(receiver.requests.stream().map(WebhookTest::eventId).distinct()).hasSize(3);
    }

    @Test
    void aHangingReceiverTimesOutWithoutHoldingUpBuildsOrOtherWebhooks() {
        TestDrydock d = drydock(Map.of("webhooks.request-timeout", "6s"));
        AtomicInteger calls = new AtomicInteger();
        Receiver hanging = closeLater(new Receiver(null));
        hanging.behave(r -> calls.incrementAndGet() == 1 ? hanging.hang() : 200); // the first request never gets an answer
        Receiver healthy = closeLater(Receiver.answering(200));
        String hangingId = createWebhook(d, hanging.url(), null).get("id").asText();
        String healthyId = createWebhook(d, healthy.url(), null).get("id").asText();

        long start = System.nanoTime();
        pushBuild(d, "1.0");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the push does not wait for receivers").isLessThan(Duration.ofSeconds(5));

        // The other webhook gets every event at once, while the hanging receiver holds its first one for 6 s.
        await().atMost(PATIENCE).until(() -> healthy.requests.size() == 3);
        await().atMost(PATIENCE).until(() -> deliveries(d, healthyId).size() == 3);
        Map<String, Instant> happened = new HashMap<>();
        healthy.requests.forEach(r -> happened.put(eventId(r), Instant.parse(json(r).get("time").asText())));
        for (JsonNode delivery : deliveries(d, healthyId)) {
            assertThat(delivery.get("statusCode").asInt()).isEqualTo(200);
            assertThat(Duration.between(happened.get(delivery.get("eventId").asText()), Instant.parse(delivery.get("at").asText())))
                    .as("delivered without waiting for the hanging receiver").isLessThan(Duration.ofSeconds(3));
        }

        // The build went on regardless.
        JsonNode adapter = d.api("GET", "/api/v1/orgs/" + ORG + "/adapters", admin(), null, 200).get(0);
        await().atMost(PATIENCE).until(() -> d.api("GET", "/api/v1/adapters/" + adapter.get("engineId").asText() + "/builds",
                admin(), null, 200).get(0).get("state").asText().equals("available"));

        // The timeout is recorded, and that webhook's later deliveries (and the retry) still happen.
        await().atMost(PATIENCE).until(() -> deliveries(d, hangingId).size() == 4 && d.server().webhooks().pending() == 0);
        JsonNode log = deliveries(d, hangingId);
        JsonNode timedOut = log.get(log.size() - 1); // newest first: the oldest is the timeout
        assertThat(timedOut.get("attempt").asInt()).isEqualTo(1);
        assertThat(timedOut.get("statusCode").isNull()).isTrue();
        assertThat(timedOut.get("success").asBoolean()).isFalse();
        assertThat(timedOut.get("error").asText()).contains("timed out");
        assertThat(timedOut.get("durationMs").asLong()).isBetween(5_500L, 15_000L);
        assertThat(log.findValuesAsText("eventId")).containsAll(healthy.requests.stream().map(WebhookTest::eventId).toList());
        assertThat(hanging.requests.stream().map(WebhookTest::eventId).distinct()).hasSize(3);
    }

    @Test
    void pendingDeliveriesSurviveARestart() {
        TestDrydock d = drydock(Map.of("webhooks.max-attempts", "100"));
        AtomicBoolean up = new AtomicBoolean(false);
        Receiver receiver = closeLater(new Receiver(r -> up.get() ? 200 : 503));
        String hookId = createWebhook(d, receiver.url(), null).get("id").asText();

        pushBuild(d, "1.0");
        await().atMost(PATIENCE).until(() -> receiver.requests.stream().map(WebhookTest::eventId).distinct().count() == 3);
        Set<String> events = Set.copyOf(receiver.requests.stream().map(WebhookTest::eventId).toList());
        assertThat(d.server().webhooks().pending()).isEqualTo(3);

        d.restart();
        up.set(true); // every success below was delivered by the restarted server

        await().atMost(PATIENCE).until(() -> d.server().webhooks().pending() == 0);
        JsonNode log = deliveries(d, hookId);
        List<String> delivered = new ArrayList<>();
        log.forEach(e -> {
            if (e.get("success").asBoolean()) delivered.add(e.get("eventId").asText());
        });
        assertThat(delivered).containsExactlyInAnyOrderElementsOf(events);
        assertThat(log).anyMatch(e -> e.get("statusCode").asInt() == 503);
    }

    // ---------------------------------------------------------------- management rules

    @Test
    void onlyOrgAdminsManageWebhooksAndUrlsAreValidated() {
        // Default settings: webhooks may not target the private network.
        TestDrydock d = closeLater(TestDrydock.start());
        d.createOrg(ORG);
        d.createOrg(OTHER_ORG);
        d.addMember(ORG, ADMIN, "admin");
        d.addMember(ORG, DEV, "developer");
        d.addMember(OTHER_ORG, "other@hooks.test", "admin");
        String robot = d.createRobot(ORG, "ci");
        String path = "/api/v1/orgs/" + ORG + "/webhooks";
        Map<String, Object> good = Map.of("url", "https://hooks.example.com/drydock?token=abc");

        String dev = TestDrydock.basic(DEV, TestDrydock.PASSWORD);
        assertThat(d.api("POST", path, dev, good, 403).get("error").get("code").asText()).isEqualTo("FORBIDDEN");
        d.api("GET", path, dev, null, 403);
        d.api("POST", path, TestDrydock.basic(ORG + "+ci", robot), good, 403);
        d.api("POST", path, null, good, 401);
        String other = TestDrydock.basic("other@hooks.test", TestDrydock.PASSWORD);
        assertThat(d.api("POST", path, other, good, 404).get("error").get("code").asText()).isEqualTo("ORG_NOT_FOUND");
        d.api("GET", path, other, null, 404);

        for (Object badUrl : new Object[]{"ftp://hooks.example.com/x", "not a url", "hooks.example.com/x", "", "http:///x",
                "https://user:pw@hooks.example.com/", "http://127.0.0.1:8080/x", "http://localhost/x", "http://[::1]/x",
                "http://169.254.169.254/latest/meta-data", "http://10.1.2.3/x", "https://hooks.example.com/#frag", 17,
                // IPv6 forms that embed a loopback IPv4 address (issue 16)
                "http://[::7f00:1]:8999/", "http://[::127.0.0.1]/x", "http://[64:ff9b::7f00:1]/x", "http://[2002:7f00:1::]/x",
                "http://[::ffff:0:7f00:1]/x"}) {
            JsonNode error = d.api("POST", path, admin(), Map.of("url", badUrl), 400).get("error");
            assertThat(error.get("code").asText()).as(String.valueOf(badUrl)).isEqualTo("VALIDATION_FAILED");
            assertThat(error.get("detail").get("field").asText()).as(String.valueOf(badUrl)).isEqualTo("url");
        }
        assertThat(d.api("POST", path, admin(), Map.of(), 400).get("error").get("detail").get("field").asText()).isEqualTo("url");
        JsonNode badSecret = d.api("POST", path, admin(), Map.of("url", "https://hooks.example.com/x", "secret", "short"), 400);
        assertThat(badSecret.get("error").get("detail").get("field").asText()).isEqualTo("secret");

        JsonNode created = d.api("POST", path, admin(), good, 201);
        String id = created.get("id").asText();
        assertThat(d.api("GET", path, TestDrydock.basic(TestDrydock.ADMIN_EMAIL, TestDrydock.ADMIN_PASSWORD), null, 200))
                .as("platform admins manage every org").hasSize(1);
        // Another org's admin cannot reach it through their own org either.
        d.api("GET", "/api/v1/orgs/" + OTHER_ORG + "/webhooks/" + id + "/deliveries", other, null, 404);
        assertThat(d.api("DELETE", "/api/v1/orgs/" + OTHER_ORG + "/webhooks/" + id, other, null, 404)
                .get("error").get("code").asText()).isEqualTo("WEBHOOK_NOT_FOUND");
        d.api("GET", path + "/" + id + "/deliveries", dev, null, 403);
        assertThat(d.api("GET", path + "/" + id + "/deliveries", admin(), null, 200)).isEmpty();
        d.api("GET", path + "/" + id + "/deliveries?limit=0", admin(), null, 400);
        assertThat(d.api("GET", path + "/" + id + "/deliveries?limit=99999999999999999999", admin(), null, 400)
                .at("/error/detail/field").asText()).isEqualTo("limit");

        d.api("DELETE", path + "/" + id, dev, null, 403);
        d.api("DELETE", path + "/" + id, admin(), null, 204);
        d.api("DELETE", path + "/" + id, admin(), null, 404);
        d.api("GET", path + "/" + id + "/deliveries", admin(), null, 404);
        assertThat(d.api("GET", path, admin(), null, 200)).isEmpty();

        List<String> audit = d.server().database().jdbi().withHandle(h -> h.createQuery(
                        "select action || ' ' || coalesce(detail, '') from audit_log where action like 'webhook.%' order by id")
                .mapTo(String.class).list());
        assertThat(audit).containsExactly("webhook.create https://hooks.example.com/drydock", "webhook.delete https://hooks.example.com/drydock");
    }
}
