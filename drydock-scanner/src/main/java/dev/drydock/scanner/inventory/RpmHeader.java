package dev.drydock.scanner.inventory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * An rpm header blob as the rpm database stores it (no lead, no magic): index entry count and data length
 * (big-endian 32-bit), then 16-byte index entries (tag, type, offset, count), then the data store. Only the
 * string and int32 tags a package inventory needs are read; every offset is bounds-checked.
 */
final class RpmHeader {
    static final int NAME = 1000, VERSION = 1001, RELEASE = 1002, EPOCH = 1003, ARCH = 1022, SOURCERPM = 1044;
    private static final int TYPE_INT32 = 4, TYPE_STRING = 6, TYPE_STRING_ARRAY = 8, TYPE_I18NSTRING = 9;
    private static final int MAX_ENTRIES = 100_000;

    private final Map<Integer, Object> values = new HashMap<>();

    private RpmHeader() {}

    static RpmHeader parse(byte[] blob) {
        ByteBuffer b = ByteBuffer.wrap(blob).order(ByteOrder.BIG_ENDIAN);
        if (blob.length < 8) throw new IllegalArgumentException("header blob shorter than 8 bytes");
        int il = b.getInt(0), dl = b.getInt(4);
        if (il < 1 || il > MAX_ENTRIES || dl < 0 || 8L + 16L * il + dl > blob.length) {
            throw new IllegalArgumentException("header blob sizes out of range (" + il + " entries, " + dl + " data bytes)");
        }
        int dataStart = 8 + 16 * il;
        RpmHeader h = new RpmHeader();
        for (int i = 0; i < il; i++) {
            int at = 8 + 16 * i;
            int tag = b.getInt(at), type = b.getInt(at + 4), offset = b.getInt(at + 8), count = b.getInt(at + 12);
            if (tag != NAME && tag != VERSION && tag != RELEASE && tag != EPOCH && tag != ARCH && tag != SOURCERPM) continue;
            if (offset < 0 || offset >= dl) throw new IllegalArgumentException("tag " + tag + " points outside the data");
            int start = dataStart + offset;
            if (type == TYPE_INT32 && count >= 1 && offset + 4 <= dl) {
                h.values.put(tag, b.getInt(start));
            } else if (type == TYPE_STRING || type == TYPE_STRING_ARRAY || type == TYPE_I18NSTRING) {
                int end = start;
                int limit = dataStart + dl;
                while (end < limit && blob[end] != 0) end++;
                h.values.put(tag, new String(blob, start, end - start, StandardCharsets.UTF_8));
            }
        }
        return h;
    }

    String string(int tag) {
        return values.get(tag) instanceof String s ? s : null;
    }

    Integer int32(int tag) {
        return values.get(tag) instanceof Integer i ? i : null;
    }
}
