package dev.drydock.registry.storage;

import dev.drydock.registry.Digest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
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
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Blob store on a local (or shared POSIX) filesystem. Uploads are appended to a private file; publishing
 * fsyncs it (when {@code fsync} is on) and renames it into the content-addressed tree, so a crash at any
 * point leaves either no blob or the whole blob.
 */
public final class FilesystemBlobStore implements BlobStore {
    private static final int CHUNK = 1 << 20;
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
    public Optional<Long> size(Digest digest) throws IOException {
        try {
            return Optional.of(Files.size(paths.blob(digest)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public InputStream open(Digest digest, long offset, long length) throws IOException {
        FileChannel channel = FileChannel.open(paths.blob(digest), StandardOpenOption.READ);
        try {
            channel.position(offset);
            return new BoundedInputStream(Channels.newInputStream(channel), length);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
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
                throw new IOException("upload " + uploadId + " is at offset " + size + ", not " + expectedOffset);
            }
            out.position(size);
            ReadableByteChannel in = Channels.newChannel(data);
            ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
            while (in.read(buffer) >= 0) {
                if (buffer.position() < CHUNK / 2) {
                    continue; // fill the buffer before writing: fewer, larger writes
                }
                size += drain(buffer, out, written);
            }
            size += drain(buffer, out, written);
            return size;
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException("upload " + uploadId);
        }
    }

    private static long drain(ByteBuffer buffer, FileChannel out, Consumer<ByteBuffer> written) throws IOException {
        buffer.flip();
        int n = buffer.remaining();
        written.accept(buffer.duplicate());
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
        buffer.clear();
        return n;
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
            Files.createDirectories(target.getParent());
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
        throw new IOException("upload " + uploadId + " is busy: another request is writing to it");
    }

    @Override
    public void deleteUpload(String uploadId) throws IOException {
        Files.deleteIfExists(paths.upload(uploadId));
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

    @Override
    public int recoverRemovals() throws IOException {
        if (!Files.isDirectory(paths.removalsRoot())) return 0;
        int restored = 0;
        try (DirectoryStream<Path> parked = Files.newDirectoryStream(paths.removalsRoot())) {
            for (Path p : parked) {
                Digest digest = StoragePaths.removedDigest(p);
                if (digest == null) continue;
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
}
