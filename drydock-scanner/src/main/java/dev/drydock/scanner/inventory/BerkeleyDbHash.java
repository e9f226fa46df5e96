package dev.drydock.scanner.inventory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The values of a Berkeley DB hash database (rpm's classic {@code Packages} file), read from its bytes: page 0 is
 * the hash metadata (magic 0x061561, page size, last page); every hash page (type 13) holds key/value index pairs;
 * rpm's values are header blobs stored off-page (item type 3) as chains of overflow pages. Byte order is the
 * writer's, told by the magic. Malformed pages are skipped and counted; chains are bounded by the page count.
 */
final class BerkeleyDbHash {
    private static final int HASH_MAGIC = 0x061561;
    private static final int PAGE_HEADER = 26;
    private static final int P_HASH = 13, P_HASH_UNSORTED = 2, H_OFFPAGE = 3;

    record Values(List<byte[]> values, int skipped) {}

    private BerkeleyDbHash() {}

    static Values read(byte[] file) {
        if (file.length < 512) throw new IllegalArgumentException("too short for a Berkeley DB file");
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(12) != HASH_MAGIC) {
            b.order(ByteOrder.BIG_ENDIAN);
            if (b.getInt(12) != HASH_MAGIC) throw new IllegalArgumentException("not a Berkeley DB hash database (bad magic)");
        }
        int pageSize = b.getInt(20);
        if (pageSize < 512 || pageSize > 65536 || Integer.bitCount(pageSize) != 1) {
            throw new IllegalArgumentException("implausible page size " + pageSize);
        }
        if (file[24] != 0) throw new IllegalArgumentException("encrypted Berkeley DB database");
        long lastPage = Integer.toUnsignedLong(b.getInt(32));
        long pages = Math.min(lastPage + 1, file.length / pageSize);
        List<byte[]> values = new ArrayList<>();
        int skipped = 0;
        // Each value of a real database has overflow pages of its own, so together they are smaller than the file; entries
        // that all point at one long chain would otherwise copy it again and again (a few MiB file, gigabytes of heap).
        long valueBytes = 0;
        for (long p = 1; p < pages; p++) {
            int base = (int) (p * pageSize);
            int type = file[base + 25] & 0xff;
            if (type != P_HASH && type != P_HASH_UNSORTED) continue;
            int entries = Short.toUnsignedInt(b.getShort(base + 20));
            if (PAGE_HEADER + 2 * entries > pageSize) {
                skipped++;
                continue;
            }
            for (int i = 1; i < entries; i += 2) {   // key, value, key, value …
                int itemOffset = Short.toUnsignedInt(b.getShort(base + PAGE_HEADER + 2 * i));
                if (itemOffset >= pageSize) {
                    skipped++;
                    continue;
                }
                int item = base + itemOffset;
                // rpm stores headers off-page; small inline values (the instance counter under key 0) are not headers
                if ((file[item] & 0xff) != H_OFFPAGE) continue;
                if (itemOffset + 12 > pageSize) {
                    skipped++;
                    continue;
                }
                long first = Integer.toUnsignedLong(b.getInt(item + 4));
                long length = Integer.toUnsignedLong(b.getInt(item + 8));
                byte[] value = valueBytes + length > file.length ? null : overflow(file, b, pageSize, pages, first, length);
                if (value == null) {
                    skipped++;
                } else {
                    values.add(value);
                    valueBytes += length;
                }
            }
        }
        return new Values(values, skipped);
    }

    /** Follows an overflow chain; null when it leaves the file, loops, or does not add up to {@code length}. */
    private static byte[] overflow(byte[] file, ByteBuffer b, int pageSize, long pages, long page, long length) {
        if (length > Integer.MAX_VALUE - 16 || length > file.length) return null;
        byte[] out = new byte[(int) length];
        int filled = 0;
        for (long hops = 0; page != 0 && hops < pages; hops++) {
            if (page >= pages) return null;
            int base = (int) (page * pageSize);
            long next = Integer.toUnsignedLong(b.getInt(base + 16));
            int used = next == 0 ? Short.toUnsignedInt(b.getShort(base + 22)) : pageSize - PAGE_HEADER;
            used = Math.min(used, Math.min(pageSize - PAGE_HEADER, out.length - filled));
            System.arraycopy(file, base + PAGE_HEADER, out, filled, used);
            filled += used;
            page = next;
        }
        return filled == out.length ? out : null;
    }
}
