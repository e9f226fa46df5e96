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
    void rejectsIpv6FormsThatEmbedAPrivateIpv4AddressAndOtherNonPublicIpv6() {
        for (String bad : new String[]{
                "http://[::7f00:1]:8999/", "http://[::127.0.0.1]/x",                       // IPv4-compatible ::/96
                "http://[::ffff:7f00:1]/x", "http://[::ffff:10.0.0.1]/x",                  // IPv4-mapped ::ffff:0:0/96
                "http://[::ffff:0:7f00:1]/x", "http://[::ffff:0:a9fe:a9fe]/x",             // IPv4-translated ::ffff:0:0:0/96
                "http://[64:ff9b::7f00:1]/x", "http://[64:ff9b::a9fe:a9fe]/x", "http://[64:ff9b::10.1.2.3]/x", // NAT64
                "http://[64:ff9b:1::808:808]/x",                                           // local-use NAT64 64:ff9b:1::/48
                "http://[2002:7f00:1::]/x", "http://[2002:c0a8:101::1]/x",                 // 6to4 2002::/16
                "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/x",                         // Teredo 2001::/32
                "http://[::]/x", "http://[::1]/x", "http://[fc00::1]/x", "http://[fd12:3456::1]/x", "http://[fe80::1]/x",
                "http://[febf::1]/x", "http://[fec0::1]/x", "http://[ff02::1]/x", "http://[ff0e::1]/x", "http://[2001:db8::1]/x",
                "http://[100::1]/x"}) {
            assertThatThrownBy(() -> strict.validate(bad)).as(bad).isInstanceOfSatisfying(ApiException.class,
                    e -> assertThat(e.detail()).containsEntry("field", "url"));
            assertThatThrownBy(() -> strict.checkBeforeDelivery(URI.create(bad))).as(bad)
                    .isInstanceOf(WebhookTargets.BlockedTarget.class);
            assertThat(open.validate(bad)).as(bad).isNotNull();
        }
        // The same forms around a public IPv4 address, and ordinary global IPv6, stay allowed.
        for (String good : new String[]{"http://[64:ff9b::808:808]/x", "http://[2002:808:808::1]/x", "http://[2606:4700::1111]/x",
                "http://[2001:4860:4860::8888]/x"}) {
            assertThat(strict.validate(good)).as(good).isNotNull();
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
