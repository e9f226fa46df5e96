package dev.drydock.image;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarFile;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The files of a local image, by their path in the layout ({@code index.json}, {@code blobs/sha256/…}): either a
 * directory or a tarball read in place. A tarball is indexed once (names and data offsets) and each file is then
 * streamed from its offset, so nothing is ever extracted to disk.
 */
abstract sealed class ArchiveFiles {

    abstract Optional<Long> size(String path);

    abstract InputStream open(String path) throws IOException;

    /** What to call this in a message. */
    abstract String describe();

    byte[] read(String path, long max) throws IOException {
        long size = size(path).orElseThrow(() -> new NoSuchFileException(path));
        if (size > max) throw new IOException(path + " is " + size + " bytes, more than the " + ImagePaths.bytes(max) + " expected");
        try (InputStream in = open(path)) {
            return in.readNBytes((int) size);
        }
    }

    static final class Directory extends ArchiveFiles {
        private final Path root;

        Directory(Path root) {
            this.root = root;
        }

        /** Paths come from digests and fixed names; normalizing still keeps a crafted one inside the layout. */
        private Optional<Path> file(String path) {
            String normalized = ImagePaths.normalize(path);
            if (normalized == null || normalized.isEmpty()) return Optional.empty();
            Path file = root.resolve(normalized);
            return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
        }

        @Override
        Optional<Long> size(String path) {
            return file(path).map(file -> {
                try {
                    return Files.size(file);
                } catch (IOException e) {
                    return null;
                }
            });
        }

        @Override
        InputStream open(String path) throws IOException {
            return Files.newInputStream(file(path).orElseThrow(() -> new NoSuchFileException(root.resolve(path).toString())));
        }

        @Override
        String describe() {
            return "the OCI layout directory " + root;
        }
    }

    static final class Tarball extends ArchiveFiles {
        private static final int MAX_LINKS = 10;

        private record Region(long offset, long size) {}

        private final Path file;
        private final Map<String, Region> regions = new HashMap<>();

        Tarball(Path file) throws IOException {
            this.file = file;
            Map<String, String> links = new HashMap<>();
            try (TarFile tar = new TarFile(file)) {
                for (TarArchiveEntry entry : tar.getEntries()) {
                    String name = ImagePaths.normalize(entry.getName());
                    if (name == null || name.isEmpty()) continue;
                    if (entry.isSymbolicLink()) {
                        // docker-archive writes <id>/layer.tar as a link to ../<digest>.tar, relative to the link.
                        String target = ImagePaths.normalize(ImagePaths.child(ImagePaths.parent(name), entry.getLinkName()));
                        if (target != null) links.put(name, target);
                    } else if (entry.isLink()) {
                        String target = ImagePaths.normalize(entry.getLinkName());
                        if (target != null) links.put(name, target);
                    } else if (entry.isFile() && !entry.isSparse()) {
                        regions.put(name, new Region(entry.getDataOffset(), entry.getSize()));
                    }
                }
            }
            links.forEach((name, target) -> {
                for (int hops = 0; target != null && hops < MAX_LINKS && !regions.containsKey(target); hops++) {
                    target = links.get(target);
                }
                if (target != null && regions.containsKey(target)) regions.put(name, regions.get(target));
            });
        }

        boolean has(String path) {
            return regions.containsKey(path);
        }

        @Override
        Optional<Long> size(String path) {
            return Optional.ofNullable(regions.get(path)).map(Region::size);
        }

        @Override
        InputStream open(String path) throws IOException {
            Region region = regions.get(path);
            if (region == null) throw new NoSuchFileException(file + "!" + path);
            return new RegionStream(FileChannel.open(file, StandardOpenOption.READ), region.offset(), region.size());
        }

        @Override
        String describe() {
            return "the tarball " + file;
        }
    }

    /** One file inside a tarball: positional reads on its own channel, so layers can be read concurrently. */
    private static final class RegionStream extends InputStream {
        private final FileChannel channel;
        private long position;
        private final long end;

        RegionStream(FileChannel channel, long offset, long size) {
            this.channel = channel;
            this.position = offset;
            this.end = offset + size;
        }

        @Override
        public int read() throws IOException {
            return Streams.readByte(this);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (position >= end) return -1;
            int n = channel.read(ByteBuffer.wrap(b, off, (int) Math.min(len, end - position)), position);
            if (n < 0) throw new IOException("the tarball ends inside a file: it is truncated");
            position += n;
            return n;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
