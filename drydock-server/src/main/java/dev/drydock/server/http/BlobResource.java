package dev.drydock.server.http;

import dev.drydock.oci.Digest;
import dev.drydock.registry.ByteRanges;
import dev.drydock.registry.Registry;
import dev.drydock.registry.RegistryException;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import org.eclipse.jetty.ee10.servlet.HttpOutput;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;

/** {@code GET|HEAD /v2/<name>/blobs/<digest>}, streamed from the store, with single-range support. */
final class BlobResource {
    private static final int STREAM_BUFFER = 256 * 1024;
    /** Reused direct buffers for blob downloads (at most 16 kept: 4 MiB). */
    private static final ArrayBlockingQueue<ByteBuffer> BUFFERS = new ArrayBlockingQueue<>(16);

    private BlobResource() {}

    static void get(Context ctx, Registry registry, String name, Digest digest) {
        Registry.BlobInfo blob = registry.statBlob(name, digest);
        long size = blob.size();
        // A Range header that cannot be used is ignored (RFC 9110); one beyond the blob is 416 with the blob's size.
        Optional<ByteRanges.Span> span;
        try {
            span = ByteRanges.blobRange(ctx.header("Range"), size);
        } catch (RegistryException e) {
            ctx.header("Content-Range", "bytes */" + size);
            throw e;
        }
        boolean partial = span.isPresent();
        long start = span.map(ByteRanges.Span::start).orElse(0L);
        long end = span.map(ByteRanges.Span::end).orElse(size - 1);
        long length = end - start + 1;
        ctx.header("Docker-Content-Digest", digest.toString());
        if (!partial && length > 0 && ctx.method().equals(HandlerType.GET)) {
            // storage.s3.redirect: the client downloads from the bucket; HEAD and ranges are still answered here.
            java.util.Optional<java.net.URI> direct = registry.blobRedirect(blob);
            if (direct.isPresent()) {
                ctx.header("Location", direct.get().toString());
                ctx.header("Cache-Control", "no-store"); // the URL expires; the digest's bytes do not
                ctx.status(307);
                return;
            }
        }
        ctx.header("Accept-Ranges", "bytes");
        ctx.header("ETag", "\"" + digest + "\"");
        ctx.header("Cache-Control", "max-age=31536000");
        ctx.contentType("application/octet-stream");
        if (partial) ctx.header("Content-Range", "bytes " + start + "-" + end + "/" + size);
        ctx.status(partial ? 206 : 200);
        ctx.res().setContentLengthLong(Math.max(length, 0));
        if (ctx.method().equals(HandlerType.HEAD) || length <= 0) return;
        stream(ctx, registry.openBlob(blob, start, length));
    }

    /**
     * Copies the blob to the response. When the store hands out a channel and the response is Jetty's, the bytes go
     * file -> pooled direct buffer -> socket (two kernel copies, 256 KiB per write); otherwise through
     * {@link InputStream#transferTo}, which adds two heap copies and writes 16 KiB at a time.
     */
    private static void stream(Context ctx, InputStream in) {
        OutputStream out;
        try {
            out = ctx.res().getOutputStream();
        } catch (IOException e) {
            closeQuietly(in);
            throw new UncheckedIOException(e);
        }
        if (!(in instanceof ReadableByteChannel channel) || !(out instanceof HttpOutput jetty)) {
            RegistryRoutes.stream(ctx, in);
            return;
        }
        ByteBuffer buffer = BUFFERS.poll();
        if (buffer == null) buffer = ByteBuffer.allocateDirect(STREAM_BUFFER);
        try (in) {
            buffer.clear();
            while (channel.read(buffer) >= 0) {
                if (buffer.hasRemaining() && buffer.position() < STREAM_BUFFER / 2) continue; // fill before writing
                buffer.flip();
                jetty.write(buffer);
                buffer.clear();
            }
            buffer.flip();
            if (buffer.hasRemaining()) jetty.write(buffer);
            jetty.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            buffer.clear();
            BUFFERS.offer(buffer);
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
