package dev.drydock.image;

import com.github.luben.zstd.ZstdInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;

/**
 * Decodes one layer blob into its {@link LayerChanges}: detects the compression from the first bytes, walks the
 * tar once, and copies the bytes of wanted files into numbered files of the pass directory. Every limit is
 * checked here, as the bytes stream, so a hostile layer costs at most what the limits allow.
 */
final class LayerDecoder {
    private static final int BUFFER = 1 << 16;
    private static final String WHITEOUT = ".wh.";
    private static final String OPAQUE = ".wh..wh..opq";
    /**
     * Bytes one entry's headers may take (GNU long names, PAX records such as path, linkpath and xattrs), plus one
     * read-ahead buffer. The tar library reads them whole into memory, so a bomb of a long name must stop here.
     */
    private static final long MAX_HEADER_BYTES = (1 << 20) + BUFFER;

    /** State shared by the layers of one pass: the limits apply to the image as a whole. */
    static final class Budget {
        final ExtractionLimits limits;
        final FileInterest interest;
        final Path directory;
        final AtomicLong totalBytes = new AtomicLong();
        final AtomicLong entries = new AtomicLong();
        final AtomicLong keptFiles = new AtomicLong();

        Budget(ExtractionLimits limits, FileInterest interest, Path directory) {
            this.limits = limits;
            this.interest = interest;
            this.directory = directory;
        }
    }

    private final Budget budget;
    private final ResolvedImage.Layer layer;
    private final String layerName;
    /** The layer blob's size as stored, and the decompressed bytes it may reach before it is a bomb. */
    private final long compressedBytes;
    private final long layerBytesAllowed;
    /** Where in the layer the decoder is, for messages: "at entry 'x'", "at the tar header after 'x'" … */
    private String position = "at the start of the layer";
    private String lastEntry;

    LayerDecoder(Budget budget, ResolvedImage.Layer layer, long compressedBytes) {
        this.budget = budget;
        this.layer = layer;
        this.layerName = "layer " + layer.digest();
        this.compressedBytes = compressedBytes;
        this.layerBytesAllowed = budget.limits.layerBytesAllowed(compressedBytes);
    }

    LayerChanges decode(InputStream blob) throws ImageException, InterruptedException {
        // Closing the counting stream closes the decompressor too: zstd holds native memory until then.
        try (InputStream raw = new BufferedInputStream(blob, BUFFER);
             CountingStream counted = new CountingStream(decompressed(raw))) {
            List<LayerChanges.Change> changes = new ArrayList<>();
            TarArchiveInputStream tar = new TarArchiveInputStream(new BufferedInputStream(counted, BUFFER), "UTF-8");
            while (true) {
                // Finish the entry first, so that only header bytes are read inside the header budget.
                if (tar.getCurrentEntry() != null) {
                    while (tar.skip(Long.MAX_VALUE) > 0) {
                        // skipping reads through the counting stream, so it is counted and bounded
                    }
                }
                position = lastEntry == null ? "at the first tar header" : "at the tar header after " + ImagePaths.quote(lastEntry);
                counted.headerBudgetEnd = counted.count + MAX_HEADER_BYTES;
                TarArchiveEntry entry = tar.getNextEntry();
                counted.headerBudgetEnd = Long.MAX_VALUE;
                if (entry == null) break;
                LayerChanges.Change change = change(entry, tar);
                if (change != null) changes.add(change);
            }
            position = "after the end of the tar";
            counted.transferTo(OutputStream.nullOutputStream()); // to the end: check the compressed stream is whole
            return new LayerChanges(layer.index(), changes, counted.count);
        } catch (LimitExceeded e) {
            throw new ImageException(e.getMessage(), e);
        } catch (InterruptedIOException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedException("reading " + layerName + " was interrupted");
        } catch (IOException e) {
            if (Thread.currentThread().isInterrupted()) throw new InterruptedException("reading " + layerName + " was interrupted");
            throw new ImageException(layerName + " is corrupt or truncated (" + e.getMessage() + ", " + position
                    + "): rebuild the image and push it again", e);
        }
    }

