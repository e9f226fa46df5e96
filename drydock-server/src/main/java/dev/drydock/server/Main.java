package dev.drydock.server;

import dev.drydock.server.config.DrydockConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** Command line: {@code drydock serve [--port P] [--data DIR] [--config FILE]}. */
@Command(name = "drydock", mixinStandardHelpOptions = true, version = "drydock 0.1.0",
        description = "Registry and compliance testing for containerised adapters and engines.",
        subcommands = {Main.Serve.class, CommandLine.HelpCommand.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Command(name = "serve", description = "Start the service (registry, token service, API, UI) on one port.")
    static final class Serve implements Callable<Integer> {
        @Option(names = "--port", description = "HTTP port (default 5000)")
        Integer port;
        @Option(names = "--bind", description = "listen address (default 0.0.0.0)")
        String bind;
        @Option(names = "--data", description = "data directory (default ./drydock-data)")
        Path data;
        @Option(names = "--config", description = "properties file (default <data>/drydock.properties)")
        Path config;
        @Option(names = "--public-url", description = "external base URL, e.g. https://registry.example.com")
        String publicUrl;

        @Override
        public Integer call() throws InterruptedException {
            Map<String, String> flags = new HashMap<>();
            if (port != null) flags.put("port", port.toString());
            if (bind != null) flags.put("bind", bind);
            if (data != null) flags.put("data", data.toString());
            if (publicUrl != null) flags.put("public-url", publicUrl);
            DrydockConfig cfg;
            try {
                cfg = DrydockConfig.load(config, System.getenv(), flags);
            } catch (DrydockConfig.InvalidConfig e) {
                System.err.println("drydock: " + e.getMessage());
                return 2;
            }
            DrydockServer server = DrydockServer.start(cfg);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.close();
                stopped.countDown();
            }, "drydock-shutdown"));
            stopped.await();
            return 0;
        }
    }
}
