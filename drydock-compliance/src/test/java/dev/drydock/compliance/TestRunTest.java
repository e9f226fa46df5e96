package dev.drydock.compliance;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class TestRunTest {
    @Test
    void graceIsAQuarterOfTheLimitWithinOneAndSixtySeconds() {
        assertThat(TestRun.start(Duration.ofMinutes(10)).grace()).isEqualTo(Duration.ofSeconds(60));
        assertThat(TestRun.start(Duration.ofSeconds(2)).grace()).isEqualTo(Duration.ofSeconds(1));
        assertThat(TestRun.start(Duration.ofSeconds(40)).grace()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void whoeverGivesUpWaitsTwoGracesAndSaysSoInGoSpelling() {
        TestRun run = TestRun.start(Duration.ofMinutes(10));
        assertThat(run.giveUpAfter()).isEqualTo(Duration.ofMinutes(2));
        assertThat(run.gaveUp()).isEqualTo(
                "Timed out after 10m0s: testing must finish within that time (it did not stop 2m0s after the limit)");
    }
}
