package dev.drydock.platform.webhooks;

import dev.drydock.platform.ApiErrorCode;
import dev.drydock.platform.ApiException;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Map;

/**
 * Which URLs webhooks may point at. Always: absolute http(s) URLs with a host, no user-info (credentials
 * would show in listings), no fragment, at most 2000 characters. Unless {@code allowPrivateNetwork}, the
 * target must also not be on a loopback, link-local (cloud metadata), private, unique-local, CGNAT,
 * unspecified, multicast or documentation address, nor an IPv6 form that embeds such an IPv4 address
 * (see {@link #isPrivate}): org admins are tenants, and a webhook must not let them make Drydock
 * probe its own network. That is checked on registration for IP literals and {@code localhost}, and before
 * every delivery on the addresses the host resolves to then. (A DNS answer that changes between that check
 * and the HTTP client's own lookup could still slip through; deployments that need a hard guarantee route
 * outgoing traffic through an egress proxy.)
 */
public final class WebhookTargets {
    public static final int MAX_URL_LENGTH = 2000;
    private final boolean allowPrivateNetwork;

    public WebhookTargets(boolean allowPrivateNetwork) {
        this.allowPrivateNetwork = allowPrivateNetwork;
    }

    /** Thrown before a delivery whose target resolves to a forbidden address. */
    public static final class BlockedTarget extends Exception {
        BlockedTarget(String message) {
            super(message);
        }
    }

    /** Parses and checks a URL given on registration; a 400 naming the field {@code url} otherwise. */
    public URI validate(String url) {
        if (url == null || url.isBlank()) throw invalid("url is required: the http(s) URL to POST events to");
        if (url.length() > MAX_URL_LENGTH) throw invalid("url must be at most " + MAX_URL_LENGTH + " characters");
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException e) {
            throw invalid("url is not a valid URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!uri.isAbsolute() || !(scheme.equals("http") || scheme.equals("https"))) {
            throw invalid("url must be an http:// or https:// URL, e.g. https://ci.example.com/drydock-events");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw invalid("url must name a host (letters, digits, '-' and '.', or an IP address)");
        }
        if (uri.getRawUserInfo() != null) {
            throw invalid("url must not contain user:password@: authenticate the webhook by its signature (Drydock-Signature)");
        }
        if (uri.getRawFragment() != null) throw invalid("url must not have a #fragment");
        if (!allowPrivateNetwork) {
            String host = bare(uri.getHost());
            String lower = host.toLowerCase(Locale.ROOT);
            if (lower.equals("localhost") || lower.endsWith(".localhost")) {
                throw invalid("url must not point at localhost (webhooks.allow-private-network is off)");
            }
            if (isIpLiteral(host)) {
                try {
                    InetAddress address = InetAddress.getByName(host); // a literal: no lookup
                    if (isPrivate(address)) {
                        throw invalid("url must not point at a private, loopback or link-local address ("
                                + address.getHostAddress() + "; webhooks.allow-private-network is off)");
                    }
                } catch (UnknownHostException e) {
                    throw invalid("url has an invalid IP address");
                }
            }
        }
        return uri;
    }

    /** Checks, right before a delivery, every address the target's host resolves to. */
    public void checkBeforeDelivery(URI uri) throws BlockedTarget {
        if (allowPrivateNetwork) return;
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(bare(uri.getHost()));
        } catch (UnknownHostException e) {
            return; // the HTTP client reports the failed lookup itself
        }
        for (InetAddress a : addresses) {
            if (isPrivate(a)) {
                throw new BlockedTarget("blocked: " + uri.getHost() + " resolves to " + a.getHostAddress()
                        + ", a private/loopback/link-local address (webhooks.allow-private-network is off)");
            }
        }
    }

    /**
     * True for every address a webhook must not reach: IPv4 "this network", loopback, private, CGNAT, link-local,
     * benchmarking, reserved and multicast; IPv6 unspecified, loopback, unique-local, link-local, site-local,
     * multicast, documentation (2001:db8::/32), discard-only (100::/64) and Teredo (2001::/32, whose tunnelled
     * IPv4 endpoint cannot be vetted). IPv6 forms that carry an IPv4 address are judged by that address:
     * IPv4-compatible (::/96), IPv4-mapped (::ffff:0:0/96), IPv4-translated (::ffff:0:0:0/96), NAT64
     * (64:ff9b::/96) and 6to4 (2002::/16); the local-use NAT64 prefix 64:ff9b:1::/48 translates into the
     * operator's own network and is refused whole.
     */
    static boolean isPrivate(InetAddress a) {
        byte[] b = a.getAddress();
        return b.length == 4 ? isPrivateIpv4(b) : isPrivateIpv6(b);
    }

    private static boolean isPrivateIpv4(byte[] b) {
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        return first == 0                                        // 0.0.0.0/8 "this network"
                || first == 10                                   // 10.0.0.0/8
                || first == 127                                  // loopback
                || (first == 100 && second >= 64 && second < 128) // 100.64.0.0/10 CGNAT
                || (first == 169 && second == 254)               // link-local (cloud metadata)
                || (first == 172 && second >= 16 && second < 32) // 172.16.0.0/12
                || (first == 192 && second == 168)               // 192.168.0.0/16
                || (first == 198 && (second == 18 || second == 19)) // 198.18.0.0/15 benchmarking
                || first >= 224;                                 // multicast, reserved, broadcast
    }

    private static boolean isPrivateIpv6(byte[] b) {
        int w0 = word(b, 0);
        int w1 = word(b, 2);
        if (zero(b, 0, 12)) return isPrivateIpv4(tail(b, 12));                    // ::/96 incl. :: and ::1
        if (zero(b, 0, 10) && word(b, 10) == 0xffff) return isPrivateIpv4(tail(b, 12)); // ::ffff:0:0/96 mapped
        if (zero(b, 0, 8) && word(b, 8) == 0xffff && word(b, 10) == 0) return isPrivateIpv4(tail(b, 12)); // translated
        if (w0 == 0x0064 && w1 == 0xff9b && zero(b, 4, 12)) return isPrivateIpv4(tail(b, 12)); // NAT64 64:ff9b::/96
        if (w0 == 0x0064 && w1 == 0xff9b && word(b, 4) == 0x0001) return true;    // local-use NAT64 64:ff9b:1::/48
        if (w0 == 0x2002) return isPrivateIpv4(tail(b, 2));                       // 6to4 2002:AABB:CCDD::/48
        if (w0 == 0x2001 && w1 == 0x0000) return true;                            // Teredo 2001::/32
        if (w0 == 0x2001 && w1 == 0x0db8) return true;                            // documentation 2001:db8::/32
        if (w0 == 0x0100 && zero(b, 2, 8)) return true;                           // discard-only 100::/64
        return (b[0] & 0xfe) == 0xfc                                              // fc00::/7 unique local
                || (w0 & 0xffc0) == 0xfe80                                        // fe80::/10 link-local
                || (w0 & 0xffc0) == 0xfec0                                        // fec0::/10 site-local (deprecated)
                || (b[0] & 0xff) == 0xff;                                         // ff00::/8 multicast
    }

    private static int word(byte[] b, int at) {
        return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }

    private static boolean zero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) return false;
        }
        return true;
    }

    private static byte[] tail(byte[] b, int from) {
        return java.util.Arrays.copyOfRange(b, from, from + 4);
    }

    private static boolean isIpLiteral(String host) {
        return host.contains(":") || host.matches("[0-9.]+");
    }

    private static String bare(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static ApiException invalid(String message) {
        return new ApiException(ApiErrorCode.VALIDATION_FAILED, message, Map.of("field", "url"));
    }
}
