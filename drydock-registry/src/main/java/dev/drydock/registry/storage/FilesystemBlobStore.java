package dev.drydock.registry.storage;

import dev.drydock.oci.Digest;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.function.Consumer;

/**
 * Blob store on a local (or shared POSIX) filesystem. Uploads are appended to a private file; publishing
 * fsyncs it (when {@code fsync} is on) and renames it into the content-addressed tree, so a crash at any
 * point leaves either no blob or the whole blob.
 */
public final class FilesystemBlobStore implements BlobStore {
    private static final int CHUNK = 1 << 20;
    /** Background flush interval while an upload streams in (see {@link BackgroundFlush}). */
    private static final long FLUSH_EVERY = 32L << 20;
    /** Reused 1 MiB write buffers (a few; more concurrent uploads allocate their own). */
    private static final ArrayBlockingQueue<byte[]> BUFFERS = new ArrayBlockingQueue<>(8);
    private final StoragePaths paths;
    private final boolean fsync;

    public FilesystemBlobStore(Path root, boolean fsync) throws IOException {
        this.paths = new StoragePaths(root);
        this.fsync = fsync;
        Files.createDirectories(paths.blobsRoot());
        Files.createDirectories(paths.uploadsRoot());
        recoverRemovals(); // a garbage collection that died mid-delete: put its blob back
    }

    @Override
    public void checkReachable() throws IOException {
        for (Path dir : List.of(paths.blobsRoot(), paths.uploadsRoot())) {
            if (!Files.isDirectory(dir) || !Files.isWritable(dir)) throw new IOException(dir + " is missing or not writable");
        }
    }

