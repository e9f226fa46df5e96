package dev.drydock.server.http;

import dev.drydock.oci.Digest;
import dev.drydock.registry.ByteRanges;
import dev.drydock.registry.ErrorCode;
import dev.drydock.registry.Names;
import dev.drydock.registry.Registry;
import dev.drydock.registry.RegistryException;
import dev.drydock.registry.RegistryIndex.UploadSession;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Blob uploads: {@code POST /v2/<name>/blobs/uploads/} (session, monolithic with {@code ?digest=}, or
 * cross-repository mount with {@code ?mount=&from=}), then {@code PATCH|PUT|GET|DELETE …/uploads/<id>}.
 */
final class UploadResource {
    private final Registry registry;

    UploadResource(Registry registry) {
        this.registry = registry;
    }

    /** {@code principal}: who pushes (the grant's actor), whose open sessions are capped. */
    void start(Context ctx, String name, String principal, Predicate<String> mayPull) {
        String mount = ctx.queryParam("mount");
        String from = ctx.queryParam("from");
        if (mount != null && from != null) {
            Digest digest = Names.digest(mount);
            String source;
            try {
                source = Names.repository(from);
            } catch (RegistryException e) {
                source = null;
            }
            // Mount only from a repository the caller may pull; otherwise fall back to a normal upload.
            if (source != null && mayPull.test(source)) {
                Optional<Registry.BlobInfo> mounted = registry.mount(name, source, digest);
                if (mounted.isPresent()) {
                    created(ctx, name, digest);
                    return;
                }
            }
        }
        String digestParam = ctx.queryParam("digest");
        if (digestParam != null) {
            Digest digest = Names.digest(digestParam);
            registry.uploadMonolithic(name, principal, digest, body(ctx));
            created(ctx, name, digest);
            return;
        }
        UploadSession session = registry.startUpload(name, principal);
        accepted(ctx, name, session.id(), 0);
    }

    void status(Context ctx, String name, String id) {
        long offset = registry.uploadOffset(name, id);
        accepted(ctx, name, id, offset);
        ctx.status(204);
    }

    void patch(Context ctx, String name, String id) {
        try {
            Long length = contentLength(ctx);
            Long rangeStart = rangeStart(ctx, length);
            long offset = registry.appendChunk(name, id, rangeStart, length, body(ctx));
            accepted(ctx, name, id, offset);
        } catch (RegistryException e) {
            throw withResumeHeaders(ctx, name, id, e);
        }
    }

    /** Start of the chunk's {@code Content-Range}, checked against its length; null when absent. */
    private static Long rangeStart(Context ctx, Long length) {
        return ByteRanges.chunkStart(ctx.header("Content-Range"), length);
    }

    private RegistryException withResumeHeaders(Context ctx, String name, String id, RegistryException e) {
        if (e.status() == 416) {
            // Tell the client where to resume from.
            ctx.header("Location", location(name, id));
            ctx.header("Range", range(registry.uploadOffset(name, id)));
            ctx.header("Docker-Upload-UUID", id);
        }
        return e;
    }

    void complete(Context ctx, String name, String id) {
        String digestParam = ctx.queryParam("digest");
        if (digestParam == null) {
            throw new RegistryException(ErrorCode.DIGEST_INVALID, "missing ?digest= on the final PUT of upload " + id);
        }
        Digest digest = Names.digest(digestParam);
        try {
            Long rangeStart = rangeStart(ctx, contentLength(ctx));
            registry.completeUpload(name, id, digest, rangeStart, body(ctx));
        } catch (RegistryException e) {
            throw withResumeHeaders(ctx, name, id, e);
        }
        created(ctx, name, digest);
    }

    void cancel(Context ctx, String name, String id) {
        registry.cancelUpload(name, id);
        ctx.status(204);
    }

    private static void created(Context ctx, String name, Digest digest) {
        ctx.status(201);
        ctx.header("Location", "/v2/" + name + "/blobs/" + digest);
        ctx.header("Docker-Content-Digest", digest.toString());
        ctx.res().setContentLength(0);
    }

    private static void accepted(Context ctx, String name, String id, long offset) {
        ctx.status(202);
        ctx.header("Location", location(name, id));
        ctx.header("Range", range(offset));
        ctx.header("Docker-Upload-UUID", id);
        ctx.res().setContentLength(0);
    }

    private static String location(String name, String id) {
        return "/v2/" + name + "/blobs/uploads/" + id;
    }

    /** The spec's inclusive range of bytes received: {@code 0-<offset-1>} ({@code 0-0} when empty). */
    private static String range(long offset) {
        return "0-" + Math.max(0, offset - 1);
    }

    private static Long contentLength(Context ctx) {
        long n = ctx.req().getContentLengthLong();
        return n >= 0 ? n : null;
    }

    private static InputStream body(Context ctx) {
        try {
            return ctx.req().getInputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
