package dev.drydock.server.http;

import dev.drydock.platform.adapters.Adapter;
import dev.drydock.platform.adapters.AdapterService;
import dev.drydock.platform.builds.Build;
import dev.drydock.platform.builds.BuildChanged;
import dev.drydock.platform.builds.BuildEvents;
import dev.drydock.platform.builds.BuildService;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Server-Sent Events of build state changes: {@code GET /api/v1/builds/{buildId}/events} (one build) and
 * {@code GET /api/v1/adapters/{engineId}/events} (every build of an adapter), with the same authentication and
 * visibility as the matching GET. Each stream starts with the current state (one {@code state} event per build,
 * {@code from}/{@code action}/{@code actor} null), then sends every change as {@code event: state} with
 * {@code {buildId, engineId, from, to, action, actor, at}}.
 *
 * <p>Each stream is one request thread (virtual) draining its own bounded queue, so a slow client never
 * blocks the service that published the change. A comment line every {@code heartbeat} keeps proxies from
 * closing an idle stream and finds clients that went away (the write fails); then, or when the queue
 * overflows, or when the server stops, the stream ends and its listener is removed.
 */
public final class BuildEventRoutes implements AutoCloseable {
    static final int MAX_QUEUED = 1024;
    private static final Object END = new Object();

    private final AdapterService adapters;
    private final BuildService builds;
    private final BuildEvents events;
    private final ApiRoutes api;
    private final Duration heartbeat;
    private final Set<Stream> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    public BuildEventRoutes(AdapterService adapters, BuildService builds, BuildEvents events, ApiRoutes api, Duration heartbeat) {
        this.adapters = adapters;
        this.builds = builds;
        this.events = events;
        this.api = api;
        this.heartbeat = heartbeat;
    }

    public void register(RoutesConfig routes) {
        routes.get("/api/v1/builds/{buildId}/events", api.auth((ctx, p) -> {
            Build build = builds.get(p, ctx.pathParam("buildId"));
            stream(ctx, change -> change.buildId().equals(build.id()),
                    () -> builds.find(build.id()).stream().toList());
        }));
        routes.get("/api/v1/adapters/{engineId}/events", api.auth((ctx, p) -> {
            Adapter adapter = adapters.get(p, ctx.pathParam("engineId"));
            stream(ctx, change -> change.engineId().equals(adapter.engineId()),
                    () -> builds.list(adapter.engineId(), Set.of()).reversed());
        }));
    }

    /** Open streams (for tests and metrics). */
    public int openStreams() {
        return open.size();
    }

    /** Ends every open stream (the server is stopping). */
    @Override
    public void close() {
        closed = true;
        open.forEach(Stream::end);
    }

    private void stream(Context ctx, Predicate<BuildChanged> filter, Supplier<List<Build>> snapshot) throws InterruptedException {
        Stream stream = new Stream();
        // Subscribe before reading the snapshot: a change in between is sent after it rather than lost.
        Runnable unsubscribe = events.subscribe(change -> {
            if (filter.test(change)) stream.offer(change);
        });
        open.add(stream);
        try {
            if (closed) return;
            HttpServletResponse res = ctx.res();
            res.setStatus(200);
            res.setContentType("text/event-stream");
            res.setCharacterEncoding("UTF-8");
            res.setHeader("Cache-Control", "no-cache");
            res.setHeader("X-Accel-Buffering", "no");
            OutputStream out = res.getOutputStream();
            StringBuilder first = new StringBuilder("retry: 3000\n\n");
            for (Build b : snapshot.get()) {
                first.append(event(view(b.id(), b.engineId(), null, b.state().name(), null, null, b.updated().toString())));
            }
            write(out, first.toString());
            while (!stream.ended) {
                Object next = stream.queue.poll(heartbeat.toMillis(), TimeUnit.MILLISECONDS);
                if (next == END || stream.ended) break;
                if (next == null) {
                    write(out, ": keep-alive\n\n");
                } else {
                    BuildChanged c = (BuildChanged) next;
                    write(out, event(view(c.buildId(), c.engineId(), c.from() == null ? null : c.from().name(), c.to().name(),
                            c.action(), c.actor(), c.at().toString())));
                }
            }
        } catch (IOException e) {
            // The client went away (or stalled past the idle timeout): nothing more to send.
        } finally {
            unsubscribe.run();
            open.remove(stream);
        }
    }

    private static Map<String, Object> view(String buildId, String engineId, String from, String to, String action,
                                            String actor, String at) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("buildId", buildId);
        v.put("engineId", engineId);
        v.put("from", from);
        v.put("to", to);
        v.put("action", action);
        v.put("actor", actor);
        v.put("at", at);
        return v;
    }

    private static String event(Map<String, Object> data) throws IOException {
        // Jackson writes no raw line breaks, so the JSON is always a single data line.
        return "event: state\ndata: " + Json.MAPPER.writeValueAsString(data) + "\n\n";
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** One client's queue; overflowing it ends the stream (the client reconnects and gets the state afresh). */
    private static final class Stream {
        final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(MAX_QUEUED);
        volatile boolean ended;

        void offer(BuildChanged change) {
            if (!queue.offer(change)) end();
        }

        void end() {
            ended = true;
            queue.offer(END);
        }
    }
}
