package dev.drydock.server.metrics;

import dev.drydock.server.http.RegistryRoutes;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.eclipse.jetty.ee10.servlet.ServletChannel;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Request rate and latency by method, route template and status class, and the bytes of registry blob uploads and
 * downloads. Called once per request after its response was written (Javalin's request logger), so a download's
 * time includes sending it.
 */
public final class HttpMetrics {
    private static final Duration[] BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(25), Duration.ofMillis(100),
            Duration.ofMillis(250), Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofMinutes(2)};

    private final MeterRegistry registry;
    private final Counter blobBytesIn;
    private final Counter blobBytesOut;

    HttpMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.blobBytesIn = Counter.builder("drydock.registry.blob.bytes").baseUnit("bytes")
                .description("registry blob bytes received (uploads) and sent (downloads)").tag("direction", "in").register(registry);
        this.blobBytesOut = Counter.builder("drydock.registry.blob.bytes").baseUnit("bytes")
                .description("registry blob bytes received (uploads) and sent (downloads)").tag("direction", "out").register(registry);
    }

    /** Records one finished request. */
    public void record(Context ctx, Float millis) {
        String method = ctx.method().name();
        String route = route(ctx);
        int status = ctx.statusCode();
        Timer.builder("drydock.http.requests").description("HTTP requests by method, route template and status class")
                .tag("method", method).tag("route", route).tag("status", status / 100 + "xx")
                .serviceLevelObjectives(BUCKETS).register(registry)
                .record((long) (millis * 1000), TimeUnit.MICROSECONDS);
        if (route.startsWith("/v2/{name}/blobs/")) blobBytes(ctx, route, method);
    }

    /** The matched route's path pattern; the registry's own endpoint for {@code /v2} paths; {@code unmatched} for 404s. */
    static String route(Context ctx) {
        Endpoint endpoint = ctx.endpoints().matchedHttpEndpoint();
        if (endpoint == null) return "unmatched";
        String path = endpoint.path;
        return path.startsWith("/v2") ? RegistryRoutes.template(ctx.path()) : path;
    }

    private void blobBytes(Context ctx, String route, String method) {
        ServletContextRequest request = ServletContextRequest.getServletContextRequest(ctx.req());
        if (request == null) return; // not Jetty's servlet request: no byte counts to read
        ServletChannel channel = request.getServletChannel();
        if (route.startsWith("/v2/{name}/blobs/uploads/") && !method.equals("GET") && !method.equals("DELETE")) {
            blobBytesIn.increment(channel.getHttpInput().getContentReceived());
        } else if (route.equals("/v2/{name}/blobs/{digest}") && method.equals("GET")) {
            blobBytesOut.increment(channel.getHttpOutput().getWritten());
        }
    }
}
