package dev.drydock.server.http;

import dev.drydock.platform.ApiErrorCode;
import dev.drydock.platform.ApiException;
import dev.drydock.platform.access.SessionService;
import dev.drydock.platform.access.TokenService;
import dev.drydock.platform.adapters.Adapter;
import dev.drydock.platform.builds.Build;
import dev.drydock.platform.builds.BuildChanged;
import dev.drydock.platform.builds.BuildEvents;
import dev.drydock.platform.builds.BuildService;
import dev.drydock.platform.identity.Principal;
import io.javalin.http.Context;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 *
 * <p>A stream answers to the credential that opened it for as long as it is open: before every event and every
 * heartbeat the principal is looked up again (a revoked robot, or one revoked and created again, is gone) and must
 * still see the build or adapter, and a stream opened with a bearer token ends when the token expires (at its
 * {@code exp}, not later); one opened with the Developer App's session cookie ends when the session does (sign-out,
 * idle or absolute expiry). One principal holds at most {@code maxStreamsPerPrincipal} streams at once; more are
 * refused with 429 {@code TOO_MANY_STREAMS} and {@code Retry-After}.
 */
public final class BuildEventRoutes implements AutoCloseable {
    static final int MAX_QUEUED = 1024;
    private static final Object END = new Object();

    private final BuildService builds;
    private final BuildEvents events;
    private final TokenService tokens;
    private final SessionService sessions;
    /** Seconds a client refused for holding too many streams is asked to wait ({@code Retry-After}). */
    static final int RETRY_AFTER_SECONDS = 30;

    private final Duration heartbeat;
    private final int maxStreamsPerPrincipal;
    private final Set<Stream> open = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<String, Integer> perPrincipal = new ConcurrentHashMap<>();
    private volatile boolean closed;

    BuildEventRoutes(BuildService builds, BuildEvents events, TokenService tokens, SessionService sessions, Duration heartbeat,
                     int maxStreamsPerPrincipal) {
        this.builds = builds;
        this.events = events;
        this.tokens = tokens;
        this.sessions = sessions;
        this.heartbeat = heartbeat;
        this.maxStreamsPerPrincipal = maxStreamsPerPrincipal;
    }

    /** {@code GET /api/v1/builds/{buildId}/events}: the build is resolved (and visible) by the route's access. */
    void buildStream(Context ctx, Caller caller) throws InterruptedException {
        Build build = caller.build();
        stream(ctx, caller.credential(), p -> p.canSeeOrg(build.orgId()), change -> change.buildId().equals(build.id()),
                () -> builds.find(build.id()).stream().toList());
    }

    /** {@code GET /api/v1/adapters/{engineId}/events}: every build of the adapter the route's access resolved. */
    void adapterStream(Context ctx, Caller caller) throws InterruptedException {
        Adapter adapter = caller.adapter();
        stream(ctx, caller.credential(), p -> p.canSeeOrg(adapter.orgId()), change -> change.engineId().equals(adapter.engineId()),
                () -> builds.list(adapter.engineId(), Set.of()).reversed());
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

    /**
     * Takes one of the principal's stream places, or refuses with 429 when it holds them all. Counted per principal
     * name on this node.
     */
    private void admit(Context ctx, Principal principal) {
        boolean[] admitted = {false};
        perPrincipal.compute(principal.name(), (name, n) -> {
            int count = n == null ? 0 : n;
            if (count >= maxStreamsPerPrincipal) return n;
            admitted[0] = true;
            return count + 1;
        });
        if (!admitted[0]) {
            ctx.header("Retry-After", String.valueOf(RETRY_AFTER_SECONDS));
            throw new ApiException(ApiErrorCode.TOO_MANY_STREAMS, principal.name() + " already has " + maxStreamsPerPrincipal
                    + " event streams open (sse.max-streams-per-principal): close one, or reuse an adapter's stream"
                    + " (GET /api/v1/adapters/{engineId}/events) for several builds", Map.of("limit", maxStreamsPerPrincipal));
        }
    }

    private void release(Principal principal) {
        perPrincipal.computeIfPresent(principal.name(), (name, n) -> n <= 1 ? null : n - 1);
    }

    /**
     * True while the stream's credential still holds: the bearer token has not expired, the principal still exists
     * (a revoked robot does not) and may still see what the stream shows.
     */
    private boolean stillAllowed(TokenService.ApiCredential credential, Predicate<Principal> access) {
        if (credential.expires() != null && !Instant.now().isBefore(credential.expires())) return false;
        Optional<Principal> now = tokens.current(credential.principal());
        return now.isPresent() && access.test(now.get());
    }

    private void stream(Context ctx, TokenService.ApiCredential credential, Predicate<Principal> access,
                        Predicate<BuildChanged> filter, Supplier<List<Build>> snapshot) throws InterruptedException {
        if (credential.expires() != null && !Instant.now().isBefore(credential.expires())) {
            // Within the clock-skew leeway other requests get, but a stream would end at once: refuse it plainly.
            throw new ApiException(ApiErrorCode.UNAUTHENTICATED, "the bearer token has expired: log in again"
                    + " (POST /api/v1/login) and open the stream with the new token");
        }
        admit(ctx, credential.principal());
        try {
            stream(ctx, credential, access, filter, snapshot, new Stream());
        } finally {
            release(credential.principal());
        }
    }

    /** False once the session a cookie-authenticated stream was opened with has ended (signed out, expired). */
    private boolean sessionStillOpen(Context ctx) {
        if (ctx.header("Authorization") != null) return true;
        return sessions.find(ctx.cookie(SessionResource.COOKIE)).isPresent();
    }

    private void stream(Context ctx, TokenService.ApiCredential credential, Predicate<Principal> access,
                        Predicate<BuildChanged> filter, Supplier<List<Build>> snapshot, Stream stream) throws InterruptedException {
        // Subscribe before reading the snapshot: a change in between is sent after it rather than lost. Changes made on
        // other nodes arrive too, within events.poll-interval (BuildEventFeed).
        Runnable unsubscribe = events.subscribeAllNodes(change -> {
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
                long wait = heartbeat.toMillis();
                if (credential.expires() != null) {
                    wait = Math.min(wait, Math.max(0, Duration.between(Instant.now(), credential.expires()).toMillis()));
                }
                Object next = stream.queue.poll(wait, TimeUnit.MILLISECONDS);
                if (next == END || stream.ended) break;
                if (!stillAllowed(credential, access) || !sessionStillOpen(ctx)) {
                    // Revoked, expired, or no longer allowed to see this: say so and end (the client re-authenticates).
                    write(out, ": credentials expired or revoked; reconnect with valid credentials\n\n");
                    break;
                }
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
