package dev.drydock.platform.builds;

import dev.drydock.oci.Digest;
import dev.drydock.oci.MediaTypes;
import dev.drydock.platform.AuditLog;
import dev.drydock.platform.adapters.AdapterService;
import dev.drydock.platform.db.Database;
import dev.drydock.platform.db.TestDatabase;
import dev.drydock.platform.identity.Principal;
import dev.drydock.platform.jobs.JobQueue;
import dev.drydock.registry.events.RegistryEvent;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two nodes on one database (two {@link BuildService}s with their own {@link BuildEvents}): each node's all-nodes
 * listeners hear the other's changes through its {@link BuildEventFeed}, exactly once and in order, and their own
 * changes once (as they commit, not again from the feed); this-node listeners never hear the other node.
 */
class BuildEventFeedTest {
    private static final long ORG = 17532;
    private static final Principal DEV = new Principal.User(1, "dev@acme.test", null, Map.of(ORG, Principal.OrgRole.developer));
    private final InstantSource clock = InstantSource.system();
    private Database db;
    private Jdbi jdbi;
    private Node a;
    private Node b;
    private int pushes;

    private record Node(BuildEvents events, BuildService builds) {}

    @BeforeEach
    void open() {
        db = TestDatabase.open(8);
        jdbi = db.jdbi();
        jdbi.useHandle(h -> h.execute("insert into orgs (id, name, created_at) values (?, ?, ?)", ORG, "Acme", clock.instant()));
        a = node();
        b = node();
        new AdapterService(jdbi, a.builds(), new AuditLog(jdbi, clock), clock)
                .register(DEV, ORG, "adapter", "pull", "FullyNetworkIsolated", "batch");
    }

    private Node node() {
        BuildEvents events = new BuildEvents();
        return new Node(events, new BuildService(jdbi, new JobQueue(jdbi, clock), events, new AuditLog(jdbi, clock), clock));
    }

    @AfterEach
    void close() {
        if (!TestDatabase.onPostgres()) {
            try {
                jdbi.useHandle(h -> h.execute("shutdown"));
            } catch (RuntimeException expected) {
                // the connection closes under the statement
            }
        }
        db.close();
    }

    @Test
    void eachNodeHearsTheOthersChangesOnceAndItsOwnOnce() {
        BuildEventFeed feedOfB = new BuildEventFeed(jdbi, b.events(), Duration.ofMillis(100));
        List<String> heardOnB = new CopyOnWriteArrayList<>();
        List<String> localOnB = new CopyOnWriteArrayList<>();
        b.events().subscribeAllNodes(c -> heardOnB.add(c.buildId() + " " + c.to() + " " + c.engineId() + " " + c.orgId()));
        b.events().subscribe(c -> localOnB.add(c.buildId()));

        String first = push(a);
        a.builds().act(DEV, first, BuildAction.delete, "gone");
        String second = push(b);
        assertThat(feedOfB.poll()).as("A's two changes").isEqualTo(2);
        assertThat(feedOfB.poll()).as("nothing new").isZero();
        String engineId = a.builds().find(first).orElseThrow().engineId();
        assertThat(heardOnB).containsExactly(second + " pending " + engineId + " " + ORG, first + " pending " + engineId + " " + ORG,
                first + " deleted " + engineId + " " + ORG);
        assertThat(localOnB).as("this-node listeners hear only B's own change").containsExactly(second);
        assertThat(feedOfB.queries()).isEqualTo(2);
    }

    @Test
    void theFeedStartedLaterHearsOnlyNewChangesAndItsThreadDeliversWithinTheInterval() {
        push(a); // before the feed existed: not replayed
        try (BuildEventFeed feed = new BuildEventFeed(jdbi, b.events(), Duration.ofMillis(50))) {
            List<BuildChanged> heard = new CopyOnWriteArrayList<>();
            b.events().subscribeAllNodes(heard::add);
            feed.start();
            String build = push(a);
            await().atMost(Duration.ofSeconds(10)).until(() -> heard.size() == 1);
            assertThat(heard.getFirst().buildId()).isEqualTo(build);
            assertThat(heard.getFirst().action()).isEqualTo("push");
            assertThat(heard.getFirst().actor()).isEqualTo(DEV.name());
        }
    }

    @Test
    void aChangeCommittedAfterAHigherOneIsStillHeard() {
        BuildEventFeed feed = new BuildEventFeed(jdbi, b.events(), Duration.ofMillis(100));
        List<String> heard = new CopyOnWriteArrayList<>();
        b.events().subscribeAllNodes(c -> heard.add(c.buildId()));
        // A's transaction takes its history id, then another commits a higher one before A commits
        String build = push(a);
        long id = jdbi.withHandle(h -> h.createQuery("select max(id) from build_history").mapTo(Long.class).one());
        jdbi.useHandle(h -> h.execute("update build_history set id = ? where id = ?", id + 5, id)); // id ran ahead
        jdbi.useHandle(h -> h.execute("update build_history set node = 'other' where id = ?", id + 5));
        assertThat(feed.poll()).isEqualTo(1);
        // the late row, with an id in the gap the feed still waits for
        jdbi.useHandle(h -> h.execute("insert into build_history (id, build_id, at, actor, action, from_state, to_state, node)"
                + " values (?, ?, ?, 'late', 'delete', 'pending', 'deleted', 'other')", id + 2, build, clock.instant()));
        assertThat(feed.poll()).isEqualTo(1);
        assertThat(feed.poll()).isZero();
        assertThat(heard).containsExactly(build, build);
    }

    private String push(Node node) {
        int n = ++pushes;
        return node.builds().onManifestPushed(new RegistryEvent.ManifestPushed(ORG, ORG + "/adapter", "v" + n,
                Digest.sha256(("image " + n).getBytes(StandardCharsets.UTF_8)), MediaTypes.OCI_MANIFEST, DEV.name()))
                .orElseThrow().id();
    }
}
