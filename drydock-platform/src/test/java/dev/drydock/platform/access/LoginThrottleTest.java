package dev.drydock.platform.access;

import dev.drydock.platform.ApiErrorCode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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

    private LoginThrottle throttle(int perAccount, int perAddress, int maxEntries) {
        return new LoginThrottle(new LoginThrottle.Limits(perAccount, perAddress, Duration.ofMinutes(1), Duration.ofMinutes(15),
                2, 1, maxEntries, Duration.ofSeconds(1)), clock);
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
            assertThat(t.failed("Dev@Acme.test", ADDRESS)).isFalse();
            assertThat(refusedFor(t, "dev@acme.test", ADDRESS)).isZero();
        }
        assertThat(t.failed("dev@acme.test", ADDRESS)).as("the 5th failure starts a backoff").isTrue();
        // case-insensitive, and from any address
        assertThat(refusedFor(t, "DEV@acme.test", "198.51.100.1")).isEqualTo(1);
        clock.advance(Duration.ofMillis(1000));
        assertThat(refusedFor(t, "dev@acme.test", ADDRESS)).isZero();
        t.failed("dev@acme.test", ADDRESS);
        assertThat(refusedFor(t, "dev@acme.test", ADDRESS)).isEqualTo(2);
        for (int i = 0; i < 10; i++) {
            clock.advance(Duration.ofMinutes(1));
            t.failed("dev@acme.test", ADDRESS);
        }
        assertThat(refusedFor(t, "dev@acme.test", ADDRESS)).as("capped at the account's max backoff").isEqualTo(60);
        assertThat(refusedFor(t, "other@acme.test", ADDRESS)).as("other accounts are not affected").isZero();
    }

    @Test
    void aSuccessResetsTheAccount() {
        LoginThrottle t = throttle(5, 1000, 100);
        for (int i = 0; i < 4; i++) t.failed("dev@acme.test", ADDRESS);
        t.succeeded("DEV@acme.test");
        for (int i = 0; i < 4; i++) assertThat(t.failed("dev@acme.test", ADDRESS)).isFalse();
        assertThat(refusedFor(t, "dev@acme.test", ADDRESS)).isZero();
    }

    @Test
    void anAddressIsBackedOffAcrossAccountsAndASuccessDoesNotResetIt() {
        LoginThrottle t = throttle(100, 3, 100);
        t.failed("a@acme.test", ADDRESS);
        t.failed("b@acme.test", ADDRESS);
        t.succeeded("c@acme.test");
        assertThat(t.failed("d@acme.test", ADDRESS)).isTrue();
        assertThat(refusedFor(t, "e@acme.test", ADDRESS)).isEqualTo(1);
        assertThat(refusedFor(t, "e@acme.test", "198.51.100.1")).as("another address").isZero();
        // a quiet address starts over
        clock.advance(Duration.ofHours(1));
        assertThat(t.failed("a@acme.test", ADDRESS)).isFalse();
        // and so does one failing now and then (people behind one NAT): counted per 15-minute window
        for (int i = 0; i < 10; i++) {
            clock.advance(Duration.ofMinutes(8)); // at most 2 in any 15 minutes: below the 3 allowed
            t.failed("someone-" + i + "@acme.test", ADDRESS);
            assertThat(refusedFor(t, "e@acme.test", ADDRESS)).as("failure %d", i).isZero();
        }
    }

    @Test
    void withoutAnAccountOnlyTheAddressCounts() {
        LoginThrottle t = throttle(1, 3, 100);
        assertThat(t.failed(null, ADDRESS)).isFalse();
        assertThat(refusedFor(t, null, ADDRESS)).isZero();
        t.failed(null, ADDRESS);
        assertThat(t.failed(null, ADDRESS)).isTrue();
        assertThat(refusedFor(t, null, ADDRESS)).isEqualTo(1);
        assertThat(refusedFor(t, "dev@acme.test", "198.51.100.1")).isZero();
    }

    @Test
    void memoryStaysBoundedUnderASprayOfRandomAccounts() {
        LoginThrottle t = throttle(5, 1_000_000, 1000);
        for (int i = 0; i < 50_000; i++) t.failed("spray-" + i + "@example.test", "10.0." + (i / 256 % 256) + "." + (i % 256));
        assertThat(t.size()).isLessThanOrEqualTo(2000);
        // the most recent keys are the ones kept
        for (int i = 0; i < 4; i++) t.failed("spray-49999@example.test", ADDRESS);
        assertThat(refusedFor(t, "spray-49999@example.test", ADDRESS)).isEqualTo(1);
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
