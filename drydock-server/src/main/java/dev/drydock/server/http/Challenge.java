package dev.drydock.server.http;

import dev.drydock.registry.auth.Access;
import io.javalin.http.Context;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Builds the {@code WWW-Authenticate: Bearer} challenge. Bearer is the only scheme offered (Jib and others
 * read only the first). The realm is the configured public URL or, by default, the URL the client used.
 */
public final class Challenge {
    private final String publicUrl;
    private final String service;

    public Challenge(String publicUrl, String service) {
        this.publicUrl = publicUrl;
        this.service = service;
    }

    public String header(Context ctx, List<Access> requested, String error) {
        StringBuilder h = new StringBuilder("Bearer realm=\"").append(baseUrl(ctx)).append("/auth/token\",service=\"")
                .append(service).append('"');
        if (!requested.isEmpty()) {
            h.append(",scope=\"").append(requested.stream().map(Access::scope).collect(Collectors.joining(" "))).append('"');
        }
        if (error != null) h.append(",error=\"").append(error).append('"');
        return h.toString();
    }

    public String baseUrl(Context ctx) {
        if (publicUrl != null) return publicUrl;
        String proto = ctx.header("X-Forwarded-Proto");
        String scheme = proto != null && proto.matches("https?") ? proto : ctx.scheme();
        String host = authority(ctx);
        if (host == null || !host.matches("[A-Za-z0-9.\\-\\[\\]:]+")) host = "localhost";
        return scheme + "://" + host;
    }

    /**
     * The host[:port] the client addressed: its Host header (HTTP/1.1), or the {@code :authority} of an HTTP/2
     * request, which has no Host header (Jetty gives it as the server name and port).
     */
    static String authority(Context ctx) {
        String host = ctx.host();
        if (host != null) return host;
        String name = ctx.req().getServerName();
        if (name == null) return null;
        if (name.indexOf(':') >= 0 && !name.startsWith("[")) name = "[" + name + "]"; // IPv6
        int port = ctx.req().getServerPort();
        boolean defaultPort = port <= 0 || port == (ctx.req().isSecure() ? 443 : 80);
        return defaultPort ? name : name + ":" + port;
    }
}
