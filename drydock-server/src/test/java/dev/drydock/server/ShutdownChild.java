package dev.drydock.server;

import dev.drydock.registry.events.EventSink;
import dev.drydock.server.config.DrydockConfig;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A Drydock server in its own JVM for {@link GracefulShutdownTest}, stopped by SIGTERM through the same shutdown hook
 * as {@code drydock serve} ({@link Main#closeOnShutdown}), logging JSON lines to standard error. Every build test
 * hangs until interrupted (after printing {@code TESTING <buildId>}), so SIGTERM always lands mid-test. Prints
 * {@code PORT <port>} once it listens. Argument: the data directory.
 */
public final class ShutdownChild {
    static final Map<String, String> SETTINGS = Map.of(
            "registry.require-adapter", "true",
            "sandbox.engine", "none",
            "storage.fsync", "false",
            "token-ttl", "2h",
            "metrics.token", GracefulShutdownTest.METRICS_TOKEN);

    private ShutdownChild() {}

    public static void main(String[] args) throws InterruptedException {
        Map<String, String> flags = new HashMap<>(SETTINGS);
        flags.put("bind", "127.0.0.1");
        flags.put("port", "0");
        flags.put("data", args[0]);
        flags.put("log.format", "json");
        flags.put("shutdown.grace", "60s");
        flags.put("admin.email", TestDrydock.ADMIN_EMAIL);
        flags.put("admin.password", TestDrydock.ADMIN_PASSWORD);
        DrydockConfig config = DrydockConfig.load(null, Map.of(), flags);
        Logging.configure(config.observability().jsonLogs());
        DrydockServer server = DrydockServer.start(config, EventSink.NONE, tester -> (build, run) -> {
            System.out.println("TESTING " + build.id());
            System.out.flush();
            new CountDownLatch(1).await(); // until the stopping worker interrupts it
            throw new IllegalStateException("unreachable");
        });
        CountDownLatch stopped = Main.closeOnShutdown(server);
        System.out.println("PORT " + server.port());
        System.out.flush();
        stopped.await();
    }
}
