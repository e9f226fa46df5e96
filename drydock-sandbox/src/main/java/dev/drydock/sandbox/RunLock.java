package dev.drydock.sandbox;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A run's claim on what it creates (container, network, firewall chain, bridge): a lock on the file
 * {@code <tmpdir>/drydock-sandbox-runs/<run id>.lock}, held from before the network is created until the run's cleanup
 * has finished.
 *
 * <p>Why: start-up cleanup must remove what a crashed process left behind, but not what another live process on the
 * same host (another worker, a test JVM) is using right now — and from outside, a chain created a moment ago looks just
 * like one left by a crash. The kernel releases a dead process's locks, so "nobody holds the lock" means "dead".
 */
final class RunLock implements AutoCloseable {
    static final Path DIR = Path.of(System.getProperty("java.io.tmpdir"), "drydock-sandbox-runs");

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    static RunLock acquire(String runId) throws IOException {
        Files.createDirectories(DIR);
        Path file = DIR.resolve(runId + ".lock");
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            return new RunLock(file, channel, channel.lock());
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** True while some live process (this one included) holds the run's lock. */
    static boolean held(String runId) {
        Path file = DIR.resolve(runId + ".lock");
        if (!Files.exists(file)) return false;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            FileLock probe = channel.tryLock();
            if (probe == null) return true;
            probe.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true; // held by this JVM
        } catch (IOException e) {
            return false;
        }
    }

    /** Deletes the lock files crashed processes left (nobody holds them). */
    static void removeStale() {
        if (!Files.isDirectory(DIR)) return;
        try (var files = Files.list(DIR)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (name.endsWith(".lock") && !held(name.substring(0, name.length() - ".lock".length()))) Files.deleteIfExists(f);
            }
        } catch (IOException ignored) {
            // the next start tries again
        }
    }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(file);
            lock.release();
            channel.close();
        } catch (IOException ignored) {
            // the kernel releases it with the process anyway
        }
    }
}
