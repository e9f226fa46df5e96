package dev.drydock.server;

import dev.drydock.registry.events.EventSink;
import dev.drydock.server.config.DrydockConfig;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.UnaryOperator;

/**
 * A Drydock server with its own Podman service in a JVM of its own, for {@link SandboxRestartTest} to kill with
 * SIGKILL mid-run. Prints {@code PORT <port>} once it listens. Argument: the data directory.
 */
public final class SandboxChild {
    private SandboxChild() {}

    public static void main(String[] args) throws InterruptedException {
        Map<String, String> flags = new HashMap<>(SandboxRestartTest.SETTINGS);
        flags.put("bind", "127.0.0.1");
        flags.put("port", "0");
        flags.put("data", args[0]);
        flags.put("admin.email", TestDrydock.ADMIN_EMAIL);
        flags.put("admin.password", TestDrydock.ADMIN_PASSWORD);
        DrydockServer server = DrydockServer.start(DrydockConfig.load(null, Map.of(), flags), EventSink.NONE, UnaryOperator.identity());
        System.out.println("PORT " + server.port());
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