    /** Picks the decompressor from the magic bytes, not the media type, which tools often get wrong. */
    private InputStream decompressed(InputStream raw) throws IOException {
        raw.mark(512);
        byte[] head = raw.readNBytes(512);
        raw.reset();
        if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            return new GZIPInputStream(raw, BUFFER);
        }
        if (head.length >= 4 && (head[0] & 0xff) == 0x28 && (head[1] & 0xff) == 0xb5 && (head[2] & 0xff) == 0x2f
                && (head[3] & 0xff) == 0xfd) {
            return new ZstdInputStream(raw);
        }
        if (head.length == 0 || TarArchiveInputStream.matches(head, head.length) || isZeros(head)) {
            return raw;
        }
        throw new LimitExceeded(layerName + " is neither an uncompressed tar nor gzip or zstd compressed (it starts with "
                + HexFormat.ofDelimiter(" ").formatHex(head, 0, Math.min(8, head.length))
                + "): rebuild the layer with docker, podman or buildah");
    }

    private static boolean isZeros(byte[] block) {
        if (block.length < 512) return false;
        for (byte b : block) if (b != 0) return false;
        return true;
    }

    private LayerChanges.Change change(TarArchiveEntry entry, TarArchiveInputStream tar) throws IOException {
        String name = entry.getName();
        lastEntry = name;
        position = "at entry " + ImagePaths.quote(name);
        ExtractionLimits limits = budget.limits;
        long entries = budget.entries.incrementAndGet();
        if (entries > limits.maxEntries()) {
            throw new LimitExceeded("the image has more than " + limits.maxEntries() + " files and directories (limit reached in "
                    + layerName + " at " + ImagePaths.quote(name) + "): remove files or squash layers");
        }
        if (name.length() > limits.maxPathLength()) {
            throw new LimitExceeded(layerName + " contains an entry whose path is " + name.length() + " characters long ("
                    + ImagePaths.quote(name) + "), more than the " + limits.maxPathLength() + " Drydock reads: shorten the path");
        }
        String path = ImagePaths.normalize(name);
        if (path == null) {
            throw new LimitExceeded(layerName + " contains an entry " + ImagePaths.quote(name)
                    + " that escapes the image root: rebuild the layer");
        }
        int depth = ImagePaths.depth(path);
        if (depth > limits.maxPathDepth()) {
            throw new LimitExceeded(layerName + " contains an entry " + ImagePaths.quote(name) + " nested " + depth
                    + " directories deep, more than the " + limits.maxPathDepth() + " Drydock reads: flatten the directory tree");
        }
        if (path.isEmpty()) return null; // the root itself ("./")
        String fileName = ImagePaths.name(path);
        if (fileName.startsWith(WHITEOUT)) {
            String directory = ImagePaths.parent(path);
            if (fileName.equals(OPAQUE)) return new LayerChanges.Opaque(directory);
            if (fileName.startsWith(WHITEOUT + WHITEOUT)) return null; // other AUFS metadata (.wh..wh.plnk …)
            return new LayerChanges.Whiteout(ImagePaths.child(directory, fileName.substring(WHITEOUT.length())));
        }
        FileEntry.Type type = type(entry);
        String linkTarget = null;
        if (type == FileEntry.Type.SYMLINK) {
            linkTarget = entry.getLinkName(); // kept as written: resolve() interprets it inside the image root
            if (linkTarget.length() > limits.maxPathLength()) {
                throw new LimitExceeded(layerName + " contains a symlink " + ImagePaths.quote(name) + " whose target is "
                        + linkTarget.length() + " characters long, more than " + limits.maxPathLength() + ": shorten it");
            }
        } else if (type == FileEntry.Type.HARDLINK) {
            linkTarget = ImagePaths.normalize(entry.getLinkName());
            if (linkTarget == null || linkTarget.isEmpty()) {
                throw new LimitExceeded(layerName + " contains a hardlink " + ImagePaths.quote(name) + " to "
                        + ImagePaths.quote(entry.getLinkName()) + " outside the image root: rebuild the layer");
            }
        }
        long size = type == FileEntry.Type.FILE ? entry.getRealSize() : 0;
        Path content = null;
        String notKept = null;
        if (type == FileEntry.Type.FILE && budget.interest.wants(path)) {
            content = keep(path, size, tar);
            if (content == null) notKept = notKept(size);
        }
        return new LayerChanges.Put(new FileEntry(path, type, size, entry.getMode() & 07777, linkTarget, layer.index(),
                layer.createdBy(), content != null), content, notKept);
    }

    private static FileEntry.Type type(TarArchiveEntry entry) {
        if (entry.isDirectory()) return FileEntry.Type.DIRECTORY;
        if (entry.isSymbolicLink()) return FileEntry.Type.SYMLINK;
        if (entry.isLink()) return FileEntry.Type.HARDLINK;
        if (entry.isCharacterDevice()) return FileEntry.Type.CHAR_DEVICE;
        if (entry.isBlockDevice()) return FileEntry.Type.BLOCK_DEVICE;
        if (entry.isFIFO()) return FileEntry.Type.FIFO;
        return FileEntry.Type.FILE;
    }

    /**
     * Copies a wanted file into the pass directory under a counter name: the tar path never names a host file.
     * A file larger than {@code maxFileBytes} is not kept (null): the entry stays in the index without content,
     * and the pass goes on; the tar reader skips the rest of its bytes.
     */
    private Path keep(String path, long size, InputStream tar) throws IOException {
        long max = budget.limits.maxFileBytes();
        if (size > max) return null;
        Path target = budget.directory.resolve(Long.toString(budget.keptFiles.incrementAndGet()));
        boolean kept = false;
        try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            byte[] buffer = new byte[(int) Math.min(BUFFER, Math.max(size, 1))];
            long copied = 0;
            int n;
            while ((n = tar.read(buffer)) > 0) {
                copied += n;
                if (copied > max) break; // a sparse entry can expand beyond its header size
                out.write(buffer, 0, n);
            }
            kept = copied <= max;
        } finally {
            if (!kept) Files.deleteIfExists(target);
        }
        return kept ? target : null;
    }

    private String notKept(long size) {
        return "not kept: " + size + " bytes, more than the " + ImagePaths.bytes(budget.limits.maxFileBytes())
                + " Drydock keeps of one file";
    }

    /**
     * The layer expanded past its ratio bound: names the layer (digest, number, Dockerfile step), its compressed size,
     * what it had expanded to when reading stopped, the ratio, and the fix.
     */
    private String bomb() {
        ExtractionLimits limits = budget.limits;
        String step = layer.createdBy() == null || layer.createdBy().isBlank() ? ""
                : ", " + shorten(layer.createdBy().replaceFirst("^/bin/sh -c #\\(nop\\)\\s*", "").strip());
        long ratio = compressedBytes <= 0 ? Long.MAX_VALUE : layerBytesAllowed / compressedBytes;
        return layerName + " (layer " + (layer.index() + 1) + step + ") is a decompression bomb: its " + human(compressedBytes)
                + " (" + compressedBytes + " bytes) compressed expand to more than " + human(layerBytesAllowed)
                + ", over " + ratio + " times their size, when Drydock stopped reading it (" + position + "). Real layers expand"
                + " 2 to 80 times; only large files of zeros (or of one repeated byte) go past " + limits.maxLayerRatio()
                + " times once a layer passes " + human(limits.ratioMinBytes()) + ", and such a layer costs the test engine its"
                + " uncompressed size twice over. Do not put large zero-filled files into the image: create them when the engine"
                + " starts (fallocate or truncate), and with useradd and a large UID pass -l (--no-log-init) so it does not"
                + " write a huge /var/log/lastlog";
    }

    private static String shorten(String step) {
        return step.length() <= 120 ? step : step.substring(0, 117) + "...";
    }

    /** 4.0 MiB, 1.0 GiB, 512 bytes: a size as a developer reads it. */
    static String human(long bytes) {
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        if (bytes < 1024) return bytes + " bytes";
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    /** An IOException carrying a message for the developer, so it passes through the tar and stream code unchanged. */
    private static final class LimitExceeded extends IOException {
        LimitExceeded(String message) {
            super(message);
        }
    }

    /**
     * Counts decompressed bytes against the image-wide budget and stops on an interrupt. It sits under the tar
     * reader's buffer, so it sees large reads; skipping is done by reading here, in large chunks, because the
     * inflater's own skip inflates 512 bytes at a time.
     */
    private final class CountingStream extends FilterInputStream {
        long count;
        long headerBudgetEnd = Long.MAX_VALUE;
        private byte[] skipBuffer;

        CountingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            return Streams.readByte(this);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (Thread.currentThread().isInterrupted()) throw new InterruptedIOException();
            int n = in.read(b, off, len);
            if (n > 0) {
                count += n;
                if (count > headerBudgetEnd) {
                    throw new LimitExceeded(layerName + " has a tar header (a long name or PAX extended header) larger than "
                            + ImagePaths.bytes(MAX_HEADER_BYTES - BUFFER) + " (" + position
                            + "): rebuild the layer with shorter names and fewer extended attributes");
                }
                if (count > layerBytesAllowed) throw new LimitExceeded(bomb());
                long total = budget.totalBytes.addAndGet(n);
                if (total > budget.limits.maxTotalBytes()) {
                    throw new LimitExceeded("the image decompresses to more than " + ImagePaths.bytes(budget.limits.maxTotalBytes())
                            + " (reached in " + layerName + " " + position + "): the layer is a decompression bomb or the image is too large; make it smaller");
                }
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            if (skipBuffer == null) skipBuffer = new byte[BUFFER];
            long skipped = 0;
            while (skipped < n) {
                int read = read(skipBuffer, 0, (int) Math.min(skipBuffer.length, n - skipped));
                if (read < 0) break;
                skipped += read;
            }
            return skipped;
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }
}
