package dev.drydock.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.drydock.oci.Digest;
import dev.drydock.oci.MediaTypes;
import dev.drydock.registry.ErrorCode;
import dev.drydock.registry.Names;
import dev.drydock.registry.Registry;
import dev.drydock.registry.RegistryException;
import dev.drydock.registry.RegistryIndex.ManifestRecord;
import dev.drydock.registry.TooManyRequests;
import dev.drydock.registry.auth.Access;
import dev.drydock.registry.auth.AccessController;
import dev.drydock.registry.auth.AuthenticationRequired;
import dev.drydock.registry.auth.Grant;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import org.eclipse.jetty.io.EofException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The OCI distribution API under {@code /v2/}. One dispatcher parses the path into a typed route (repository
 * names contain slashes, so the path is matched here rather than by the router), checks the name, asks the
 * {@link AccessController} for the access the route needs, then runs the resource method.
 */
public final class RegistryRoutes {
    private static final Logger log = LoggerFactory.getLogger(RegistryRoutes.class);
    private static final String API_VERSION = "registry/2.0";
    private static final Pattern UPLOADS = Pattern.compile("(.+)/blobs/uploads/?");
    private static final Pattern UPLOAD = Pattern.compile("(.+)/blobs/uploads/([^/]+)");
    private static final Pattern BLOB = Pattern.compile("(.+)/blobs/([^/]+)");
    private static final Pattern MANIFEST = Pattern.compile("(.+)/manifests/([^/]+)");
    private static final Pattern TAGS = Pattern.compile("(.+)/tags/list");
    private static final Pattern REFERRERS = Pattern.compile("(.+)/referrers/([^/]+)");
    private static final int MAX_PAGE = 1000;

    private final Registry registry;
    private final AccessController access;
    private final Challenge challenge;

    public RegistryRoutes(Registry registry, AccessController access, Challenge challenge) {
        this.registry = registry;
        this.access = access;
        this.challenge = challenge;
    }

    /** The paths of the API; every method of each is routed to {@link #handle}, which matches the rest itself. */
    static final List<String> PATHS = List.of("/v2", "/v2/", "/v2/<path>");
    static final List<HandlerType> METHODS = List.of(HandlerType.GET, HandlerType.HEAD, HandlerType.PUT, HandlerType.PATCH,
            HandlerType.POST, HandlerType.DELETE);

    /** An endpoint under a repository name: its path pattern and its template. */
    private record Endpoint(Pattern pattern, String template) {}

    /** The endpoints under a repository name, in the order their patterns are tried. */
    private static final List<Endpoint> REPOSITORY_ENDPOINTS = List.of(new Endpoint(UPLOADS, "/v2/{name}/blobs/uploads/"),
            new Endpoint(UPLOAD, "/v2/{name}/blobs/uploads/{id}"), new Endpoint(BLOB, "/v2/{name}/blobs/{digest}"),
            new Endpoint(MANIFEST, "/v2/{name}/manifests/{reference}"), new Endpoint(TAGS, "/v2/{name}/tags/list"),
            new Endpoint(REFERRERS, "/v2/{name}/referrers/{digest}"));

    /** Every endpoint of the API as a template: the metrics' labels, and the registry rows AccessMatrixTest must have. */
    public static final List<String> ENDPOINTS = Stream.concat(Stream.of("/v2/", "/v2/_catalog"),
            REPOSITORY_ENDPOINTS.stream().map(Endpoint::template)).toList();

    /**
     * The endpoint a registry path addresses, as a template with the name, digest, reference and upload id left out
     * (e.g. {@code /v2/{name}/blobs/uploads/{id}}): the bounded label metrics use instead of the path.
     */
    public static String template(String path) {
        String p = path.replace("%3A", ":").replace("%3a", ":");
        p = p.length() <= 3 ? "" : p.substring(3);
        if (p.startsWith("/")) p = p.substring(1);
        if (p.isEmpty()) return "/v2/";
        if (p.equals("_catalog")) return "/v2/_catalog";
        for (Endpoint endpoint : REPOSITORY_ENDPOINTS) {
            if (endpoint.pattern().matcher(p).matches()) return endpoint.template();
        }
        return "/v2/{unknown}";
    }

