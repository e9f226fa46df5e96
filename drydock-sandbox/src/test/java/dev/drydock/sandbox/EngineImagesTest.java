package dev.drydock.sandbox;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The image bookkeeping of one engine's runs: a removal never overlaps a pull (of any image: images share layers, and
 * removing one while another pulls made the cluster benchmark's builds fail with "layer not known"), and only the last
 * user of an image removes it.
 */
class EngineImagesTest {
    @Test
    void aRemovalWaitsForThePullsInFlight() throws Exception {
        EngineImages images = new EngineImages();
        List<String> order = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch pulling = new CountDownLatch(1);
        CountDownLatch finishPull = new CountDownLatch(1);
        images.acquire("q");
        images.acquire("p");
        Thread pull = Thread.ofVirtual().start(() -> images.pull(() -> {
            order.add("pull p starts");
            pulling.countDown();
            await(finishPull);
            order.add("pull p ends");
            return null;
        }));
        assertThat(pulling.await(10, TimeUnit.SECONDS)).isTrue();
        Thread removal = Thread.ofVirtual().start(() -> images.release("q", true, () -> order.add("remove q")));
        // the removal must not run while p's pull is in flight: give it every chance to, then let the pull end
        removal.join(200);
        assertThat(order).containsExactly("pull p starts");
        finishPull.countDown();
        pull.join(10_000);
        removal.join(10_000);
        assertThat(order).containsExactly("pull p starts", "pull p ends", "remove q");
    }

    @Test
    void onlyTheLastUserRemovesTheImageAndOnlyWhenAsked() {
        EngineImages images = new EngineImages();
        List<String> removed = new ArrayList<>();
        images.acquire("a");
        images.acquire("a");
        images.release("a", true, () -> removed.add("a"));
        assertThat(removed).isEmpty();
        images.release("a", true, () -> removed.add("a"));
        assertThat(removed).containsExactly("a");
        images.acquire("b");
        images.release("b", false, () -> removed.add("b"));
        assertThat(removed).containsExactly("a");
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
