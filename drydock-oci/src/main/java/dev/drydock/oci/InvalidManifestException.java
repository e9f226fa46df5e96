package dev.drydock.oci;

/**
 * Bytes that are not an image manifest or index Drydock accepts. The message says what is wrong and how to fix
 * it; the registry answers it as the distribution spec's {@code MANIFEST_INVALID}.
 */
public class InvalidManifestException extends RuntimeException {
    public InvalidManifestException(String message) {
        super(message);
    }
}
