package dev.drydock.platform.builds;

import dev.drydock.oci.Digest;

import java.time.Instant;

/** One pushed image of an adapter, tested and moved through the lifecycle. */
public record Build(String id, String engineId, long orgId, String repository, String tag, Digest digest,
                    String mediaType, long uploadTime, String user, BuildState state, int version,
                    Instant created, Instant updated) {

    /** The image reference as pushed, e.g. {@code host/17532/my-adapter:1.0}, without the host. */
    public String imagePath() {
        return repository + (tag != null ? ":" + tag : "@" + digest);
    }
}
