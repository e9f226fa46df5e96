package dev.drydock.oci;

/**
 * A string that is not a digest Drydock accepts. The message says what a valid one looks like; the registry
 * answers it as the distribution spec's {@code DIGEST_INVALID}.
 */
public class InvalidDigestException extends RuntimeException {
    public InvalidDigestException(String message) {
        super(message);
    }
}
