package dev.drydock.sandbox;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The IPv4 {@code /24} subnets run networks are created with ({@code sandbox.subnet-pool}, default
 * {@value #DEFAULT_POOL}).
 *
 * <p>Why Drydock picks the subnet and gateway itself rather than letting the engine choose: Podman 4.3's CNI backend
 * gives a network created with {@code Internal: true} no gateway at all (inspect shows {@code "Gateway": "<nil>"}),
 * while the sandbox needs one — its API listens there. Naming both in the create request works the same on CNI,
 * netavark and Docker.
 *
 * <p>A lease skips every {@code /24} that overlaps an address or route of this host (a run bridge, a LAN, a VPN), a
 * subnet the engine already uses, or one this process has leased and not released. The search starts at a random
 * {@code /24}, so two processes sharing a host rarely try the same one; the engine refuses an overlap anyway, and the
 * caller then asks again with that subnet marked taken.
 */
public final class SubnetPool {
    public static final String DEFAULT_POOL = "10.213.0.0/16";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final int base;
    private final int prefix;
    private final Set<Integer> leased = new HashSet<>();

    /** One leased {@code /24}: its CIDR and the gateway (its first host address). */
    public record Subnet(String cidr, String gateway) {
    }

    /** @param cidr an IPv4 range of {@code /8} to {@code /24}, e.g. {@code 10.213.0.0/16} */
    public SubnetPool(String cidr) {
        Range r = Range.parse(cidr, "sandbox.subnet-pool");
        if (r.prefix < 8 || r.prefix > 24) {
            throw new IllegalArgumentException("sandbox.subnet-pool must be an IPv4 range from /8 to /24, e.g. " + DEFAULT_POOL + ", got " + cidr);
        }
        if (r.address != (r.address & mask(r.prefix))) {
            throw new IllegalArgumentException("sandbox.subnet-pool " + cidr + " has host bits set; did you mean "
                    + format(r.address & mask(r.prefix)) + "/" + r.prefix + "?");
        }
        this.base = r.address;
        this.prefix = r.prefix;
    }

    /** How many {@code /24} networks the pool holds. */
    public int size() {
        return 1 << (24 - prefix);
    }

    /**
     * Leases a free {@code /24}.
     *
     * @param taken subnets (CIDR) in use elsewhere: the engine's networks, or one the engine just refused
     * @throws ContainerRunner.EngineException when every subnet of the pool is taken
     */
    public synchronized Subnet lease(Collection<String> taken) {
        List<Range> busy = new ArrayList<>(hostRanges());
        for (String t : taken) {
            try {
                busy.add(Range.parse(t, "subnet"));
            } catch (IllegalArgumentException ignored) {
                // an IPv6 or malformed subnet of some other network cannot overlap ours
            }
        }
        int n = size();
        int start = RANDOM.nextInt(n);
        for (int i = 0; i < n; i++) {
            int index = (start + i) % n;
            int net = base + (index << 8);
            if (leased.contains(net)) continue;
            Range candidate = new Range(net, 24);
            if (busy.stream().anyMatch(candidate::overlaps)) continue;
            leased.add(net);
            return new Subnet(format(net) + "/24", format(net + 1));
        }
        throw new ContainerRunner.EngineException("no free /24 is left in sandbox.subnet-pool " + format(base) + "/" + prefix
                + " (all overlap this host's networks or runs in progress): choose a larger or another private range");
    }

    public synchronized void release(Subnet subnet) {
        leased.remove(Range.parse(subnet.cidr(), "subnet").address);
    }

    /** Addresses of this host's interfaces and its routes (except the default route), as ranges. */
    private static List<Range> hostRanges() {
        List<Range> ranges = new ArrayList<>();
        try {
            for (NetworkInterface nic : NetworkInterface.networkInterfaces().toList()) {
                for (InterfaceAddress a : nic.getInterfaceAddresses()) {
                    if (a.getAddress() instanceof Inet4Address v4) {
                        ranges.add(new Range(toInt(v4.getAddress()) & mask(a.getNetworkPrefixLength()), a.getNetworkPrefixLength()));
                    }
                }
            }
        } catch (SocketException ignored) {
            // no interface list: the routes below and the engine's own overlap check remain
        }
        try {
            ranges.addAll(routes(Files.readAllLines(Path.of("/proc/net/route"))));
        } catch (IOException ignored) {
            // not Linux, or no /proc: interfaces only
        }
        return ranges;
    }

    /** Parses {@code /proc/net/route} (destination and mask in hex, host byte order); skips the default route. */
    static List<Range> routes(List<String> lines) {
        List<Range> out = new ArrayList<>();
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 8) continue;
            try {
                int dest = Integer.reverseBytes(Integer.parseUnsignedInt(f[1], 16));
                int mask = Integer.reverseBytes(Integer.parseUnsignedInt(f[7], 16));
                int p = Integer.bitCount(mask);
                if (p > 0) out.add(new Range(dest & mask(p), p));
            } catch (NumberFormatException ignored) {
                // header or garbage line
            }
        }
        return out;
    }

    record Range(int address, int prefix) {
        static Range parse(String cidr, String what) {
            String[] parts = cidr.trim().split("/", 2);
            String[] octets = parts[0].split("\\.");
            if (parts.length != 2 || octets.length != 4) {
                throw new IllegalArgumentException(what + " must be an IPv4 range like " + DEFAULT_POOL + ", got " + cidr);
            }
            try {
                int address = 0;
                for (String o : octets) {
                    int v = Integer.parseInt(o);
                    if (v < 0 || v > 255) throw new NumberFormatException(o);
                    address = (address << 8) | v;
                }
                int p = Integer.parseInt(parts[1]);
                if (p < 0 || p > 32) throw new NumberFormatException(parts[1]);
                return new Range(address, p);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(what + " must be an IPv4 range like " + DEFAULT_POOL + ", got " + cidr);
            }
        }

        boolean overlaps(Range other) {
            int m = mask(Math.min(prefix, other.prefix));
            return (address & m) == (other.address & m);
        }
    }

    private static int mask(int prefix) {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    private static int toInt(byte[] b) {
        return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    }

    static String format(int a) {
        return ((a >>> 24) & 0xff) + "." + ((a >>> 16) & 0xff) + "." + ((a >>> 8) & 0xff) + "." + (a & 0xff);
    }
}
