package dev.drydock.platform.access;

import dev.drydock.platform.ApiErrorCode;
import dev.drydock.platform.db.Database;
import dev.drydock.platform.db.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class LoginThrottleTest {
    private static final String ADDRESS = "192.0.2.7";

    /** A clock the test moves by hand. */
    private static final class TestClock implements InstantSource {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public Instant instant() {
            return now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }
    }

    private final TestClock clock = new TestClock();
    /** One database for the class (migrating one per test would cost more than the tests), emptied before each. */
    private static Database db;

    @BeforeAll
    static void open() {
        db = TestDatabase.open();
    }

    @AfterAll
    static void close() {
        db.close();
    }

    @BeforeEach
    void empty() {
        db.jdbi().useHandle(h -> h.execute("delete from login_failures"));
    }

    /** A node's throttle: every one made here shares the test's database, as the nodes of a cluster share theirs. */
    private LoginThrottle throttle(int perAccount, int perAddress, int maxEntries) {
        return new LoginThrottle(db.jdbi(), new LoginThrottle.Limits(perAccount, perAddress, Duration.ofMinutes(1),
                Duration.ofMinutes(15), 2, 1, maxEntries, Duration.ofSeconds(1)), clock);
    }

    /** A failed sign-in, as TokenService reports it: checked first (it must not be refused), then counted. */
    private static boolean fail(LoginThrottle t, String account, String address) {
        return t.check(account, address).failed();
    }

    private static long refusedFor(LoginThrottle t, String account, String address) {
        try {
            t.check(account, address);
            return 0;
        } catch (LoginThrottle.Throttled e) {
            assertThat(e.code()).isEqualTo(ApiErrorCode.TOO_MANY_ATTEMPTS);
            assertThat(e.getMessage()).startsWith("too many failed sign-ins for this account or address: wait ");
            return e.retryAfter();
        }
    }

    @Test
    void anAccountIsBackedOffAfterItsFreeFailuresWithAGrowingCappedWait() {
        LoginThrottle t = throttle(5, 1000, 100);
        for (int i = 1; i <= 4; i++) {
            assertThat(fail(t, "Dev@Acme.test", ADDRESS)).isFalse();
            assertThat(refusedFor(t, "dev@acme.test", ADDRESS)).isZero();
        }
        assertThat(fail(t, "dev@acme.test", ADDRESS)).as("the 5th failure starts a backoff").isTrue();
        // case-insensitive, and from any address
        assertThat(refusedFor(t, "DEV@acme.test", "198.51.100.1")).isEqualTo(1);
        clock.advance(Duration.ofMillis(1000));
        assertThat(refusedFor(t, "dev@acme.test", ADDRESS)).isZero();
        fail(t, "dev@acme.test", ADDRESS);
        assertThat(refusedFor(t, "dev@acme.test", ADDRESS)).isEqualTo(2);
        for (int i = 0; i < 10; i++) {
            clock.advance(Duration.ofMinutes(1));
            fail(t, "dev@acme.test", ADDRESS);
        }
        assertThat(refusedFor(t, "dev@acme.test", ADDRESS)).as("capped at the account's max backoff").isEqualTo(60);
        assertThat(refusedFor(t, "other@acme.test", ADDRESS)).as("other accounts are not affected").isZero();
    }

    @Test
    void aSuccessResetsTheAccount() {
        LoginThrottle t = throttle(5, 1000, 100);
        for (int i = 0; i < 4; i++) fail(t, "dev@acme.test", ADDRESS);
        t.check("DEV@acme.test", ADDRESS).succeeded();
        for (int i = 0; i < 4; i++) assertThat(fail(t, "dev@acme.test", ADDRESS)).isFalse();
        assertThat(refusedFor(t, "dev@acme.test", ADDRESS)).isZero();
    }

    @Test
    void anAddressIsBackedOffAcrossAccountsAndASuccessDoesNotResetIt() {
        LoginThrottle t = throttle(100, 3, 100);
        fail(t, "a@acme.test", ADDRESS);
        fail(t, "b@acme.test", ADDRESS);
        t.check("c@acme.test", ADDRESS).succeeded();
        assertThat(fail(t, "d@acme.test", ADDRESS)).isTrue();
        assertThat(refusedFor(t, "e@acme.test", ADDRESS)).isEqualTo(1);
        assertThat(refusedFor(t, "e@acme.test", "198.51.100.1")).as("another address").isZero();
        // a quiet address starts over
        clock.advance(Duration.ofHours(1));
        assertThat(fail(t, "a@acme.test", ADDRESS)).isFalse();
        // and so does one failing now and then (people behind one NAT): counted per 15-minute window
        for (int i = 0; i < 10; i++) {
            clock.advance(Duration.ofMinutes(8)); // at most 2 in any 15 minutes: below the 3 allowed
            fail(t, "someone-" + i + "@acme.test", ADDRESS);
            assertThat(refusedFor(t, "e@acme.test", ADDRESS)).as("failure %d", i).isZero();
        }
    }

    @Test
    void withoutAnAccountOnlyTheAddressCounts() {
        LoginThrottle t = throttle(1, 3, 100);
        assertThat(fail(t, null, ADDRESS)).isFalse();
        assertThat(refusedFor(t, null, ADDRESS)).isZero();
        fail(t, null, ADDRESS);
        assertThat(fail(t, null, ADDRESS)).isTrue();
        assertThat(refusedFor(t, null, ADDRESS)).isEqualTo(1);
        assertThat(refusedFor(t, "dev@acme.test", "198.51.100.1")).isZero();
    }

    @Test
    void storedStateStaysBoundedUnderASprayOfRandomAccountsAndQuietKeysArePruned() {
        int max = 10;
        LoginThrottle t = throttle(5, 1_000_000, max);
        for (int i = 0; i < 100; i++) {
            clock.advance(Duration.ofMillis(1));
            fail(t, "spray-" + i + "@example.test", "10.0." + (i / 256 % 256) + "." + (i % 256));
        }
        // each kind is pruned to its maximum every max/10 failures
        assertThat(t.size()).isLessThanOrEqualTo(2 * (max + max / 10));
        // the most recent keys are the ones kept
        clock.advance(Duration.ofSeconds(1));
        for (int i = 0; i < 4; i++) fail(t, "spray-99@example.test", ADDRESS);
        assertThat(refusedFor(t, "spray-99@example.test", ADDRESS)).isEqualTo(1);
        // keys quiet for twice their longest backoff count as none: pruned (within a minute, at the next failure)
        clock.advance(Duration.ofMinutes(31));
        fail(t, "late@example.test", "198.51.100.9");
        assertThat(t.size()).isEqualTo(2);
    }

    // ---------------------------------------------------------------- several nodes on one database

    @Test
    void failuresThroughOneNodeCountOnAnother() {
        LoginThrottle a = throttle(5, 8, 100);
        LoginThrottle b = throttle(5, 8, 100);
        for (int i = 0; i < 4; i++) fail(i % 2 == 0 ? a : b, "dev@acme.test", ADDRESS);
        assertThat(fail(b, "dev@acme.test", ADDRESS)).as("the 5th failure, whichever nodes saw the others").isTrue();
        assertThat(refusedFor(a, "dev@acme.test", "198.51.100.1")).isEqualTo(1);
        assertThat(refusedFor(b, "dev@acme.test", "198.51.100.1")).isEqualTo(1);
        // a success on one node resets the account for all
        clock.advance(Duration.ofSeconds(1));
        a.check("dev@acme.test", ADDRESS).succeeded();
        assertThat(fail(b, "dev@acme.test", "198.51.100.1")).isFalse();
        // the address: 5 failures above (a success does not reset it), 3 more of other accounts across the nodes
        fail(a, "x@acme.test", ADDRESS);
        fail(b, "y@acme.test", ADDRESS);
        assertThat(fail(a, "z@acme.test", ADDRESS)).isTrue();
        assertThat(refusedFor(b, "anyone@acme.test", ADDRESS)).isEqualTo(1);
    }

    @Test
    void concurrentFailuresOnTwoNodesAreAllCounted() throws Exception {
        LoginThrottle a = throttle(1000, 1000, 1000);
        LoginThrottle b = throttle(1000, 1000, 1000);
        int threads = 4;
        int each = 6;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int n = 0; n < threads; n++) {
            LoginThrottle node = n % 2 == 0 ? a : b;
            done.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < each; i++) fail(node, "dev@acme.test", ADDRESS);
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : done) f.get(60, TimeUnit.SECONDS);
        pool.shutdown();
        List<Integer> counts = db.jdbi().withHandle(h -> h.createQuery("select failures from login_failures order by scope")
                .mapTo(Integer.class).list());
        assertThat(counts).as("account, address: no failure lost to a race").containsExactly(threads * each, threads * each);
    }

    @Test
    void thePasswordPoolRunsAtMostItsSlotsAndRefusesBeyondItsQueue() throws Exception {
        LoginThrottle t = throttle(5, 20, 100); // 2 slots, 1 waiting
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(2);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> t.hashing(() -> hold(running, release)), pool);
        CompletableFuture<String> second = CompletableFuture.supplyAsync(() -> t.hashing(() -> hold(running, release)), pool);
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<String> queued = CompletableFuture.supplyAsync(() -> t.hashing(() -> "queued"), pool);
        await().atMost(Duration.ofSeconds(10)).until(() -> t.waitingForHashing() == 1);
        assertThatThrownBy(() -> t.hashing(() -> "refused"))
                .isInstanceOfSatisfying(LoginThrottle.Throttled.class, e -> {
                    assertThat(e.retryAfter()).isEqualTo(1);
                    assertThat(e.getMessage()).contains("too many sign-ins are being checked at once");
                });
        release.countDown();
        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("done");
        assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo("done");
        assertThat(queued.get(10, TimeUnit.SECONDS)).isEqualTo("queued");
        pool.shutdown();
    }

    private static String hold(CountDownLatch running, CountDownLatch release) {
        running.countDown();
        try {
            release.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "done";
    }
}
