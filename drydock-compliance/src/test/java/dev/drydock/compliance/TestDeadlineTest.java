package dev.drydock.compliance;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class TestDeadlineTest {
    @Test
    void graceIsAQuarterOfTheLimitWithinOneAndSixtySeconds() {
        assertThat(TestDeadline.after(Duration.ofMinutes(10)).grace()).isEqualTo(Duration.ofSeconds(60));
        assertThat(TestDeadline.after(Duration.ofSeconds(2)).grace()).isEqualTo(Duration.ofSeconds(1));
        assertThat(TestDeadline.after(Duration.ofSeconds(40)).grace()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void whoeverGivesUpSaysAfterHowLongInGoSpelling() {
        assertThat(TestDeadline.after(Duration.ofMinutes(10)).notStopped()).isEqualTo(
                "Timed out after 10m0s: testing must finish within that time (it did not stop 2m0s after the limit)");
    }
}
