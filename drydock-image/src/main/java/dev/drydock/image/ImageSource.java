package dev.drydock.image;

import dev.drydock.oci.Digest;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/** Read-only access to the pushed image's content (Drydock's own blob store; no network pull). */
public interface ImageSource {

    /** A manifest's bytes and media type, when the repository has it. */
    Optional<Manifest> manifest(Digest digest);

    /** Size of a blob of the repository, when present. */
    Optional<Long> blobSize(Digest digest);

    /** A blob of the repository, streamed. */
    InputStream blob(Digest digest) throws IOException;

    record Manifest(String mediaType, byte[] content) {}
}
