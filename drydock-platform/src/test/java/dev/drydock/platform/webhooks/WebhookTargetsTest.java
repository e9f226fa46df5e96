package dev.drydock.platform.webhooks;

import dev.drydock.platform.ApiException;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WebhookTargetsTest {
    private final WebhookTargets strict = new WebhookTargets(false);
    private final WebhookTargets open = new WebhookTargets(true);

    @Test
    void acceptsPublicHttpAndHttpsUrls() {
        assertThat(strict.validate("https://hooks.example.com/drydock?x=1").toString()).isEqualTo("https://hooks.example.com/drydock?x=1");
        assertThat(strict.validate("HTTP://hooks.example.com:8080/").getPort()).isEqualTo(8080);
        assertThat(strict.validate("http://93.184.216.34/hook").getHost()).isEqualTo("93.184.216.34");
        assertThat(open.validate("http://127.0.0.1:9/hook").getHost()).isEqualTo("127.0.0.1");
    }

    @Test
    void rejectsWhatIsNotAUsableUrlNamingTheField() {
        for (String bad : new String[]{null, "", " ", "ftp://h.example.com/", "file:///etc/passwd", "h.example.com/x", "http:///x",
                "https://u:p@h.example.com/", "https://h.example.com/#f", "http://exa mple.com/", "https://" + "a".repeat(2000) + ".com"}) {
            assertThatThrownBy(() -> open.validate(bad)).as(String.valueOf(bad)).isInstanceOfSatisfying(ApiException.class,
                    e -> assertThat(e.detail()).containsEntry("field", "url"));
        }
    }

    @Test
    void rejectsPrivateTargetsUnlessAllowed() {
        for (String bad : new String[]{"http://localhost/x", "http://api.localhost/x", "http://127.0.0.1/x", "http://10.0.0.1/x",
                "http://172.16.5.4/x", "http://192.168.1.1/x", "http://169.254.169.254/latest", "http://[::1]/x",
                "http://[fd00::1]/x", "http://[fe80::1]/x", "http://0.0.0.0/x", "http://100.64.0.1/x", "http://[::ffff:127.0.0.1]/x"}) {
            assertThatThrownBy(() -> strict.validate(bad)).as(bad).isInstanceOf(ApiException.class);
            assertThat(open.validate(bad)).as(bad).isNotNull();
        }
    }

    @Test
    void checksResolvedAddressesBeforeDelivering() throws Exception {
        assertThatThrownBy(() -> strict.checkBeforeDelivery(URI.create("http://localhost:1/x")))
                .isInstanceOf(WebhookTargets.BlockedTarget.class).hasMessageContaining("allow-private-network");
        open.checkBeforeDelivery(URI.create("http://localhost:1/x"));
        assertThat(WebhookTargets.isPrivate(InetAddress.getByName("8.8.8.8"))).isFalse();
        assertThat(WebhookTargets.isPrivate(InetAddress.getByName("2001:4860:4860::8888"))).isFalse();
    }

    @Test
    void backoffDoublesFromTheBaseUpToTheCapWithJitter() {
        WebhookDispatcher d = new WebhookDispatcher(null, java.time.InstantSource.system(), open, new WebhookDispatcher.Settings(
                Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofMinutes(5), 10, 1,
                Duration.ofDays(1), Duration.ofSeconds(1)));
        try {
            for (int i = 0; i < 50; i++) {
                assertThat(d.backoff(1)).isBetween(Duration.ofSeconds(5), Duration.ofSeconds(10));
                assertThat(d.backoff(3)).isBetween(Duration.ofSeconds(20), Duration.ofSeconds(40));
                assertThat(d.backoff(10)).isBetween(Duration.ofSeconds(150), Duration.ofMinutes(5));
                assertThat(d.backoff(1000)).isBetween(Duration.ofSeconds(150), Duration.ofMinutes(5));
            }
        } finally {
            d.close();
        }
    }

    @Test
    void signatureIsHmacSha256OfTheBodyAndVerifiesInConstantTime() {
        byte[] body = "{\"a\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        // Reference value: printf '{"a":1}' | openssl dgst -sha256 -hmac 'secret-0123456789'
        String signature = WebhookSignature.sign("secret-0123456789", body);
        assertThat(signature).isEqualTo("sha256=9a873f77aee75db6dc7b4b9e228cc7abe5a2d15f755fe81c4a457d40ef415650");
        assertThat(WebhookSignature.verify("secret-0123456789", body, signature)).isTrue();
        assertThat(WebhookSignature.verify("secret-0123456780", body, signature)).isFalse();
        assertThat(WebhookSignature.verify("secret-0123456789", "{\"a\":2}".getBytes(), signature)).isFalse();
        assertThat(WebhookSignature.verify("secret-0123456789", body, null)).isFalse();
    }
}
