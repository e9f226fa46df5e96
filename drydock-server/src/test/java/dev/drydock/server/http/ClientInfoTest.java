package dev.drydock.server.http;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which peers count as trusted proxies: CIDR edges, IPv6, IPv4-mapped IPv6, and no DNS for names. */
class ClientInfoTest {

    @Test
    void matchesIpv4AndIpv6RangesAtTheirEdges() {
        ClientInfo info = new ClientInfo(ClientInfo.parse("10.1.0.0/16,fd00::/8,192.0.2.7"));
        assertThat(info.trusts("10.1.0.0")).isTrue();
        assertThat(info.trusts("10.1.255.255")).isTrue();
        assertThat(info.trusts("10.2.0.0")).isFalse();
        assertThat(info.trusts("10.0.255.255")).isFalse();
        assertThat(info.trusts("192.0.2.7")).isTrue();
        assertThat(info.trusts("192.0.2.8")).isFalse();
        assertThat(info.trusts("fd12:3456::1")).isTrue();
        assertThat(info.trusts("[fdff::1]")).as("bracketed, as some servers report IPv6 peers").isTrue();
        assertThat(info.trusts("fe00::1")).isFalse();
        assertThat(info.trusts("::ffff:10.1.2.3")).as("an IPv4-mapped IPv6 peer is its IPv4 address").isTrue();
    }

    @Test
    void theDefaultTrustsLoopbackOnlyAndNamesNeverMatch() {
        ClientInfo info = new ClientInfo(ClientInfo.parse("127.0.0.1/32,::1/128"));
        assertThat(info.trusts("127.0.0.1")).isTrue();
        assertThat(info.trusts("0:0:0:0:0:0:0:1")).isTrue();
        assertThat(info.trusts("127.0.0.2")).isFalse();
        assertThat(info.trusts("localhost")).as("no DNS look-up").isFalse();
        assertThat(new ClientInfo(List.of()).trusts("127.0.0.1")).as("empty: trust none").isFalse();
    }

    @Test
    void badEntriesAreNamed() {
        assertThatThrownBy(() -> ClientInfo.parse("10.0.0.0/8,proxy.local")).hasMessageContaining("'proxy.local'");
        assertThatThrownBy(() -> ClientInfo.parse("::1/200")).hasMessageContaining("'::1/200'").hasMessageContaining("0-128");
    }
}
