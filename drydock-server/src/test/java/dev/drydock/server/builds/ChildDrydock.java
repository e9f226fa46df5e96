package dev.drydock.server.builds;

import dev.drydock.registry.events.EventSink;
import dev.drydock.server.DrydockServer;
import dev.drydock.server.TestDrydock;
import dev.drydock.server.config.DrydockConfig;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A Drydock server in its own JVM for {@link RestartTest}, so it can be killed with SIGKILL. Every build test
 * hangs (after printing {@code TESTING <buildId>}), so the kill always lands mid-test. Prints
 * {@code PORT <port>} once it listens. Argument: the data directory.
 */
public final class ChildDrydock {
    private ChildDrydock() {}

    public static void main(String[] args) throws InterruptedException {
        Map<String, String> flags = new HashMap<>(RestartTest.SETTINGS);
        flags.put("bind", "127.0.0.1");
        flags.put("port", "0");
        flags.put("data", args[0]);
        // the tester below replaces the pipeline, so no sandbox: an engine Drydock started itself would outlive the kill -9
        flags.put("sandbox.engine", "none");
        flags.put("admin.email", TestDrydock.ADMIN_EMAIL);
        flags.put("admin.password", TestDrydock.ADMIN_PASSWORD);
        DrydockServer server = DrydockServer.start(DrydockConfig.load(null, Map.of(), flags), EventSink.NONE, tester -> (build, run) -> {
            System.out.println("TESTING " + build.id());
            System.out.flush();
            new CountDownLatch(1).await();
            throw new IllegalStateException("unreachable");
        });
        System.out.println("PORT " + server.port());
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
