package dev.drydock.server.http;

import io.javalin.http.Context;

/** The home page: what this service is and how to push to it. */
public final class HomePage {
    private final Challenge challenge;

    public HomePage(Challenge challenge) {
        this.challenge = challenge;
    }

    /** The sample adapters' files (README, Dockerfile, manifest, code) as plain text, from the jar. */
    void example(Context ctx) throws java.io.IOException {
        String path = ctx.pathParam("path");
        if (!path.matches("[A-Za-z0-9_-]+(/[A-Za-z0-9_.-]+)*") || path.contains("..")) {
            ctx.status(404).result("no such example file");
            return;
        }
        try (java.io.InputStream in = HomePage.class.getResourceAsStream("/examples/" + path)) {
            if (in == null) {
                ctx.status(404).result("no such example file");
                return;
            }
            ctx.contentType("text/plain; charset=utf-8").header("X-Content-Type-Options", "nosniff").result(in.readAllBytes());
        }
    }

    void render(Context ctx) {
        String host = challenge.baseUrl(ctx).replaceFirst("^https?://", "");
        ctx.contentType("text/html; charset=utf-8").result("""
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8"><title>Drydock</title>
                <style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
                pre{background:#f4f4f4;padding:.75rem;overflow-x:auto}</style></head>
                <body>
                <h1>Drydock</h1>
                <p>Registry and compliance testing for adapters and engines.</p>
                <p><a href="/login"><strong>Sign in to the Developer App</strong></a> to register adapters, get the commands
                that push them, and follow each build's tests, review and deployment.</p>
                <h2>Push an image</h2>
                <pre>docker login %1$s
                docker tag my-adapter %1$s/&lt;orgId&gt;/my-adapter:1.0
                docker push %1$s/&lt;orgId&gt;/my-adapter:1.0</pre>
                <p>Log in with your e-mail and password, or a robot login (<code>&lt;orgId&gt;+&lt;name&gt;</code>) and its token.</p>
                <h2>Sample adapters and engines</h2>
                <p>Adapters and an engine that pass every check, each with a README from build to an available build:</p>
                <ul><li><a href="/examples/busybox-pull-adapter/README.md">busybox-pull-adapter</a>: a batch pull (ingest)
                adapter in shell on a static busybox, built with buildah or <code>podman build</code> from a
                <a href="/examples/busybox-pull-adapter/Dockerfile">Dockerfile</a> (<a href="/examples/busybox-pull-adapter/adapter.sh">adapter.sh</a>,
                <a href="/examples/busybox-pull-adapter/manifest.json">manifest.json</a>)</li>
                <li><a href="/examples/java-pull-adapter/README.md">java-pull-adapter</a>: the same in one Java class, packaged with
                Jib (<a href="/examples/java-pull-adapter/pom.xml">pom.xml</a>,
                <a href="/examples/java-pull-adapter/src/main/java/example/PullAdapter.java">PullAdapter.java</a>)</li>
                <li><a href="/examples/text-keyword-engine/README.md">text-keyword-engine</a>: a keyword-extraction engine in
                shell on busybox that reads its recording's text and writes a vtn-standard keyword result
                (<a href="/examples/text-keyword-engine/Dockerfile">Dockerfile</a>, <a href="/examples/text-keyword-engine/engine.sh">engine.sh</a>,
                <a href="/examples/text-keyword-engine/manifest.json">manifest.json</a>)</li></ul>
                <p>Every push is tested: image and manifest checks, then a run in a sandbox with a task payload; the
                <a href="/api/v1/schemas/report.json">build report</a> lists each check with the fix.</p>
                <h2>Endpoints</h2>
                <ul><li><code>/v2/</code> OCI distribution API</li><li><code>/auth/token</code> Docker token service</li>
                <li><code>/api/v1/</code> REST API (e.g. <code>/api/v1/me</code>)</li>
                <li><code>/healthz</code>, <code>/readyz</code></li></ul>
                </body></html>
                """.formatted(escape(host)));
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
