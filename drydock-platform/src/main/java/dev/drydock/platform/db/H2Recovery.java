package dev.drydock.platform.db;

import org.h2.engine.ConnectionInfo;
import org.h2.engine.Constants;
import org.h2.message.DbException;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import org.h2.store.fs.FileUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Properties;

/**
 * Gets back the commits H2's own start-up drops after its process was killed (SIGKILL, OOM killer, a crash).
 *
 * <p>Why: H2 (2.2.220 to at least 2.5.252) writes each commit as a chunk, and when a chunk goes into reused free space
 * where the previous chunk did not predict it, it rewrites the file header to point at the newest chunk; but it does
 * so before it records that chunk as its last one, so the header names the chunk before. After an unclean stop H2
 * starts from that header (and the chunk at the end of the file), follows the predicted positions, does not find the
 * newer, complete chunk and starts without it: commits that had returned, and whose bytes are in the file, are gone
 * (EmbeddedDurabilityTest). H2's full scan of the file (what its recovery tool uses) does find them. So before the pool
 * opens a file that was not closed cleanly, this compares the version H2's normal start would take with the one the
 * full scan finds and, only when the scan found newer commits, opens the file once with H2's recovery and closes it
 * cleanly, which writes a header naming the newest complete chunk.
 *
 * <p>Cost: after a clean shutdown one read-only open of the file (tens of milliseconds); after an unclean one also a
 * scan of every block (0.4 s for 50 MB, 9 to 28 s for 1 GB on a loaded 2-core machine), twice when it recovers
 * commits. Encrypted files ({@code CIPHER}), read-only files, in-memory and remote databases are left to H2.
 */
final class H2Recovery {
    private static final Logger log = LoggerFactory.getLogger(H2Recovery.class);

    private H2Recovery() {}

    /** Before the first connection to {@code jdbcUrl}: recovers its last commits if H2 would drop them. */
    static void beforeOpen(String jdbcUrl, String user, String password) {
        if (!jdbcUrl.startsWith("jdbc:h2:")) return;
        try {
            recover(jdbcUrl, user, password);
        } catch (MVStoreException | DbException e) {
            throw new IllegalStateException("cannot use the database: " + e.getMessage(), e);
        }
    }

    private static void recover(String jdbcUrl, String user, String password) {
        ConnectionInfo info = new ConnectionInfo(jdbcUrl, new Properties(), user, password);
        if (info.isRemote() || !info.isPersistent() || info.getFilePasswordHash() != null) return;
        // the same file without async: (a thread hand-off per read; the scan reads every block, this thread is not
        // interrupted): 3 to 8 times faster
        String file = info.getName().replaceFirst("^async:", "") + Constants.SUFFIX_MV_FILE;
        if (!FileUtils.exists(file) || FileUtils.size(file) == 0 || !FileUtils.canWrite(file)) return;
        long start;
        try (MVStore store = new MVStore.Builder().fileName(file).readOnly().open()) {
            // "clean": written by a normal close, whose header names the last chunk
            if (store.getFileStore().getStoreHeader().containsKey("clean")) return;
            start = store.getCurrentVersion();
        } catch (MVStoreException e) {
            // open: in this JVM, which H2 shares, or in another process, which H2 refuses with its own message
            if (e.getErrorCode() == DataUtils.ERROR_FILE_LOCKED) return;
            throw e;
        }
        long scanned;
        try (MVStore store = new MVStore.Builder().fileName(file).readOnly().recoveryMode().open()) {
            scanned = store.getCurrentVersion();
        }
        if (scanned <= start) return;
        log.warn("the embedded database {} was not closed cleanly and H2 would start from version {}, but the file holds "
                + "complete commits up to version {}: recovering them", file, start, scanned);
        // closing it cleanly writes the header that names the newest chunk
        new MVStore.Builder().fileName(file).recoveryMode().autoCommitDisabled().open().close();
    }
}
