package dev.drydock.oci;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A parsed, validated content digest such as {@code sha256:6c3c…}. Only sha256 and sha512 are accepted; anything
 * else is an {@link InvalidDigestException} whose message says what a valid digest looks like.
 */
public record Digest(String algorithm, String hex) {
    private static final Pattern SHA256 = Pattern.compile("[a-f0-9]{64}");
    private static final Pattern SHA512 = Pattern.compile("[a-f0-9]{128}");

    public Digest {
        boolean ok = switch (algorithm) {
            case "sha256" -> SHA256.matcher(hex).matches();
            case "sha512" -> SHA512.matcher(hex).matches();
            default -> false;
        };
        if (!ok) {
            throw new InvalidDigestException(
                    "invalid digest '" + algorithm + ":" + hex + "': use sha256:<64 lowercase hex> or sha512:<128 lowercase hex>");
        }
    }

    public static Digest parse(String value) {
        if (value == null || value.isEmpty()) {
            throw new InvalidDigestException("missing digest: pass ?digest=sha256:<hex>");
        }
        int colon = value.indexOf(':');
        if (colon < 0) {
            throw new InvalidDigestException(
                    "invalid digest '" + value + "': expected <algorithm>:<hex>, e.g. sha256:<64 hex>");
        }
        return new Digest(value.substring(0, colon), value.substring(colon + 1));
    }

    /** True when the string looks like a digest reference rather than a tag. */
    public static boolean looksLikeDigest(String reference) {
        return reference.contains(":");
    }

    public static Digest sha256(byte[] content) {
        return new Digest("sha256", HexFormat.of().formatHex(newMessageDigest("sha256").digest(content)));
    }

    public static Digest of(String algorithm, MessageDigest finished) {
        return new Digest(algorithm, HexFormat.of().formatHex(finished.digest()));
    }

    public static MessageDigest newMessageDigest(String algorithm) {
        try {
            return MessageDigest.getInstance(switch (algorithm) {
                case "sha256" -> "SHA-256";
                case "sha512" -> "SHA-512";
                default -> throw new IllegalArgumentException(algorithm);
            });
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return algorithm + ":" + hex;
    }
}