    void handle(Context ctx) {
        ctx.header("Docker-Distribution-Api-Version", API_VERSION);
        try {
            dispatch(ctx);
        } catch (RegistryException e) {
            if (e instanceof TooManyRequests t) ctx.header("Retry-After", String.valueOf(Math.max(1, t.retryAfter().toSeconds())));
            error(ctx, e.status(), e.code().name(), e.getMessage(), e.detail());
        } catch (AuthenticationRequired e) {
            ctx.header("WWW-Authenticate", challenge.header(ctx, e.requested(), e.error()));
            error(ctx, 401, ErrorCode.UNAUTHORIZED.name(), e.getMessage(), Map.of());
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof EofException || ctx.req().isAsyncStarted()) {
                log.debug("client went away during {} {}", ctx.method(), ctx.path());
                if (!ctx.res().isCommitted()) {
                    // The request body ended early (client hung up mid-body): never let that read as a 200.
                    error(ctx, 400, ErrorCode.SIZE_INVALID.name(),
                            "the request body ended before Content-Length bytes arrived: check the upload's offset and resend",
                            Map.of());
                }
                return;
            }
            log.error("I/O error on {} {}", ctx.method(), ctx.path(), e);
            error(ctx, 500, "UNKNOWN", "internal storage error; retry, and report it if it persists", Map.of());
        } catch (RuntimeException e) {
            log.error("unexpected error on {} {}", ctx.method(), ctx.path(), e);
            if (!ctx.res().isCommitted()) {
                error(ctx, 500, "UNKNOWN", "internal error; retry, and report it if it persists", Map.of());
            }
        }
    }

    private void dispatch(Context ctx) {
        // Clients may percent-encode a digest's ':' (sha256%3A…). Only that escape is decoded: decoding '%2f' or
        // '%2e' would turn escapes into path structure, and no name, tag or upload id contains '%' legitimately.
        String path = ctx.path().replace("%3A", ":").replace("%3a", ":").substring(3); // strip "/v2"
        if (path.startsWith("/")) path = path.substring(1);
        HandlerType verb = ctx.method();
        if (path.isEmpty()) {
            authorize(ctx, List.of());
            Json.write(ctx, 200, Map.of());
            return;
        }
        if (path.equals("_catalog")) {
            requireVerb(verb, HandlerType.GET);
            Grant grant = authorize(ctx, List.of(Access.catalog()));
            catalog(ctx, grant);
            return;
        }
        Matcher m;
        if ((m = UPLOADS.matcher(path)).matches()) {
            requireVerb(verb, HandlerType.POST);
            String name = Names.repository(m.group(1));
            Grant grant = authorize(ctx, List.of(Access.repository(name, Access.PULL, Access.PUSH)));
            uploads().start(ctx, name, grant.actor(), source -> mayPull(ctx, source));
        } else if ((m = UPLOAD.matcher(path)).matches()) {
            String name = Names.repository(m.group(1));
            authorize(ctx, List.of(Access.repository(name, Access.PULL, Access.PUSH)));
            String id = m.group(2);
            switch (verb.name()) {
                case "GET" -> uploads().status(ctx, name, id);
                case "PATCH" -> uploads().patch(ctx, name, id);
                case "PUT" -> uploads().complete(ctx, name, id);
                case "DELETE" -> uploads().cancel(ctx, name, id);
                default -> throw unsupported(verb);
            }
        } else if ((m = BLOB.matcher(path)).matches()) {
            String name = Names.repository(m.group(1));
            Digest digest = Names.digest(m.group(2));
            switch (verb.name()) {
                case "GET", "HEAD" -> {
                    authorize(ctx, List.of(Access.repository(name, Access.PULL)));
                    BlobResource.get(ctx, registry, name, digest);
                }
                case "DELETE" -> {
                    authorize(ctx, List.of(Access.repository(name, Access.DELETE)));
                    registry.deleteBlob(name, digest);
                    ctx.status(202);
                }
                default -> throw unsupported(verb);
            }
        } else if ((m = MANIFEST.matcher(path)).matches()) {
            String name = Names.repository(m.group(1));
            String reference = m.group(2);
            switch (verb.name()) {
                case "GET", "HEAD" -> {
                    authorize(ctx, List.of(Access.repository(name, Access.PULL)));
                    ManifestResource.get(ctx, registry, name, reference);
                }
                case "PUT" -> {
                    Grant grant = authorize(ctx, List.of(Access.repository(name, Access.PUSH)));
                    ManifestResource.put(ctx, registry, name, reference, grant.actor());
                }
                case "DELETE" -> {
                    Grant grant = authorize(ctx, List.of(Access.repository(name, Access.DELETE)));
                    registry.deleteManifest(name, reference, grant.actor());
                    ctx.status(202);
                }
                default -> throw unsupported(verb);
            }
        } else if ((m = TAGS.matcher(path)).matches()) {
            requireVerb(verb, HandlerType.GET);
            String name = Names.repository(m.group(1));
            authorize(ctx, List.of(Access.repository(name, Access.PULL)));
            tags(ctx, name);
        } else if ((m = REFERRERS.matcher(path)).matches()) {
            requireVerb(verb, HandlerType.GET);
            String name = Names.repository(m.group(1));
            Digest subject = Names.digest(m.group(2));
            authorize(ctx, List.of(Access.repository(name, Access.PULL)));
            referrers(ctx, name, subject);
        } else {
            throw new RegistryException(ErrorCode.NAME_INVALID, "unknown registry path /v2/" + path
                    + ": see the OCI distribution spec for the endpoints", Map.of());
        }
    }

    private UploadResource uploads() {
        return new UploadResource(registry);
    }

    private Grant authorize(Context ctx, List<Access> requested) {
        return access.authorize(ctx.header("Authorization"), requested, ctx.ip());
    }

    /**
     * Whether the caller may pull {@code repository} (the source of a mount). Asked separately: a grant holds
     * only what its request named, so a Basic-authenticated grant for the target never covers the source.
     */
    private boolean mayPull(Context ctx, String repository) {
        try {
            authorize(ctx, List.of(Access.repository(repository, Access.PULL)));
            return true;
        } catch (AuthenticationRequired | RegistryException e) {
            return false;
        }
    }

    private void catalog(Context ctx, Grant grant) {
        int n = pageSize(ctx);
        String last = ctx.queryParam("last");
        List<String> repositories = registry.catalog(grant.visibleOrgs(), last, n + 1);
        boolean more = repositories.size() > n;
        if (more) {
            repositories = repositories.subList(0, n);
        }
        if (more && n > 0) { // n=0 asks for an empty page: no Link (and no last element to point it at)
            ctx.header("Link", "</v2/_catalog?n=" + n + "&last=" + repositories.getLast() + ">; rel=\"next\"");
        }
        Json.write(ctx, 200, Map.of("repositories", repositories));
    }

    private void tags(Context ctx, String name) {
        int n = pageSize(ctx);
        String last = ctx.queryParam("last");
        List<String> tags = registry.tags(name, last, n + 1);
        boolean more = tags.size() > n;
        if (more) {
            tags = tags.subList(0, n);
        }
        if (more && n > 0) { // n=0 asks for an empty page: no Link (and no last element to point it at)
            ctx.header("Link", "</v2/" + name + "/tags/list?n=" + n + "&last=" + tags.getLast() + ">; rel=\"next\"");
        }
        Json.write(ctx, 200, Map.of("name", name, "tags", tags));
    }

    private void referrers(Context ctx, String name, Digest subject) {
        String artifactType = ctx.queryParam("artifactType");
        ObjectNode index = Json.MAPPER.createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", MediaTypes.OCI_INDEX);
        ArrayNode manifests = index.putArray("manifests");
        for (ManifestRecord r : registry.referrers(name, subject, artifactType)) {
            ObjectNode d = manifests.addObject();
            d.put("mediaType", r.mediaType());
            d.put("digest", r.digest().toString());
            d.put("size", r.size());
            if (r.artifactType() != null) d.put("artifactType", r.artifactType());
            if (r.annotationsJson() != null) {
                try {
                    d.set("annotations", Json.MAPPER.readTree(r.annotationsJson()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        if (artifactType != null) ctx.header("OCI-Filters-Applied", "artifactType");
        try {
            ctx.status(200).contentType(MediaTypes.OCI_INDEX).result(Json.MAPPER.writeValueAsBytes(index));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int pageSize(Context ctx) {
        String n = ctx.queryParam("n");
        if (n == null) return MAX_PAGE * 10;
        if (!Numbers.isDigits(n)) {
            throw new RegistryException(ErrorCode.UNSUPPORTED, 400, "n must be a non-negative integer, got '"
                    + (n.length() > 40 ? n.substring(0, 40) + "…" : n) + "'", Map.of());
        }
        return (int) Math.min(Numbers.saturating(n), MAX_PAGE * 10); // any larger n asks for the largest page

    }

    private static void requireVerb(HandlerType actual, HandlerType expected) {
        if (!actual.equals(expected) && !(expected.equals(HandlerType.GET) && actual.equals(HandlerType.HEAD))) throw unsupported(actual);
    }

    private static RegistryException unsupported(HandlerType verb) {
        return new RegistryException(ErrorCode.UNSUPPORTED, "method " + verb + " is not supported on this endpoint");
    }

    /** Writes the spec's error envelope (no body for HEAD). */
    static void error(Context ctx, int status, String code, String message, Map<String, Object> detail) {
        discardUnreadBody(ctx);
        ctx.status(status);
        if (ctx.method().equals(HandlerType.HEAD)) {
            ctx.result("");
            return;
        }
        Json.write(ctx, status, Map.of("errors", List.of(Map.of("code", code, "message", message, "detail", detail))));
    }

    /**
     * Reads and drops what is left of a request body we refuse (up to 8 MiB). Answering before the client has
     * sent its body makes the server close the connection while the client is still writing, and the reset can
     * destroy our error response before the client reads it; larger bodies are cut off all the same.
     */
    private static void discardUnreadBody(Context ctx) {
        if (ctx.req().getContentLengthLong() == 0) return;
        try {
            InputStream in = ctx.req().getInputStream();
            byte[] sink = new byte[64 * 1024];
            long budget = 8L * 1024 * 1024;
            int n;
            while (budget > 0 && (n = in.read(sink, 0, (int) Math.min(sink.length, budget))) > 0) budget -= n;
        } catch (IOException | IllegalStateException e) {
            // the body is gone or was read as a reader: nothing to drain
        }
    }

    /** Copies a stream to the response body; a client that hangs up is not an error. */
    static void stream(Context ctx, InputStream in) {
        try (in) {
            OutputStream out = ctx.res().getOutputStream();
            in.transferTo(out);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
