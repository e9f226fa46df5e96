package dev.drydock.platform.db;

import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Leasing as the webhook outbox spells it (a leased row stays pending, a completed one is deleted); the build-test
 * jobs' spelling is covered through {@code JobQueueTest}.
 */
class LeaseQueueTest {
    private static final Duration LEASE = Duration.ofSeconds(30);

    /** A clock the test moves by hand. */
    private static final class Clock implements InstantSource {
        volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final Database db = TestDatabase.open();
    private final Jdbi jdbi = db.jdbi();
    private final Clock clock = new Clock();
    private final LeaseQueue outbox = new LeaseQueue(jdbi, clock,
            new LeaseQueue.Table("webhook_outbox", "next_attempt_at", "pending", "pending", true, 2000));

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void aClaimIsExclusiveUntilTheLeaseExpires() {
        long id = row();
        assertThat(outbox.claim(id, "a", LEASE, clock.now)).isTrue();
        assertThat(outbox.claim(id, "b", LEASE, clock.now)).as("held by a").isFalse();
        assertThat(outbox.holds(id, "a")).isTrue();
        assertThat(outbox.renew(id, "b", LEASE)).as("not b's to renew").isFalse();
        assertThat(outbox.renew(id, "a", LEASE)).isTrue();

        clock.now = clock.now.plus(LEASE).plusSeconds(1); // a stalled
        assertThat(outbox.claim(id, "b", LEASE, clock.now)).as("expired: due again").isTrue();
        assertThat(outbox.holds(id, "a")).isFalse();
        assertThat(attempts(id)).isEqualTo(2);
        jdbi.useHandle(h -> outbox.complete(h, id, "a"));
        assertThat(count()).as("a cannot end b's lease").isEqualTo(1);
    }

    @Test
    void completingDeletesTheRow() {
        long id = row();
        outbox.claim(id, "a", LEASE, clock.now);
        jdbi.useHandle(h -> outbox.complete(h, id, "a"));
        assertThat(count()).isZero();
    }

    @Test
    void aRowGivenBackIsDueAtItsTimeWithTheError() {
        long id = row();
        outbox.claim(id, "a", LEASE, clock.now);
        jdbi.useHandle(h -> outbox.retryAt(h, id, "a", clock.now.plusSeconds(60), "HTTP 500"));
        assertThat(outbox.holds(id, "a")).isFalse();
        assertThat(outbox.claim(id, "b", LEASE, clock.now)).as("not yet").isFalse();
        clock.now = clock.now.plusSeconds(60);
        assertThat(outbox.claim(id, "b", LEASE, clock.now)).isTrue();
        assertThat(column(id, "last_error")).isEqualTo("HTTP 500");
    }

    @Test
    void aFailedRowIsNeverDueAgain() {
        long id = row();
        outbox.claim(id, "a", LEASE, clock.now);
        jdbi.useHandle(h -> outbox.fail(h, id, "a", "x".repeat(3000)));
        clock.now = clock.now.plus(LEASE).plusSeconds(1);
        assertThat(outbox.claim(id, "b", LEASE, clock.now)).isFalse();
        assertThat(column(id, "state")).isEqualTo("failed");
        assertThat(column(id, "last_error")).as("cut to the column's size").hasSize(2000);
    }

    @Test
    void releasingGivesBackEveryRowTheOwnerHolds() {
        long mine = row();
        long theirs = row();
        outbox.claim(mine, "a", LEASE, clock.now);
        outbox.claim(theirs, "b", LEASE, clock.now);
        assertThat(outbox.releaseAll("a")).isEqualTo(1);
        assertThat(outbox.claim(mine, "c", LEASE, clock.now)).as("due at once").isTrue();
        assertThat(outbox.holds(theirs, "b")).isTrue();
    }

    @Test
    void claimNextSkipsARowAnotherWorkerIsClaimingInsteadOfWaitingForIt() throws Exception {
        long first = row();
        long second = row();
        // another worker between choosing the first row and committing its lease: it holds the row's lock
        try (org.jdbi.v3.core.Handle other = jdbi.open()) {
            other.begin();
            other.createQuery("select id from webhook_outbox where id = ? for update").bind(0, first).mapTo(Long.class).one();
            var claimer = java.util.concurrent.Executors.newSingleThreadExecutor();
            try {
                // without SKIP LOCKED this blocks on the lock (or takes nothing) until the other worker commits
                assertThat(claimer.submit(() -> outbox.claimNext("b", LEASE, clock.now, "id"))
                        .get(20, java.util.concurrent.TimeUnit.SECONDS)).contains(second);
            } finally {
                claimer.shutdownNow();
            }
            other.rollback();
        }
        assertThat(outbox.claimNext("c", LEASE, clock.now, "id")).contains(first);
        assertThat(outbox.claimNext("d", LEASE, clock.now, "id")).as("nothing left due").isEmpty();
        clock.now = clock.now.plus(LEASE).plusSeconds(1); // b and c stalled
        assertThat(outbox.claimNext("d", LEASE, clock.now, "id")).contains(first);
        assertThat(attempts(first)).isEqualTo(2);
    }

    // ---------------------------------------------------------------- helpers

    private long row() {
        jdbi.useHandle(h -> {
            h.execute("insert into orgs (id, name, created_at) values (1, 'Acme', ?) on conflict do nothing", clock.now);
            h.execute("insert into webhooks (id, org_id, url, secret, created_by, created_at)"
                    + " values ('w', 1, 'https://example.test/hook', 's', 'dev', ?) on conflict do nothing", clock.now);
        });
        return jdbi.withHandle(h -> h.createUpdate("""
                        insert into webhook_outbox (webhook_id, event_id, body, state, attempts, next_attempt_at, created_at, updated_at)
                        values ('w', 'e', '{}', 'pending', 0, :now, :now, :now)""")
                .bind("now", clock.now).executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
    }

    private int attempts(long id) {
        return Integer.parseInt(column(id, "attempts"));
    }

    private String column(long id, String name) {
        return jdbi.withHandle(h -> h.createQuery("select " + name + " from webhook_outbox where id = ?").bind(0, id)
                .mapTo(String.class).one());
    }

    private int count() {
        return jdbi.withHandle(h -> h.createQuery("select count(*) from webhook_outbox").mapTo(Integer.class).one());
    }
}
