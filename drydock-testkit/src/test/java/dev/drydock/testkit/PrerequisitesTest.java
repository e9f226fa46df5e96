package dev.drydock.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

class PrerequisitesTest {
    @Test
    void aMissingPrerequisiteSkipsLocallyAndFailsOnCi() {
        assertThatThrownBy(() -> Prerequisites.missing("rpm is missing (install the Debian package rpm)", false))
                .isInstanceOf(TestAbortedException.class)
                .hasMessage("rpm is missing (install the Debian package rpm); skipping (on CI this fails)");
        assertThatThrownBy(() -> Prerequisites.missing("rpm is missing (install the Debian package rpm)", true))
                .isInstanceOf(AssertionError.class)
                .hasMessage("rpm is missing (install the Debian package rpm); CI=true and .ci/run installs it, so this is a failure");
    }

    @Test
    void presentPrerequisitesPass() {
        Prerequisites.require(true, "anything", "any-package");
        Prerequisites.require("not installed", List.of());
        Prerequisites.requireTools("sh");
        assertThat(Prerequisites.onPath("sh")).isNotNull();
        assertThat(Prerequisites.onPath("no-such-tool-anywhere")).isNull();
    }
}
