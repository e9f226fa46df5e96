package dev.drydock.registry;

import dev.drydock.oci.Digest;
import dev.drydock.registry.storage.BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Deletes blobs (layers, configs, manifests' bytes) that no repository links, while the registry keeps serving.
 *
 * <h2>Why it is safe with concurrent pushes</h2>
 * A digest is deleted only if all of these hold, checked in this order:
 * <ol>
 *   <li>it was not linked when the sweep began ({@link RegistryIndex#linkedDigests()} snapshot);</li>
 *   <li>its bytes were published more than {@code grace} ago ({@link BlobStore#beginRemoval} judges the file it
 *       actually moved aside, and publishing renews the time), so a blob uploaded by a push in progress, whose
 *       link or manifest is not written yet, is left alone;</li>
 *   <li>after it was moved aside, no repository links it ({@link RegistryIndex#isLinked}): a link made during the
 *       sweep, by a push, a mount or a manifest whose bytes were already stored, makes the collector put the blob
 *       back.</li>
 * </ol>
 * Moving the blob aside <em>before</em> the last check is what closes the remaining race. The registry's
 * writers link first and then make sure the bytes are there ({@link Registry#putManifest} stores a manifest's
 * bytes again if they vanished, {@link Registry#mount} fails over to an upload), while the collector takes the
 * bytes away first and then checks for a link. With one database serializing links, one of the two always sees
 * the other: either the collector sees the link and restores, or the writer sees the bytes gone and writes them
 * again. A blob upload always writes fresh bytes, which are younger than the grace period. A collector that dies
 * between moving a blob aside and deciding leaves it in the store's {@code gc/} area, and the store puts it back
 * on its next start or collection (put back, never deleted there: the sweep then judges it like any other blob,
 * so one linked again meanwhile stays). The grace period also absorbs clock skew between nodes sharing the storage.
 *
 * <h2>Orphaned uploads</h2>
 * A collection also deletes upload areas no session in the index owns that nothing wrote to for
 * {@code uploadExpiry} (a crash between deleting a session and its bytes, or a session lost with a database
 * restore). A session's row is written before its area and its id is never reused, so an area the index does not
 * know and that is idle that long can belong to no push; areas of known sessions are left to the upload expiry.
 *
 * <h2>What it does not do: blob links</h2>
 * Deleting a manifest (a tag's image, or a deleted build's, which {@code BuildService} releases) removes the
 * manifest's own link, so the collector frees the manifest's bytes; the links of its layers and config in that
 * repository stay until {@code DELETE /v2/<name>/blobs/<digest>}. Dropping links that no manifest of the
 * repository references any more was considered and left out: links carry no time, so a link made by a push
 * whose manifest has not arrived yet cannot be told from an orphan, and a client that saw a blob exist (HEAD)
 * then pushes a manifest relying on it; pruning safely needs link timestamps, manifest-to-blob references in the
 * index and a manifest PUT that re-validates its blobs in the same transaction. Layers are usually shared by the
 * builds of one adapter anyway.
 */
public final class GarbageCollector {
    private static final Logger log = LoggerFactory.getLogger(GarbageCollector.class);

    /**
     * What a collection found and did. {@code unreferenced}: blobs no repository linked when the sweep began;
     * {@code tooRecent}: of those, kept because published within the grace period; {@code relinked}: kept because
     * something linked them during the sweep; {@code deleted}/{@code bytesFreed}: removed (in a dry run: would be).
     */
    public record Result(boolean dryRun, int blobs, int unreferenced, int tooRecent, int relinked, int deleted,
                         long bytesFreed, int errors, int recovered, int orphanedUploads) {}

    private final BlobStore store;
    private final RegistryIndex index;
    private final InstantSource clock;
    private final Duration uploadExpiry;

    /** {@code uploadExpiry}: how long an upload area the index does not know must be idle before it is deleted. */
    public GarbageCollector(BlobStore store, RegistryIndex index, InstantSource clock, Duration uploadExpiry) {
        this.store = store;
        this.index = index;
        this.clock = clock;
        this.uploadExpiry = uploadExpiry;
    }

    /** Collects once; {@code dryRun} only counts what would be deleted. */
    public Result collect(Duration grace, boolean dryRun) {
        if (grace.isNegative()) throw new IllegalArgumentException("grace must not be negative");
        try {
            Instant cutoff = clock.instant().minus(grace);
            // parked longer ago than the grace: a collection that died, not one deciding right now on another node
            int recovered = dryRun ? 0 : store.recoverRemovals(cutoff);
            Set<Digest> live = index.linkedDigests();
            List<Digest> candidates = new ArrayList<>();
            int[] blobs = {0};
            store.forEach(d -> {
                blobs[0]++;
                if (!live.contains(d)) candidates.add(d);
            });
            int tooRecent = 0, relinked = 0, deleted = 0, errors = 0;
            long bytes = 0;
            List<String> idleUploads = new ArrayList<>();
            store.forEachIdleUpload(clock.instant().minus(uploadExpiry), idleUploads::add);
            int orphanedUploads = 0;
            for (String id : idleUploads) {
                if (index.upload(id).isPresent()) continue; // a session's: the upload expiry purges it
                try {
                    if (!dryRun) store.deleteUpload(id);
                    orphanedUploads++;
                } catch (IOException | RuntimeException e) {
                    errors++;
                    log.warn("garbage collection: could not delete orphaned upload {}: {}", id, e.toString());
                }
            }
            for (Digest d : candidates) {
                try {
                    if (dryRun) {
                        Optional<Instant> published = store.publishedAt(d);
                        if (published.isEmpty()) continue;
                        if (!published.get().isBefore(cutoff)) {
                            tooRecent++;
                        } else if (index.isLinked(d)) {
                            relinked++;
                        } else {
                            deleted++;
                            bytes += store.size(d).orElse(0L);
                        }
                        continue;
                    }
                    Optional<BlobStore.Removal> removal = store.beginRemoval(d, cutoff);
                    if (removal.isEmpty()) {
                        if (store.publishedAt(d).isPresent()) tooRecent++;
                        continue;
                    }
                    if (index.isLinked(d)) {
                        removal.get().restore();
                        relinked++;
                    } else {
                        removal.get().commit();
                        deleted++;
                        bytes += removal.get().size();
                    }
                } catch (IOException | RuntimeException e) {
                    errors++;
                    log.warn("garbage collection: could not process blob {}: {}", d, e.toString());
                }
            }
            Result result = new Result(dryRun, blobs[0], candidates.size(), tooRecent, relinked, deleted, bytes, errors,
                    recovered, orphanedUploads);
            log.info("garbage collection{}: {} blobs, {} unreferenced, {} kept (newer than {}), {} kept (linked meanwhile), "
                            + "{} {} ({} bytes), {} orphaned upload areas{}", dryRun ? " (dry run)" : "", result.blobs(),
                    result.unreferenced(), result.tooRecent(), grace, result.relinked(), dryRun ? "would delete" : "deleted",
                    result.deleted(), result.bytesFreed(), orphanedUploads, errors > 0 ? ", " + errors + " errors" : "");
            return result;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("garbage collection failed: " + e.getMessage(), e);
        }
    }
}
