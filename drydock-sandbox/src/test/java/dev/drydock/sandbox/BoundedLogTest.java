package dev.drydock.sandbox;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BoundedLogTest {
    private static void write(BoundedLog log, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        log.write(b, 0, b.length);
    }

    @Test
    void keepsLinesUpToTheLineLimitAndMarksTheCut() {
        BoundedLog log = new BoundedLog(3, 1000);
        write(log, "a\nb\r\nc\nd\ne");
        CapturedOutput out = log.snapshot();
        assertThat(out.lines()).containsExactly("a", "b", "c", BoundedLog.TRUNCATED_MARKER);
        assertThat(out.truncated()).isTrue();
        assertThat(out.totalLines()).isEqualTo(5);
        assertThat(out.totalBytes()).isEqualTo(10);
        assertThat(out.complete()).isTrue();
    }

    @Test
    void keepsBytesUpToTheByteLimitEvenForOneHugeLine() {
        BoundedLog log = new BoundedLog(100, 10);
        write(log, "x".repeat(1_000_000));
        write(log, "\nnext\n");
        CapturedOutput out = log.snapshot();
        assertThat(out.lines()).containsExactly("x".repeat(10), BoundedLog.TRUNCATED_MARKER);
        assertThat(out.totalBytes()).isEqualTo(1_000_006);
    }

    @Test
    void untruncatedOutputHasNoMarkerAndKeepsAPartialLastLine() {
        BoundedLog log = new BoundedLog();
        write(log, "one\ntwo");
        assertThat(log.snapshot().lines()).containsExactly("one", "two");
        assertThat(log.snapshot().truncated()).isFalse();
    }

    @Test
    void stoppedEarlyOnAStreamThatWasNotFullMergesTheOverlap() {
        BoundedLog log = new BoundedLog(100, 1000);
        write(log, "a\nb\n");
        log.stoppedEarly(List.of("a", "b"));
        assertThat(log.snapshot().lines()).containsExactly("a", "b");
        assertThat(log.snapshot().complete()).isTrue();
        log.stoppedEarly(List.of("b", "c"));
        assertThat(log.snapshot().lines()).containsExactly("a", "b", "c");
        log.stoppedEarly(List.of("x", "y"));
        assertThat(log.snapshot().lines()).containsExactly("a", "b", "c", BoundedLog.TRUNCATED_MARKER, "x", "y");
    }

    @Test
    void stoppedEarlyKeepsTheLastLinesAfterTheMarker() {
        BoundedLog log = new BoundedLog(2, 1000);
        write(log, "1\n2\n3\n");
        log.stoppedEarly(List.of("99", "100"));
        CapturedOutput out = log.snapshot();
        assertThat(out.lines()).containsExactly("1", "2", BoundedLog.TRUNCATED_MARKER, "99", "100");
        assertThat(out.complete()).isFalse();
    }

    @Test
    void lastLinesKeepsTheEndOfTheStreamWithLongLinesCut() {
        BoundedLog.LastLines last = new BoundedLog.LastLines(3, 5);
        for (String part : List.of("one\ntwo\nthr", "ee\nfour-and-more\r\nfi", "ve")) last.write(part.getBytes(StandardCharsets.UTF_8));
        assertThat(last.lines()).containsExactly("three", "four-", "five");
        last.write("\n".getBytes(StandardCharsets.UTF_8));
        assertThat(last.lines()).containsExactly("three", "four-", "five");
    }
}