    @Override
    public Optional<Long> size(Digest digest) throws IOException {
        try {
            return Optional.of(Files.size(paths.blob(digest)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public InputStream open(Digest digest, long offset, long length) throws IOException {
        return new RangeStream(FileChannel.open(paths.blob(digest), StandardOpenOption.READ), offset, length);
    }

    @Override
    public void createUpload(String uploadId) throws IOException {
        Files.newByteChannel(paths.upload(uploadId), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
    }

    @Override
    public Optional<Long> uploadSize(String uploadId) throws IOException {
        try {
            return Optional.of(Files.size(paths.upload(uploadId)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public long append(String uploadId, long expectedOffset, InputStream data, Consumer<ByteBuffer> written)
            throws IOException {
        Path upload = paths.upload(uploadId);
        try (FileChannel out = FileChannel.open(upload, StandardOpenOption.WRITE)) {
            lock(out, uploadId);
            if (!Files.exists(upload)) throw new NoSuchFileException(upload.toString()); // published meanwhile
            long size = out.size();
            if (size != expectedOffset) {
                throw new UploadConflict("upload " + uploadId + " is at offset " + size + ", not " + expectedOffset);
            }
            out.position(size);
            BackgroundFlush flush = fsync ? new BackgroundFlush(out, size) : null;
            byte[] buffer = takeBuffer();
            try {
                int filled = 0;
                int n;
                // Read straight into the array (no 8 KiB adapter copies) and write in 1 MiB pieces.
                while ((n = data.read(buffer, filled, CHUNK - filled)) >= 0) {
                    filled += n;
                    if (filled < CHUNK) continue;
                    size += drain(buffer, filled, out, written);
                    filled = 0;
                    if (flush != null) flush.maybeStart(size);
                }
                size += drain(buffer, filled, out, written);
                return size;
            } finally {
                releaseBuffer(buffer);
                if (flush != null) flush.await();
            }
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException("upload " + uploadId);
        }
    }

    private static long drain(byte[] buffer, int length, FileChannel out, Consumer<ByteBuffer> written) throws IOException {
        if (length == 0) return 0;
        ByteBuffer b = ByteBuffer.wrap(buffer, 0, length);
        written.accept(b.duplicate());
        while (b.hasRemaining()) {
            out.write(b);
        }
        return length;
    }

    private static byte[] takeBuffer() {
        byte[] b = BUFFERS.poll();
        return b != null ? b : new byte[CHUNK];
    }

    private static void releaseBuffer(byte[] b) {
        BUFFERS.offer(b);
    }

    /**
     * Starts writing an upload's bytes to disk while it is still streaming in: every {@link #FLUSH_EVERY} bytes a
     * virtual thread runs {@code fdatasync} on the upload (one at a time). Without this the kernel keeps the whole
     * upload dirty in the page cache (background writeback starts only at 10% of RAM) and {@link #publish}'s
     * fsync has to write all of it after the last byte arrived; with it, publish only syncs the tail. Durability
     * is unchanged: publish still forces the file before the rename, and reports any error itself.
     */
    private static final class BackgroundFlush {
        private final FileChannel channel;
        private long startedAt;
        private Thread running;

        BackgroundFlush(FileChannel channel, long size) {
            this.channel = channel;
            this.startedAt = size;
        }

        void maybeStart(long size) {
            if (size - startedAt < FLUSH_EVERY || (running != null && running.isAlive())) return;
            startedAt = size;
            running = Thread.ofVirtual().name("drydock-flush").start(() -> {
                try {
                    channel.force(false);
                } catch (IOException e) {
                    // publish forces again and reports the error
                }
            });
        }

        /** Waits for the flush in progress (the channel is closed next). */
        void await() throws InterruptedIOException {
            if (running == null) return;
            try {
                running.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while flushing an upload");
            }
        }
    }

    @Override
    public InputStream openUpload(String uploadId) throws IOException {
        return Files.newInputStream(paths.upload(uploadId));
    }

    @Override
    public void publish(String uploadId, Digest digest) throws IOException {
        Path source = paths.upload(uploadId);
        try (FileChannel channel = FileChannel.open(source, StandardOpenOption.WRITE)) {
            lock(channel, uploadId); // held across the rename: no append can still be writing to these bytes
            if (fsync) {
                channel.force(false);
            }
            // The blob's age for garbage collection counts from now, not from its upload's last write.
            Files.setLastModifiedTime(source, FileTime.fromMillis(System.currentTimeMillis()));
            Path target = paths.blob(digest);
            // createDirectories throws and catches two exceptions when the directory exists (the common case)
            if (!Files.isDirectory(target.getParent())) Files.createDirectories(target.getParent());
            // Same content under the same name: replacing an existing copy is harmless and keeps this race-free.
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        if (fsync) {
            // Make the rename itself durable: without this a crash could lose the directory entry while the
            // database already links the blob.
            try (FileChannel dir = FileChannel.open(paths.blob(digest).getParent(), StandardOpenOption.READ)) {
                dir.force(true);
            }
        }
    }

    /**
     * Locks an upload for one append or publish (released when the channel closes). An overlapping append or
     * publish fails instead of interleaving writes: always within this process, and across processes sharing
     * the filesystem as far as its advisory (POSIX) locks hold.
     */
    private static void lock(FileChannel channel, String uploadId) throws IOException {
        try {
            if (channel.tryLock() != null) return;
        } catch (java.nio.channels.OverlappingFileLockException e) {
            // held by another thread of this process
        }
        throw new UploadConflict("upload " + uploadId + " is busy: another request is writing to it");
    }

    @Override
    public void deleteUpload(String uploadId) throws IOException {
        Files.deleteIfExists(paths.upload(uploadId));
    }

    @Override
    public void forEachIdleUpload(Instant idleBefore, Consumer<String> visitor) throws IOException {
        try (DirectoryStream<Path> uploads = Files.newDirectoryStream(paths.uploadsRoot())) {
            for (Path p : uploads) {
                String id = p.getFileName().toString();
                if (!StoragePaths.isUploadId(id)) continue;
                try {
                    if (Files.getLastModifiedTime(p).toInstant().isBefore(idleBefore)) visitor.accept(id);
                } catch (NoSuchFileException e) {
                    // published or deleted meanwhile
                }
            }
        }
    }

    @Override
    public boolean delete(Digest digest) throws IOException {
        return Files.deleteIfExists(paths.blob(digest));
    }

    @Override
    public Optional<Instant> publishedAt(Digest digest) throws IOException {
        try {
            return Optional.of(Files.getLastModifiedTime(paths.blob(digest)).toInstant());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<Removal> beginRemoval(Digest digest, Instant publishedBefore) throws IOException {
        Path blob = paths.blob(digest);
        Optional<Instant> published = publishedAt(digest);
        if (published.isEmpty() || !published.get().isBefore(publishedBefore)) return Optional.empty();
        Files.createDirectories(paths.removalsRoot());
        Path parked = paths.removal(digest);
        try {
            Files.move(blob, parked, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        // Judge the bytes actually moved: the same digest may have been published again since the check above.
        BasicFileAttributes attributes = Files.readAttributes(parked, BasicFileAttributes.class);
        Removal removal = new ParkedBlob(blob, parked, attributes.size());
        if (!attributes.lastModifiedTime().toInstant().isBefore(publishedBefore)) {
            removal.restore();
            return Optional.empty();
        }
        return Optional.of(removal);
    }

    /**
     * A parked file keeps its blob's time (a rename), which is older than any collection's cutoff, so a collection
     * puts back every parked blob here, as at start-up.
     */
    @Override
    public int recoverRemovals(Instant takenOutBefore) throws IOException {
        if (!Files.isDirectory(paths.removalsRoot())) return 0;
        int restored = 0;
        try (DirectoryStream<Path> parked = Files.newDirectoryStream(paths.removalsRoot())) {
            for (Path p : parked) {
                Digest digest = StoragePaths.removedDigest(p);
                if (digest == null) continue;
                if (!Files.getLastModifiedTime(p).toInstant().isBefore(takenOutBefore)) continue;
                new ParkedBlob(paths.blob(digest), p, 0).restore();
                restored++;
            }
        }
        return restored;
    }

    /** A blob moved aside into {@code gc/} by garbage collection. */
    private record ParkedBlob(Path blob, Path parked, long size) implements Removal {
        @Override
        public void commit() throws IOException {
            Files.deleteIfExists(parked);
        }

        @Override
        public void restore() throws IOException {
            Files.createDirectories(blob.getParent());
            if (Files.exists(blob)) { // published again meanwhile: those are the same bytes
                Files.deleteIfExists(parked);
                return;
            }
            try {
                Files.move(parked, blob, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException e) {
                Files.deleteIfExists(parked);
            }
        }
    }

    @Override
    public void forEach(Consumer<Digest> visitor) throws IOException {
        try (DirectoryStream<Path> algorithms = Files.newDirectoryStream(paths.blobsRoot())) {
            for (Path algorithm : algorithms) {
                try (DirectoryStream<Path> prefixes = Files.newDirectoryStream(algorithm)) {
                    for (Path prefix : prefixes) {
                        try (DirectoryStream<Path> blobs = Files.newDirectoryStream(prefix)) {
                            for (Path blob : blobs) {
                                visitor.accept(new Digest(algorithm.getFileName().toString(), blob.getFileName().toString()));
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * A byte range of a published blob, read with positional reads. It is also a {@link ReadableByteChannel}, so an
     * HTTP layer can stream it through direct buffers instead of byte arrays.
     */
    static final class RangeStream extends InputStream implements ReadableByteChannel {
        private final FileChannel channel;
        private final long end;
        private long position;

        RangeStream(FileChannel channel, long offset, long length) {
            this.channel = channel;
            this.position = offset;
            this.end = offset + Math.max(0, length);
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            long remaining = end - position;
            if (remaining <= 0) return -1;
            int n;
            if (dst.remaining() > remaining) {
                ByteBuffer part = dst.slice(dst.position(), (int) remaining);
                n = channel.read(part, position);
                if (n > 0) dst.position(dst.position() + n);
            } else {
                n = channel.read(dst, position);
            }
            if (n > 0) position += n;
            return n;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) return 0;
            return read(ByteBuffer.wrap(b, off, len));
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n <= 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public long skip(long n) {
            long skipped = Math.max(0, Math.min(n, end - position));
            position += skipped;
            return skipped;
        }

        @Override
        public int available() {
            return (int) Math.min(Integer.MAX_VALUE, Math.max(0, end - position));
        }

        @Override
        public boolean isOpen() {
            return channel.isOpen();
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
