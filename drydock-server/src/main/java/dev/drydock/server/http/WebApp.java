package dev.drydock.server.http;

import dev.drydock.platform.ApiErrorCode;
import dev.drydock.platform.ApiException;
import dev.drydock.oci.Digest;
import dev.drydock.platform.access.SessionService;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Developer App: each page is a line of the routes table whose access is checked like any API route, answered
 * with one HTML shell naming the page; the page's script (served from the jar under {@code /ui/}) then reads what it
 * shows from the REST API with the session cookie. A page the caller may not see answers 404 (or 403) with the same
 * shell showing why, and a signed-out caller is sent to the sign-in page. No script or style is inline, so the
 * Content-Security-Policy allows only this origin's files: text from users (adapter names, tags, logs, advisories)
 * is put into the page as text by the scripts, never as markup.
 */
final class WebApp {
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";
    private static final Map<String, String> TYPES = Map.of("js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml", "png", "image/png", "json", "application/json");

    private final SessionService sessions;
    private final HomePage home;
    private final Map<String, Asset> assets = new ConcurrentHashMap<>();

    private record Asset(byte[] bytes, String etag) {}

    WebApp(SessionService sessions, HomePage home) {
        this.sessions = sessions;
        this.home = home;
    }

    HomePage home() {
        return home;
    }

    /** The handler of page {@code name}: the shell, which runs that page's script. */
    Route.Handler page(String name) {
        return (ctx, caller) -> shell(ctx, 200, name, null, null);
    }

    /** {@code /}: the app's start page when signed in, the public introduction otherwise. */
    void home(Context ctx, Caller caller) {
        if (sessions.find(ctx.cookie(SessionResource.COOKIE)).isPresent()) {
            shell(ctx, 200, "home", null, null);
        } else {
            home.render(ctx);
        }
    }

    /** How pages answer a refusal: signed out goes to sign-in (and back after), the rest is the shell showing the error. */
    void error(Context ctx, ApiException e) {
        if (e.code() == ApiErrorCode.UNAUTHENTICATED) {
            String next = ctx.path() + (ctx.queryString() == null ? "" : "?" + ctx.queryString());
            ctx.status(303).header("Location", "/login?next=" + URLEncoder.encode(next, StandardCharsets.UTF_8));
            return;
        }
        // Same words for "does not exist" and "exists elsewhere": the API's 404 never tells them apart either.
        String message = e.code().status == 404 ? "There is no such page, or it belongs to an organization you are not in."
                : e.getMessage();
        shell(ctx, e.code().status, "error", e.code().name(), message);
    }

    /** A file of the app ({@code /ui/<path>}) from the jar, revalidated by its ETag. */
    void asset(Context ctx) throws IOException {
        String path = ctx.pathParam("path");
        int dot = path.lastIndexOf('.');
        String type = dot < 0 ? null : TYPES.get(path.substring(dot + 1));
        if (type == null || !path.matches("[a-z0-9-]+(/[a-z0-9-]+)*\\.[a-z]+")) {
            ctx.status(404).result("no such file");
            return;
        }
        Asset asset = assets.get(path);
        if (asset == null) {
            try (InputStream in = WebApp.class.getResourceAsStream("/ui/" + path)) {
                if (in == null) {
                    ctx.status(404).result("no such file");
                    return;
                }
                byte[] bytes = in.readAllBytes();
                asset = new Asset(bytes, "\"" + Digest.sha256(bytes).hex().substring(0, 16) + "\"");
                assets.put(path, asset);
            }
        }
        ctx.header("Cache-Control", "no-cache").header("ETag", asset.etag()).header("X-Content-Type-Options", "nosniff");
        if (asset.etag().equals(ctx.header("If-None-Match"))) {
            ctx.status(304);
            return;
        }
        ctx.contentType(type).result(asset.bytes());
    }

    private static void shell(Context ctx, int status, String page, String errorCode, String errorMessage) {
        ctx.status(status).contentType("text/html; charset=utf-8")
                .header("Content-Security-Policy", CSP)
                .header("X-Content-Type-Options", "nosniff")
                .header("X-Frame-Options", "DENY")
                .header("Referrer-Policy", "same-origin")
                .header("Cache-Control", "no-store")
                .result("""
                        <!doctype html>
                        <html lang="en"><head><meta charset="utf-8">
                        <meta name="viewport" content="width=device-width, initial-scale=1">
                        <meta name="color-scheme" content="light dark">
                        <title>Drydock</title>
                        <link rel="icon" href="/ui/icon.svg" type="image/svg+xml">
                        <link rel="stylesheet" href="/ui/app.css">
                        <script type="module" src="/ui/app.js"></script>
                        </head>
                        <body data-page="%s" data-error-code="%s" data-error-message="%s">
                        <noscript>The Developer App needs JavaScript. The REST API is described at /api/v1/openapi.json.</noscript>
                        </body></html>
                        """.formatted(escape(page), escape(errorCode == null ? "" : errorCode),
                        escape(errorMessage == null ? "" : errorMessage)));
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&#39;");
    }
}
