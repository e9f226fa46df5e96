package dev.drydock.scanner.inventory;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.assertj.core.api.Assertions.assertThat;

class BerkeleyDbHashTest {

    /**
     * Found while writing the fuzz harness: hash entries that all name the same overflow chain made the reader copy it
     * once per entry, so a small Packages file could take heap in proportion to entries times file size.
     */
    @Test
    void entriesSharingOneOverflowChainCannotMultiplyTheFile() {
        int pageSize = 512;
        ByteBuffer b = ByteBuffer.allocate(3 * pageSize).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(12, 0x061561).putInt(20, pageSize).putInt(32, 2);
        int hash = pageSize, overflow = 2 * pageSize;
        b.put(hash + 25, (byte) 13);
        int pairs = 100;
        b.putShort(hash + 20, (short) (2 * pairs));
        int item = pageSize - 12; // one off-page item, named by every pair's value slot
        for (int i = 0; i < pairs; i++) {
            b.putShort(hash + 26 + 4 * i, (short) item);     // key (not read)
            b.putShort(hash + 26 + 4 * i + 2, (short) item); // value
        }
        b.put(hash + item, (byte) 3).putInt(hash + item + 4, 2).putInt(hash + item + 8, 400);
        b.putInt(overflow + 16, 0).putShort(overflow + 22, (short) 400);

        BerkeleyDbHash.Values values = BerkeleyDbHash.read(b.array());

        long copied = values.values().stream().mapToLong(v -> v.length).sum();
        assertThat(copied).isLessThanOrEqualTo(b.capacity());
        assertThat(values.values()).hasSize(3);
        assertThat(values.skipped()).isEqualTo(pairs - 3);
    }
}
