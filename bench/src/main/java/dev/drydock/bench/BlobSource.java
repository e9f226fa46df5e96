package dev.drydock.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * Deterministic, incompressible blob content generated on the fly, never held whole in memory. Every 1 MiB chunk
 * is one shared block of random bytes whose first 16 bytes are replaced by (seed, chunk index), so blobs with
 * different seeds have different digests while producing them costs only slicing a shared buffer.
 */
final class BlobSource {
    static final int CHUNK = 1 << 20;
    private static final int HEADER = 16;
    private static final byte[] BASE = new byte[CHUNK];

    static {
        new SplittableRandom(0x5eedL).nextBytes(BASE);
    }

    final long seed;
    final long size;
    private final byte[] bytes;
    private volatile String digest;

    /** Generated content: {@code size} bytes derived from {@code seed}. */
    BlobSource(long seed, long size) {
        this.seed = seed;
        this.size = size;
        this.bytes = null;
    }

    /** Fixed small content (e.g. an image config). */
    BlobSource(byte[] bytes) {
        this.seed = 0;
        this.size = bytes.length;
        this.bytes = bytes;
    }

    /** The bytes at {@code offset}: at most {@code max} of them, never crossing a chunk or header boundary. */
    ByteBuffer piece(long offset, int max) {
        if (bytes != null) {
            return ByteBuffer.wrap(bytes, (int) offset, (int) Math.min(size - offset, max)).slice();
        }
        int inChunk = (int) (offset & (CHUNK - 1));
        long chunk = offset >>> 20;
        int n = (int) Math.min(size - offset, max);
        if (inChunk < HEADER) {
            n = Math.min(n, HEADER - inChunk);
            ByteBuffer header = ByteBuffer.allocate(HEADER).putLong(seed).putLong(chunk).flip();
            return header.position(inChunk).limit(inChunk + n).slice();
        }
        n = Math.min(n, CHUNK - inChunk);
        return ByteBuffer.wrap(BASE, inChunk, n).slice();
    }

    /** {@code sha256:<hex>} of the content (computed once, by streaming it). */
    String digest() {
        String d = digest;
        if (d == null) {
            MessageDigest md = sha256();
            for (long off = 0; off < size; ) {
                ByteBuffer b = piece(off, CHUNK);
                off += b.remaining();
                md.update(b);
            }
            digest = d = "sha256:" + HexFormat.of().formatHex(md.digest());
        }
        return d;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the content to {@code out} in pieces of at most {@code pieceSize} bytes (no copies on this side). */
    void writeTo(OutputStream out, int pieceSize) throws IOException {
        for (long off = 0; off < size; ) {
            ByteBuffer b = piece(off, pieceSize);
            off += b.remaining();
            out.write(b.array(), b.arrayOffset() + b.position(), b.remaining());
        }
    }
}
