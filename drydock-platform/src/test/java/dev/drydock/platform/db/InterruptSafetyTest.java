package dev.drydock.platform.db;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Threads that use the database get interrupted: a test past its time limit, a worker shutting down, a lost lease.
 * An interrupt that lands inside a file read or write closes a plain FileChannel, which would leave the embedded
 * database unusable for every other thread; the embedded URL must survive it.
 */
class InterruptSafetyTest {

    @Test
    void interruptingThreadsInTheMiddleOfDatabaseWorkLeavesTheDatabaseUsable(@TempDir Path dir) throws Exception {
        try (Database database = Database.open(Database.embeddedUrl(dir), "sa", "", 8)) {
            var jdbi = database.jdbi();
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                workers.add(Thread.ofPlatform().start(() -> {
                    while (!stop.get()) {
                        try {
                            jdbi.useHandle(h -> h.execute("insert into audit_log (actor, action, target, detail, at) "
                                    + "values ('t', 'interrupt.test', 'x', ?, current_timestamp)", "y".repeat(2000)));
                            jdbi.withHandle(h -> h.createQuery("select count(*) from audit_log").mapTo(Long.class).one());
                        } catch (RuntimeException e) {
                            // an interrupted statement may fail; what matters is the database afterwards
                        }
                    }
                }));
            }
            long until = System.nanoTime() + 3_000_000_000L;
            while (System.nanoTime() < until) {
                for (Thread w : workers) w.interrupt();
                Thread.sleep(2);
            }
            stop.set(true);
            for (Thread w : workers) w.join();

            long before = jdbi.withHandle(h -> h.createQuery("select count(*) from audit_log").mapTo(Long.class).one());
            jdbi.useHandle(h -> h.execute("insert into audit_log (actor, action, target, detail, at) "
                    + "values ('t', 'after', 'x', 'y', current_timestamp)"));
            long after = jdbi.withHandle(h -> h.createQuery("select count(*) from audit_log").mapTo(Long.class).one());
            assertThat(after).isEqualTo(before + 1);
        }
    }
}
