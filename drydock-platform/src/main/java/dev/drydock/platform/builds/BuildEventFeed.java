package dev.drydock.platform.builds;

import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Brings the build changes other nodes make to this node's {@link BuildEvents#subscribeAllNodes} listeners (event
 * streams): every {@code interval}, one query reads the {@code build_history} rows added since the last read, and those
 * another node made (its {@code node} column) are published here; this node's own were published as they committed.
 * One feed per node, whatever the number of streams, so the database's cost is one indexed range query per interval
 * per node, and a change reaches every node's streams within about one interval.
 *
 * <p>History ids are handed out when a row is inserted but become visible when its transaction commits, so a row can
 * appear after a higher id was read. The feed therefore remembers the ids it skipped (gaps) and, while there are any,
 * reads their range again (a second query), until each appears or {@link #GAP_PATIENCE} passed (an id whose
 * transaction rolled back never appears). Changes of one adapter are made under a lock on its row, so they are read in
 * order.
 */
public final class BuildEventFeed implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BuildEventFeed.class);
    /** How long a missing history id is waited for: longer than any transaction that changes a build. */
    static final Duration GAP_PATIENCE = Duration.ofSeconds(30);
    /** Rows read per query: a burst is read over several intervals rather than at once. */
    static final int BATCH = 500;
    /** Most ids missing at once that are waited for. */
    static final int MAX_GAPS = 10_000;

    private final Jdbi jdbi;
    private final BuildEvents events;
    private final Duration interval;
    private ScheduledExecutorService scheduler;
    /** Every id at or below it has been read or given up. */
    private long floor;
    /** Ids above {@link #floor} already read. */
    private final Set<Long> seen = new HashSet<>();
    /** Ids above {@link #floor} not read yet, with when each was first missed (System.nanoTime). */
    private final TreeMap<Long, Long> gaps = new TreeMap<>();
    private long highest;
    private long queries;

    public BuildEventFeed(Jdbi jdbi, BuildEvents events, Duration interval) {
        this.jdbi = jdbi;
        this.events = events;
        this.interval = interval;
        this.floor = jdbi.withHandle(h -> h.createQuery("select coalesce(max(id), 0) from build_history")
                .mapTo(Long.class).one());
        this.highest = floor;
    }

    /** Reads every {@code interval} on a thread of its own. */
    public synchronized void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "drydock-event-feed");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                poll();
            } catch (RuntimeException e) {
                log.warn("reading other nodes' build changes failed (tried again in {}): {}", interval, e.toString());
            }
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Reads once; returns how many changes of other nodes it published. */
    public synchronized int poll() {
        long now = System.nanoTime();
        // ids still missing below the highest read: their transactions may have committed since (rarely any)
        List<Map<String, Object>> rows = new java.util.ArrayList<>();
        if (!gaps.isEmpty()) rows.addAll(read("h.id >= :from and h.id <= :to", gaps.firstKey(), gaps.lastKey()));
        rows.addAll(read("h.id > :from and h.id <= :to", highest, Long.MAX_VALUE));
        int published = 0;
        for (Map<String, Object> row : rows) {
            long id = ((Number) row.get("id")).longValue();
            if (id <= floor || !seen.add(id)) continue;
            gaps.remove(id);
            // ids skipped by a sequence's cache after a crash can be many: wait only for a plausible number
            if (id - highest <= MAX_GAPS) for (long missing = highest + 1; missing < id; missing++) gaps.put(missing, now);
            highest = Math.max(highest, id);
            if (events.node().equals(row.get("node"))) continue; // published here when it committed
            events.publishFromOtherNode(change(row));
            published++;
        }
        // raise the floor over what was read and over gaps waited for long enough
        long patience = GAP_PATIENCE.toNanos();
        gaps.entrySet().removeIf(gap -> now - gap.getValue() > patience);
        long newFloor = gaps.isEmpty() ? highest : gaps.firstKey() - 1;
        if (newFloor > floor) {
            floor = newFloor;
            seen.removeIf(id -> id <= floor);
        }
        return published;
    }

    private List<Map<String, Object>> read(String range, long from, long to) {
        queries++;
        return jdbi.withHandle(h -> h.createQuery("""
                        select h.id, h.node, h.build_id, h.at, h.actor, h.action, h.from_state, h.to_state, h.reason,
                               b.engine_id, b.org_id
                        from build_history h join builds b on b.id = h.build_id
                        where""" + " " + range + " order by h.id limit :batch")
                .bind("from", from).bind("to", to).bind("batch", BATCH).mapToMap().list());
    }

    /** Queries made so far (the feed's whole cost to the database). */
    public synchronized long queries() {
        return queries;
    }

    private static BuildChanged change(Map<String, Object> row) {
        String from = (String) row.get("from_state");
        return new BuildChanged((String) row.get("build_id"), (String) row.get("engine_id"),
                ((Number) row.get("org_id")).longValue(), from == null ? null : BuildState.valueOf(from),
                BuildState.valueOf((String) row.get("to_state")), (String) row.get("action"), (String) row.get("actor"),
                (String) row.get("reason"), instant(row.get("at")));
    }

    private static java.time.Instant instant(Object at) {
        return switch (at) {
            case java.time.OffsetDateTime o -> o.toInstant();
            case java.sql.Timestamp t -> t.toInstant();
            case java.time.Instant i -> i;
            default -> throw new IllegalStateException("unexpected time type " + at.getClass());
        };
    }

    /** Stops reading; a read in progress ends first (interrupting it would break its database connection). */
    @Override
    public void close() {
        ScheduledExecutorService s;
        synchronized (this) {
            s = scheduler;
        }
        if (s == null) return;
        s.shutdown();
        try {
            if (!s.awaitTermination(10, TimeUnit.SECONDS)) s.shutdownNow();
        } catch (InterruptedException e) {
            s.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
