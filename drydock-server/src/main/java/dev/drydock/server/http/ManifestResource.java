package dev.drydock.server.http;

import dev.drydock.registry.Registry;
import dev.drydock.registry.RegistryIndex.ManifestRecord;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;

import java.io.IOException;
import java.io.UncheckedIOException;

/** {@code GET|HEAD|PUT /v2/<name>/manifests/<reference>}; manifests are served byte-for-byte as pushed. */
final class ManifestResource {
    private ManifestResource() {}

    static void get(Context ctx, Registry registry, String name, String reference) {
        if (ctx.method().equals(HandlerType.HEAD)) {
            ManifestRecord record = registry.statManifest(name, reference);
            headers(ctx, record);
            return;
        }
        Registry.StoredManifest manifest = registry.getManifest(name, reference);
        headers(ctx, manifest.record());
        ctx.result(manifest.content());
    }

    private static void headers(Context ctx, ManifestRecord record) {
        ctx.status(200);
        ctx.contentType(record.mediaType());
        ctx.header("Docker-Content-Digest", record.digest().toString());
        ctx.header("ETag", "\"" + record.digest() + "\"");
        ctx.res().setContentLengthLong(record.size());
    }

    static void put(Context ctx, Registry registry, String name, String reference, String actor) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > registry.limits().maxManifestBytes()) {
            throw new dev.drydock.registry.RegistryException(dev.drydock.registry.ErrorCode.MANIFEST_INVALID, 413,
                    "manifest is larger than the " + registry.limits().maxManifestBytes() + "-byte limit",
                    java.util.Map.of("limit", registry.limits().maxManifestBytes()));
        }
        Registry.PutManifestResult result;
        try {
            result = registry.putManifest(name, reference, ctx.header("Content-Type"), ctx.req().getInputStream(), actor);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ctx.status(201);
        ctx.header("Location", "/v2/" + name + "/manifests/" + result.digest());
        ctx.header("Docker-Content-Digest", result.digest().toString());
        if (result.subject() != null) ctx.header("OCI-Subject", result.subject().toString());
        ctx.res().setContentLength(0);
    }
}
