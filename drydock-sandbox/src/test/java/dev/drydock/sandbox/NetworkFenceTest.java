package dev.drydock.sandbox;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NetworkFenceTest {
    /** Rules as {@code iptables -S} prints them, CNI's quoted comments included, split back into the words to delete them. */
    @Test
    void rulesSplitIntoTheirArgumentsKeepingQuotedComments() {
        assertThat(NetworkFence.tokens("CNI-ISOLATION-STAGE-1 -i ddsb0ddba11 ! -o ddsb0ddba11 -m comment --comment"
                + " \"CNI firewall plugin rules (ingressPolicy: same-bridge)\" -j CNI-ISOLATION-STAGE-2"))
                .containsExactly("CNI-ISOLATION-STAGE-1", "-i", "ddsb0ddba11", "!", "-o", "ddsb0ddba11", "-m", "comment", "--comment",
                        "CNI firewall plugin rules (ingressPolicy: same-bridge)", "-j", "CNI-ISOLATION-STAGE-2");
        assertThat(NetworkFence.tokens("INPUT -i ddsb1 -j DDSB-1")).containsExactly("INPUT", "-i", "ddsb1", "-j", "DDSB-1");
        assertThat(NetworkFence.tokens("X -m comment --comment \"\" -j RETURN")).containsExactly("X", "-m", "comment", "--comment", "", "-j", "RETURN");
    }

    /**
     * A bridge with no container on it in Drydock's network namespace (here: none at all) is what a Drydock in a
     * container without the host's network sees once the engine started the run's container on the host's bridge.
     */
    @Test
    void aContainerNotOnTheBridgeHereNamesTheHostNetwork() {
        assertThat(NetworkFence.attachmentProblem("ddsbnotthere"))
                .contains("not on bridge ddsbnotthere", "--network host", "hostNetwork");
        // the loopback interface is no bridge: no ports listed, so the same answer
        assertThat(NetworkFence.attachmentProblem("lo")).contains("not on bridge lo");
    }
}
