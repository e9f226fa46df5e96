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

    /** The public URL or, without one, the scheme and host the client used ({@link ClientInfo}: through a trusted proxy). */
    public String baseUrl(Context ctx) {
        if (publicUrl != null) return publicUrl;
        String host = ctx.host();
        if (host == null || !host.matches("[A-Za-z0-9.\\-\\[\\]:]+")) host = "localhost";
        return ctx.scheme() + "://" + host;
    }
}
