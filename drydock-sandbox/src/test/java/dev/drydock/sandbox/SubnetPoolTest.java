package dev.drydock.sandbox;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The pools here are ranges no run network of this machine uses (runs take the default 10.213.0.0/16). */
class SubnetPoolTest {
    @Test
    void leasesDistinctSubnetsWithTheirGatewayUntilThePoolIsEmpty() {
        SubnetPool pool = new SubnetPool("10.251.0.0/22");
        assertThat(pool.size()).isEqualTo(4);
        Set<String> cidrs = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            SubnetPool.Subnet s = pool.lease(List.of());
            assertThat(s.cidr()).matches("10\\.251\\.[0-3]\\.0/24");
            assertThat(s.gateway()).isEqualTo(s.cidr().replace(".0/24", ".1"));
            cidrs.add(s.cidr());
        }
        assertThat(cidrs).hasSize(4);
        assertThatThrownBy(() -> pool.lease(List.of())).isInstanceOf(ContainerRunner.EngineException.class)
                .hasMessageContaining("no free /24 is left in sandbox.subnet-pool 10.251.0.0/22");
        pool.release(new SubnetPool.Subnet("10.251.2.0/24", "10.251.2.1"));
        assertThat(pool.lease(List.of()).cidr()).isEqualTo("10.251.2.0/24");
    }

    @Test
    void skipsSubnetsTheEngineUsesAndRangesThatContainThem() {
        SubnetPool pool = new SubnetPool("10.251.0.0/22");
        List<String> leased = new ArrayList<>();
        // a /23 the engine uses covers two of the four; a bad and an IPv6 entry are ignored
        for (int i = 0; i < 2; i++) leased.add(pool.lease(List.of("10.251.2.0/23", "fd00::/64", "garbage")).cidr());
        assertThat(leased).containsExactlyInAnyOrder("10.251.0.0/24", "10.251.1.0/24");
        assertThatThrownBy(() -> pool.lease(List.of("10.251.2.0/23"))).isInstanceOf(ContainerRunner.EngineException.class);
        // a pool of one /24 inside a larger network the engine knows
        assertThatThrownBy(() -> new SubnetPool("10.252.7.0/24").lease(List.of("10.252.0.0/16")))
                .isInstanceOf(ContainerRunner.EngineException.class);
    }

    @Test
    void skipsThisHostsRoutes() {
        // /proc/net/route: destination and mask in hex, host (little-endian) byte order; the default route is skipped
        List<String> lines = List.of(
                "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT",
                "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0",
                "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0",
                "br0\t0000FB0A\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0");
        assertThat(SubnetPool.routes(lines)).containsExactly(new SubnetPool.Range(0xC0000200, 24), new SubnetPool.Range(0x0AFB0000, 16));
    }

    @Test
    void badPoolsNameTheKeyAndTheFix() {
        assertThatThrownBy(() -> new SubnetPool("10.251.0.0")).hasMessageContaining("sandbox.subnet-pool must be an IPv4 range like");
        assertThatThrownBy(() -> new SubnetPool("10.251.0.300/16")).hasMessageContaining("must be an IPv4 range like");
        assertThatThrownBy(() -> new SubnetPool("10.0.0.0/25")).hasMessageContaining("from /8 to /24");
        assertThatThrownBy(() -> new SubnetPool("10.0.0.0/7")).hasMessageContaining("from /8 to /24");
        assertThatThrownBy(() -> new SubnetPool("10.251.1.0/16")).hasMessageContaining("did you mean 10.251.0.0/16?");
    }
}
