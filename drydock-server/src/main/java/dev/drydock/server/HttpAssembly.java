package dev.drydock.server;

import dev.drydock.server.config.DrydockConfig;
import dev.drydock.server.http.BadMessages;
import dev.drydock.server.http.Challenge;
import dev.drydock.server.http.ClientInfo;
import dev.drydock.server.http.Routes;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import dev.drydock.platform.RequestIds;
import dev.drydock.sandbox.Sandbox;
import dev.drydock.server.metrics.Metrics;
import org.eclipse.jetty.http2.HTTP2Connection;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.slf4j.MDC;

/**
 * What clients talk to: the routes table over the other assemblies, served by Javalin (Jetty, virtual threads) on the
 * configured address, over plain HTTP or, with {@code tls.*}, HTTPS and HTTP/2 ({@link ServerTls}). Built last, and
 * started here: once it listens, the bound port is known.
 */
record HttpAssembly(Javalin http, Routes routes, ServerTls tls) implements AutoCloseable {

    /** @param tls the loaded certificate, or null for plain HTTP */
    static HttpAssembly start(DrydockConfig config, StorageAssembly storage, IdentityAssembly identity, BuildAssembly flow,
                              Metrics metrics, ServerTls tls) {
        Challenge challenge = new Challenge(config.publicUrl(), config.service());
        // readiness asks the container engine only on a node that tests builds in the sandbox
        Runnable engine = !config.testsBuilds() || config.sandbox().disabled() ? null : () -> {
            Sandbox sandbox = flow.sandbox().sandbox();
            if (sandbox == null) throw new IllegalStateException("the sandbox has not started");
            sandbox.runner().ping();
        };
        // ... and whether it can fence the runs (sandbox.host-fence), as found at start
        Runnable fence = engine == null || !config.sandbox().hostFence() ? null : () -> {
            String problem = flow.sandbox().fenceProblem();
            if (problem != null) throw new IllegalStateException(problem);
        };
        Routes routes = new Routes(identity.identity(), identity.tokens(), identity.sessions(), config.sessionMaxAge(), identity.audit(), flow.adapters(), flow.builds(),
                flow.events(), flow.webhookService(), flow.vulns(), flow.registry(), challenge, storage.database(),
                config.dataDir().resolve("tmp"), config.sseHeartbeat(), config.sseMaxStreamsPerPrincipal(), engine, fence, metrics,
                config.observability().metricsToken());
        Javalin http = Javalin.create(cfg -> {
            cfg.concurrency.useVirtualThreads = true;
            cfg.http.compressionStrategy = CompressionStrategy.NONE;
            cfg.http.generateEtags = false;
            cfg.http.maxRequestSize = 64 * 1024;
            cfg.startup.showJavalinBanner = false;
            cfg.jetty.modifyServer(server -> {
                server.setErrorHandler(new BadMessages());
                // Graceful stop: the connector stops accepting at once, requests in flight (uploads) get up to
                // shutdown.grace to finish (Javalin puts its handler inside this wrapper).
                server.setHandler(new GracefulHandler());
                server.setStopTimeout(config.observability().shutdownGrace().toMillis());
            });
            cfg.requestLogger.http((ctx, millis) -> {
                try {
                    metrics.http().record(ctx, millis);
                } finally {
                    MDC.remove(RequestIds.MDC_KEY);
                }
            });
            cfg.jetty.modifyHttpConfiguration(hc -> {
                hc.setInputBufferSize(64 * 1024);
                hc.setOutputBufferSize(64 * 1024);
                hc.setSendServerVersion(false);
            });
            // TLS replaces the plain listener: a registry serves HTTPS on its one port (host:port stays in image names)
            if (tls != null) cfg.jetty.addConnector((server, hc) -> tls.connector(server, hc, config.bind(), config.port()));
            // ctx.ip(), ctx.scheme() and ctx.host() honour X-Forwarded-* from trusted proxies only
            new ClientInfo(config.proxy().trusted()).install(cfg.contextResolver);
            // A worker serves only the probes and the metrics: clients (and a load balancer) talk to API nodes, and a
            // port that answers only these can stay inside the cluster's network.
            routes.install(cfg.routes, !config.node().role().servesClients());
        });
        http.start(config.bind(), config.port());
        for (var connector : http.jettyServer().server().getConnectors()) {
            // Jetty cuts connections idle for 1 s once stopping; a slow upload keeps the usual idle timeout instead
            // (connections without a request are closed at once, see close)
            if (connector instanceof AbstractConnector c) c.setShutdownIdleTimeout(c.getIdleTimeout());
        }
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

    /**
     * Ends the open event streams (they would hold the stop up to a heartbeat), then stops serving: no new
     * connection is accepted, and requests in flight get up to {@code shutdown.grace} to finish.
     */
    @Override
    public void close() {
        routes.eventStreams().close();
        for (var connector : http.jettyServer().server().getConnectors()) {
            if (!(connector instanceof AbstractConnector c)) continue;
            c.shutdown(); // stop accepting now
            // Keep-alive connections between requests would hold the stop until they time out: close them. A
            // client that sends its next request meanwhile gets a closed connection, which HTTP clients retry.
            for (EndPoint endPoint : c.getConnectedEndPoints()) {
                // over TLS the HTTP connection sits inside the TLS one
                Connection connection = endPoint.getConnection() instanceof SslConnection tls
                        ? tls.getSslEndPoint().getConnection() : endPoint.getConnection();
                if (connection instanceof HttpConnection h && h.getHttpChannel().getRequest() == null) endPoint.close();
                // Likewise an HTTP/2 connection without a stream in flight (browsers keep one open per site): left
                // alone, Jetty's graceful stop waited for the client to close it, for all of shutdown.grace. One with
                // streams (an upload) gets GOAWAY: no new streams, its own may finish.
                if (connection instanceof HTTP2Connection h2) {
                    if (h2.getSession().getStreams().isEmpty()) endPoint.close();
                    else h2.getSession().shutdown();
                }
            }
        }
        http.stop(); // waits up to shutdown.grace for the requests in flight
        if (tls != null) tls.close();
    }
}
