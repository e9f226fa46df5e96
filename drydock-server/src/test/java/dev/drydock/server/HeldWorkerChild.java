package dev.drydock.server;

import dev.drydock.registry.events.EventSink;
import dev.drydock.server.config.DrydockConfig;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A Drydock node in its own JVM for {@link SeveralNodesTest}, started like {@code drydock serve --config FILE --data
 * DIR} with its role from the file, whose tests of one repository hang (after printing {@code TESTING <buildId>}), so
 * the test can kill it mid-test; builds of other repositories are tested as usual. Prints {@code PORT <port>} once it
 * listens. Arguments: the properties file, the data directory, the repository whose tests hang.
 */
public final class HeldWorkerChild {
    private HeldWorkerChild() {}

    public static void main(String[] args) throws InterruptedException {
        DrydockConfig config = DrydockConfig.load(Path.of(args[0]), Map.of(), Map.of("data", args[1]));
        Logging.configure(config.observability().jsonLogs());
        String held = args[2];
        DrydockServer server = DrydockServer.start(config, EventSink.NONE, tester -> (build, run) -> {
            if (!build.repository().equals(held)) return tester.test(build, run);
            System.out.println("TESTING " + build.id());
            System.out.flush();
            new CountDownLatch(1).await(); // until the process is killed
            throw new IllegalStateException("unreachable");
        });
        CountDownLatch stopped = Main.closeOnShutdown(server);
        System.out.println("PORT " + server.port());
        System.out.flush();
        stopped.await();
    }
}
