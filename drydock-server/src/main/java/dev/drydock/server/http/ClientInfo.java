package dev.drydock.server.http;

import io.javalin.config.ContextResolverConfig;
import io.javalin.http.Context;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The one place that decides, per request, the client's address, the scheme and the host it addressed. Behind a
 * reverse proxy the socket peer is the proxy, so the {@code X-Forwarded-For}, {@code -Proto} and {@code -Host} headers
 * are honoured — but only when the peer is one of the trusted proxies ({@code proxy.trusted}): anyone else could
 * send them to pick their throttling bucket or the token realm. Installed as Javalin's context resolvers, so
 * {@code ctx.ip()}, {@code ctx.scheme()} and {@code ctx.host()} answer these everywhere.
 */
public final class ClientInfo {
    private static final String HOST = "(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})|\\[[0-9A-Fa-f:.]+\\])(?::\\d{1,5})?";

    private final List<Network> trusted;

    /** @param trusted IPs or CIDRs as {@link #parse} accepts them */
    public ClientInfo(List<String> trusted) {
        this.trusted = trusted.stream().map(Network::of).toList();
    }

    /** Makes {@code ctx.ip()}, {@code ctx.scheme()} and {@code ctx.host()} answer through this. */
    public void install(ContextResolverConfig resolvers) {
        resolvers.ip = this::ip;
        resolvers.scheme = this::scheme;
        resolvers.host = this::host;
    }

    /**
     * Parses a comma-separated list of IPv4/IPv6 addresses or CIDRs into normalised CIDRs.
     *
     * @throws IllegalArgumentException naming the entry at fault
     */
    public static List<String> parse(String value) {
        List<String> out = new ArrayList<>();
        for (String entry : value.split(",")) {
            if (entry.isBlank()) continue;
            out.add(Network.of(entry.trim()).toString());
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * The client's address: the socket peer, or — when that is a trusted proxy — the right-most
     * {@code X-Forwarded-For} entry that is not itself a trusted proxy. Entries to its left are the client's own
     * claims (anyone can send a header the proxy then appends to), so they are never used.
     */
    public String ip(Context ctx) {
        String peer = ctx.req().getRemoteAddr();
        InetAddress address = literal(peer);
        if (address == null || !isTrusted(address)) return peer;
        List<String> hops = values(ctx, "X-Forwarded-For");
        for (int i = hops.size() - 1; i >= 0; i--) {
            InetAddress hop = literal(hops.get(i));
            if (hop == null) break; // garbage (or an obfuscated name): the last address known is the nearest hop
            address = hop;
            if (!isTrusted(hop)) break;
        }
        return address.getHostAddress();
    }

    /** http or https: as the client used it ({@code X-Forwarded-Proto} from a trusted proxy), else this connection's. */
    public String scheme(Context ctx) {
        String own = ctx.req().getScheme();
        if (!fromTrustedProxy(ctx)) return own;
        List<String> protos = values(ctx, "X-Forwarded-Proto");
        // the left-most value is what the client-facing proxy saw
        String proto = protos.isEmpty() ? null : protos.getFirst().toLowerCase(Locale.ROOT);
        return "http".equals(proto) || "https".equals(proto) ? proto : own;
    }

    /**
     * The host[:port] the client addressed: {@code X-Forwarded-Host} from a trusted proxy, else the Host header
     * (HTTP/1.1), else the {@code :authority} of an HTTP/2 request, which has no Host header (Jetty gives it as the
     * server name and port). Null when none is known.
     */
    public String host(Context ctx) {
        if (fromTrustedProxy(ctx)) {
            List<String> hosts = values(ctx, "X-Forwarded-Host");
            if (!hosts.isEmpty() && hosts.getFirst().matches(HOST)) return hosts.getFirst();
        }
        String host = ctx.header("Host");
        if (host != null) return host;
        String name = ctx.req().getServerName();
        if (name == null) return null;
        if (name.indexOf(':') >= 0 && !name.startsWith("[")) name = "[" + name + "]"; // IPv6
        int port = ctx.req().getServerPort();
        boolean defaultPort = port <= 0 || port == (ctx.req().isSecure() ? 443 : 80);
        return defaultPort ? name : name + ":" + port;
    }

    private boolean fromTrustedProxy(Context ctx) {
        InetAddress peer = literal(ctx.req().getRemoteAddr());
        return peer != null && isTrusted(peer);
    }

    /** Whether an address (IP literal) is a trusted proxy; false for anything else. */
    boolean trusts(String address) {
        InetAddress a = literal(address);
        return a != null && isTrusted(a);
    }

    private boolean isTrusted(InetAddress address) {
        for (Network n : trusted) if (n.contains(address)) return true;
        return false;
    }

    /** All values of a header, split on commas, in order (a proxy may add a second header line instead of appending). */
    private static List<String> values(Context ctx, String header) {
        List<String> out = new ArrayList<>();
        var lines = ctx.req().getHeaders(header);
        while (lines != null && lines.hasMoreElements()) {
            for (String v : lines.nextElement().split(",")) if (!v.isBlank()) out.add(v.trim());
        }
        return out;
    }

    /** An IP literal (IPv6 possibly in brackets) as an address, or null; never a DNS look-up. */
    static InetAddress literal(String s) {
        if (s == null) return null;
        if (s.startsWith("[") && s.endsWith("]")) s = s.substring(1, s.length() - 1);
        boolean v4 = s.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean v6 = s.indexOf(':') >= 0 && s.matches("[0-9A-Fa-f:.]+");
        if (!v4 && !v6) return null;
        try {
            return InetAddress.getByName(s); // a literal: parsed, not resolved
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** An address range; an IPv4-mapped IPv6 address is its IPv4 address (InetAddress does that). */
    private record Network(byte[] prefix, int bits) {
        static Network of(String cidr) {
            int slash = cidr.indexOf('/');
            String ip = slash < 0 ? cidr : cidr.substring(0, slash);
            InetAddress address = literal(ip);
            if (address == null) {
                throw new IllegalArgumentException("'" + cidr + "' is not an IP address or CIDR such as 10.0.0.0/8 or fd00::/8");
            }
            int max = address.getAddress().length * 8;
            int bits = max;
            if (slash >= 0) {
                String b = cidr.substring(slash + 1);
                bits = b.matches("\\d{1,3}") ? Integer.parseInt(b) : -1;
                if (bits < 0 || bits > max) {
                    throw new IllegalArgumentException("'" + cidr + "' has a prefix length outside 0-" + max);
                }
            }
            byte[] prefix = address.getAddress();
            for (int i = 0; i < prefix.length; i++) prefix[i] &= (byte) mask(bits - i * 8);
            return new Network(prefix, bits);
        }

        boolean contains(InetAddress address) {
            byte[] a = address.getAddress();
            if (a.length != prefix.length) return false;
            for (int i = 0; i < a.length; i++) {
                if ((a[i] & mask(bits - i * 8)) != (prefix[i] & 0xff)) return false;
            }
            return true;
        }

        private static int mask(int bitsLeft) {
            return bitsLeft >= 8 ? 0xff : bitsLeft <= 0 ? 0 : (0xff << (8 - bitsLeft)) & 0xff;
        }

        @Override
        public String toString() {
            try {
                return InetAddress.getByAddress(prefix).getHostAddress() + "/" + bits;
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
