package dev.drydock.server;

import dev.drydock.registry.events.EventSink;
import dev.drydock.server.config.DrydockConfig;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A Drydock server in its own JVM for {@link CrashConsistencyTest} to kill with SIGKILL. Builds are tested by the
 * real pipeline (no sandbox: a container Drydock started would outlive the kill), each announced on stdout as
 * {@code TESTING <buildId>} so the test can aim a kill at a test in flight. Prints {@code PORT <port>} once it
 * listens. Arguments: the data directory, then {@code key=value} settings.
 */
public final class CrashChild {
    private CrashChild() {}

    public static void main(String[] args) throws InterruptedException {
        Map<String, String> flags = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            flags.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        flags.put("bind", "127.0.0.1");
        flags.put("port", "0");
        flags.put("data", args[0]);
        flags.put("sandbox.engine", "none");
        flags.put("admin.email", TestDrydock.ADMIN_EMAIL);
        flags.put("admin.password", TestDrydock.ADMIN_PASSWORD);
        DrydockServer server = DrydockServer.start(DrydockConfig.load(null, Map.of(), flags), EventSink.NONE,
                real -> (build, run) -> {
                    System.out.println("TESTING " + build.id());
                    System.out.flush();
                    return real.test(build, run);
                });
        System.out.println("PORT " + server.port());
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
