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
 * unspecified or multicast address: org admins are tenants, and a webhook must not let them make Drydock
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

    static boolean isPrivate(InetAddress a) {
        if (a.isLoopbackAddress() || a.isAnyLocalAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
                || a.isMulticastAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (b.length == 4) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return first == 0                                    // 0.0.0.0/8 "this network"
                    || (first == 100 && second >= 64 && second < 128)  // 100.64.0.0/10 CGNAT
                    || (first == 198 && (second == 18 || second == 19)) // 198.18.0.0/15 benchmarking
                    || first >= 240;                             // reserved, broadcast
        }
        return (b[0] & 0xfe) == 0xfc;                            // fc00::/7 unique local
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
