package dev.drydock.server;

import dev.drydock.server.config.DrydockConfig;
import dev.drydock.server.http.BadMessages;
import dev.drydock.server.http.Challenge;
import dev.drydock.server.http.Routes;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;

/**
 * What clients talk to: the routes table over the other assemblies, served by Javalin (Jetty, virtual threads) on the
 * configured address, over plain HTTP or, with {@code tls.*}, HTTPS and HTTP/2 ({@link ServerTls}). Built last, and
 * started here: once it listens, the bound port is known.
 */
record HttpAssembly(Javalin http, Routes routes, ServerTls tls) implements AutoCloseable {

    /** @param tls the loaded certificate, or null for plain HTTP */
    static HttpAssembly start(DrydockConfig config, StorageAssembly storage, IdentityAssembly identity, BuildAssembly flow,
                              ServerTls tls) {
        Challenge challenge = new Challenge(config.publicUrl(), config.service());
        Routes routes = new Routes(identity.identity(), identity.tokens(), identity.sessions(), config.sessionMaxAge(), identity.audit(), flow.adapters(), flow.builds(),
                flow.events(), flow.webhookService(), flow.vulns(), flow.registry(), challenge, storage.database(),
                config.dataDir().resolve("tmp"), config.sseHeartbeat(), config.sseMaxStreamsPerPrincipal());
        Javalin http = Javalin.create(cfg -> {
            cfg.concurrency.useVirtualThreads = true;
            cfg.http.compressionStrategy = CompressionStrategy.NONE;
            cfg.http.generateEtags = false;
            cfg.http.maxRequestSize = 64 * 1024;
            cfg.startup.showJavalinBanner = false;
            cfg.jetty.modifyServer(server -> server.setErrorHandler(new BadMessages()));
            cfg.jetty.modifyHttpConfiguration(hc -> {
                hc.setInputBufferSize(64 * 1024);
                hc.setOutputBufferSize(64 * 1024);
                hc.setSendServerVersion(false);
            });
            // TLS replaces the plain listener: a registry serves HTTPS on its one port (host:port stays in image names)
            if (tls != null) cfg.jetty.addConnector((server, hc) -> tls.connector(server, hc, config.bind(), config.port()));
            routes.install(cfg.routes);
        });
        http.start(config.bind(), config.port());
        if (tls != null) tls.watch();
        if (config.publicUrl() == null) {
            // Reports name the registry as clients reach it; without a public URL that is the bound port, which
            // (with port 0) is known only once the server listens, before the worker starts.
            boolean anyAddress = config.bind().equals("0.0.0.0") || config.bind().equals("::");
            String address = anyAddress ? "localhost" : config.bind().contains(":") ? "[" + config.bind() + "]" : config.bind();
            flow.reportHost().set(address + ":" + http.port());
        }
        return new HttpAssembly(http, routes, tls);
    }

    /** Ends the open event streams (they would hold the stop up to a heartbeat), then stops serving. */
    @Override
    public void close() {
        routes.eventStreams().close();
        http.stop();
        if (tls != null) tls.close();
    }
}
