package dev.drydock.platform.webhooks;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The {@code Drydock-Signature} header: {@code sha256=} followed by the lowercase hex HMAC-SHA256 of the exact
 * request body bytes, keyed with the webhook secret's UTF-8 bytes. A receiver recomputes it over the raw body
 * (before parsing JSON) and compares in constant time; see {@link #verify}.
 */
public final class WebhookSignature {
    public static final String HEADER = "Drydock-Signature";
    private static final String PREFIX = "sha256=";

    private WebhookSignature() {}

    public static String sign(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return PREFIX + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** What a receiver does: true when {@code header} is the signature of {@code body} under {@code secret}. */
    public static boolean verify(String secret, byte[] body, String header) {
        if (header == null) return false;
        return MessageDigest.isEqual(sign(secret, body).getBytes(StandardCharsets.US_ASCII),
                header.strip().getBytes(StandardCharsets.US_ASCII));
    }
}
