package dev.drydock.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * Drydock playing Veritone's aiWARE Engine Toolkit for a webhook engine. In production the image's ENTRYPOINT is
 * {@code ["/opt/aiware/engine", <engine command>…]}: the toolkit starts the engine command, polls
 * {@code GET VERITONE_WEBHOOK_READY} until it answers 200, then {@code POST}s each chunk of work to
 * {@code VERITONE_WEBHOOK_PROCESS} as {@code multipart/form-data} and takes the answer (vtn-standard JSON) as the
 * chunk's output; batch and stream engines report through the {@code heartbeatWebhook} and {@code resultWebhook} URLs
 * they are given. The toolkit cannot reach the platform from the sandbox, so the sandbox runs the engine command
 * itself and does the toolkit's part from the host, connecting to the container's address on the run network (the
 * URLs' host, {@code 0.0.0.0} in Veritone's examples, means "the engine itself").
 *
 * <p>Recognised by {@link #recognises}: the ENTRYPOINT starts with {@link #TOOLKIT}, or the environment declares
 * {@code VERITONE_WEBHOOK_PROCESS}. Everything else is a task engine (reads {@code PAYLOAD_FILE}, exits).
 */
final class WebhookEngine {
    static final String TOOLKIT = "/opt/aiware/engine";
    static final String READY_ENV = WebhookRun.READY_ENV;
    static final String PROCESS_ENV = WebhookRun.PROCESS_ENV;
    /** Attempts per chunk: a non-200 answer (or none) is retried, as the toolkit does. */
    static final int ATTEMPTS = 3;
    static final Duration RETRY_PAUSE = Duration.ofSeconds(1);
    private static final Duration POLL = Duration.ofMillis(250);
    private static final Duration READY_REQUEST = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ContainerRunner.ImageConfig image;

    WebhookEngine(ContainerRunner.ImageConfig image) {
        this.image = image;
    }

    static boolean recognises(ContainerRunner.ImageConfig image) {
        return WebhookRun.recognises(image.entrypoint(), image.env());
    }

    /** True when the image's ENTRYPOINT puts the toolkit in front (then the image must hold it: {@link #inspectToolkit}). */
    boolean toolkitFirst() {
        return toolkitFirst(image);
    }

    private static boolean toolkitFirst(ContainerRunner.ImageConfig image) {
        return !image.entrypoint().isEmpty() && image.entrypoint().getFirst().equals(TOOLKIT);
    }

    /**
     * The command to run instead of the image's: the ENTRYPOINT after the toolkit, then CMD (the toolkit runs what
     * follows it); null when the toolkit is not in front (the image's own ENTRYPOINT and CMD run).
     */
    List<String> command() {
        if (!toolkitFirst(image)) return null;
        List<String> command = new ArrayList<>(image.entrypoint().subList(1, image.entrypoint().size()));
        command.addAll(image.cmd());
        return command;
    }

    /** What the container runs, for the report. */
    List<String> effectiveCommand() {
        List<String> c = command();
        if (c != null) return c;
        List<String> all = new ArrayList<>(image.entrypoint());
        all.addAll(image.cmd());
        return all;
    }

    /**
     * The sandbox's side of one run: where the toolkit's fields point and what the engine needs to know.
     * {@code loopback} redirects the given ports of the container's address to its loopback interface and returns
     * null, or returns why it cannot (then the requests go to the container's address).
     */
    record Context(ContainerRunner runner, String containerId, String network, SandboxApi api, String apiBase, String token,
                   JsonNode taskPayload, String engineMode, Duration readyTimeout, Supplier<Duration> remaining,
                   WebhookRun.ToolkitFile toolkitFile, BiFunction<String, List<Integer>, String> loopback) {
    }

    /** How long {@code /opt/aiware/engine --version} may take, and how much of its output is read. */
    static final Duration VERSION_TIMEOUT = Duration.ofSeconds(3);
    private static final int VERSION_BYTES = 4096;

    /**
     * What the created container holds at {@link #TOOLKIT}: a regular file with an execute bit is usable (symbolic
     * links inside the image are followed, a few at most); anything else would not start on the platform.
     */
    static WebhookRun.ToolkitFile inspectToolkit(ContainerRunner runner, String containerId) {
        String path = TOOLKIT;
        String via = "";
        for (int hop = 0; hop < 5; hop++) {
            ContainerRunner.PathEntry e;
            try {
                e = runner.pathEntry(containerId, path);
            } catch (ContainerRunner.EngineException ex) {
                // our reading failed, not the image: recorded, and not held against the engine
                return new WebhookRun.ToolkitFile(via + "not checked (" + ex.getMessage() + ")", true, null);
            }
            if (e == null) return new WebhookRun.ToolkitFile(via + "missing", false, null);
            switch (e.type()) {
                case '0', '7' -> {
                    boolean exec = (e.mode() & 0111) != 0;
                    String mode = String.format("mode %04o", e.mode());
                    return exec ? new WebhookRun.ToolkitFile(via + "a regular executable file of " + e.size() + " bytes (" + mode + ")", true, null)
                            : new WebhookRun.ToolkitFile(via + "a regular file without execute permission (" + mode + ")", false, null);
                }
                case '2' -> {
                    String target = e.linkTarget() == null ? "" : e.linkTarget();
                    via += "a symbolic link to " + target + ", which is ";
                    path = target.startsWith("/") ? target : path.substring(0, path.lastIndexOf('/') + 1) + target;
                }
                case '5' -> {
                    return new WebhookRun.ToolkitFile(via + "a directory", false, null);
                }
                default -> {
                    return new WebhookRun.ToolkitFile(via + "not a regular file (tar type " + e.type() + ")", false, null);
                }
            }
        }
        return new WebhookRun.ToolkitFile(via + "a chain of too many symbolic links", false, null);
    }

    /**
     * The toolkit's version, asked inside the running container ({@code /opt/aiware/engine --version}: Veritone
     * documents no version flag, so this is a try): the first line it printed when it exited 0 within
     * {@link #VERSION_TIMEOUT}, else null. Never fails the run.
     */
    static String toolkitVersion(ContainerRunner runner, String containerId, Duration left) {
        Duration timeout = left.compareTo(VERSION_TIMEOUT) < 0 ? left : VERSION_TIMEOUT;
        if (timeout.isZero()) return null;
        try {
            ContainerRunner.ExecResult r = runner.exec(containerId, List.of(TOOLKIT, "--version"), timeout, VERSION_BYTES);
            if (r.exitCode() == null || r.exitCode() != 0) return null;
            String line = r.output().lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse(null);
            return line == null ? null : line.length() > 200 ? line.substring(0, 200) + "…" : line;
        } catch (ContainerRunner.EngineException e) {
            return null;
        }
    }

    /** One chunk of work: its media and the toolkit's offset and size fields. */
    record ChunkSample(SampleMedia media, long startMs, long endMs, int width, int height, boolean wholeAsset) {
    }

    /** Chunk engines get audio in this many consecutive segments and images as this many frames. */
    static final int SEGMENTS = 2;

    /**
     * The chunks the toolkit would send for the recording's first asset: a chunk engine gets audio as
     * {@link #SEGMENTS} consecutive segments (each a WAV of its own, with its offsets) and images as as many frames
     * (one per second of a short video); text and other media stay one chunk; batch and stream engines get the whole
     * sample as one chunk.
     */
    static List<ChunkSample> chunks(SampleMedia m, String engineMode) {
        boolean image = m.contentType().startsWith("image/");
        boolean audio = m.contentType().startsWith("audio/");
        int w = image ? SampleMedia.IMAGE_WIDTH : 0;
        int h = image ? SampleMedia.IMAGE_HEIGHT : 0;
        if (!engineMode.equals("chunk") || !(audio || image)) {
            return List.of(new ChunkSample(m, 0, audio ? SampleMedia.AUDIO_MILLIS : 0, w, h, true));
        }
        List<ChunkSample> list = new ArrayList<>();
        long step = audio ? SampleMedia.AUDIO_MILLIS / SEGMENTS : 1000;
        for (int i = 0; i < SEGMENTS; i++) {
            SampleMedia part = audio ? SampleMedia.wavSegment(m.contentType(), i * step, (i + 1) * step) : SampleMedia.frame(m.contentType(), i);
            list.add(new ChunkSample(part, i * step, (i + 1) * step, w, h, false));
        }
        return list;
    }

    /**
     * Waits for the ready webhook, posts the chunks, and for batch and stream engines waits for each chunk's
     * completion heartbeat; stops early when the container exits or the run's deadline passes. Never throws for what
     * the engine does (that is in the returned facts); the container is left running for the caller to stop.
     */
    WebhookRun drive(Context ctx) throws InterruptedException {
        String readyUrl = image.envValue(READY_ENV);
        String processUrl = image.envValue(PROCESS_ENV);
        String address = ctx.runner().containerAddress(ctx.containerId(), ctx.network());
        Builder b = new Builder(readyUrl, processUrl, address, ctx);
        if (address != null) b.loopback = redirect(ctx, address, readyUrl, processUrl);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).proxy(HttpClient.Builder.NO_PROXY).build();
        try (http) {
            URI ready = target(readyUrl, address);
            if (ready == null) {
                b.readyLast = readyUrl == null ? "no " + READY_ENV + " in the image's environment" : "cannot use " + READY_ENV + "=" + readyUrl;
                return b.build();
            }
            long started = System.nanoTime();
            long budget = Math.min(ctx.readyTimeout().toNanos(), ctx.remaining().get().toNanos());
            while (true) {
                b.readyPolls++;
                try {
                    HttpResponse<Void> r = http.send(HttpRequest.newBuilder(ready).timeout(READY_REQUEST).GET().build(),
                            HttpResponse.BodyHandlers.discarding());
                    if (r.statusCode() == 200) {
                        b.readyMillis = (System.nanoTime() - started) / 1_000_000;
                        break;
                    }
                    b.readyLast = "HTTP " + r.statusCode();
                } catch (IOException e) {
                    b.readyLast = describe(e);
                }
                if (System.nanoTime() - started >= budget) return b.build();
                OptionalInt exit = ctx.runner().awaitExit(ctx.containerId(), POLL);
                if (exit.isPresent()) {
                    b.exitCode = exit.getAsInt();
                    return b.build();
                }
            }
            URI process = target(processUrl, address);
            if (process == null) return b.build();
            TaskRecording.Asset asset = ctx.api().recording().primary();
            String assetId = ctx.api().sampleAssetId();
            List<ChunkSample> samples = chunks(asset.media(), ctx.engineMode());
            for (int i = 0; i < samples.size() && b.exitCode == null && !ctx.remaining().get().isZero(); i++) {
                ChunkSample sample = samples.get(i);
                String chunkId = HexFormat.of().formatHex(randomBytes());
                String cacheUri = sample.wholeAsset() ? ctx.api().signedUri(assetId) : ctx.api().chunkUri(chunkId, sample.media());
                Map<String, String> fields = fields(ctx, sample, cacheUri, chunkId, i);
                WebhookRun.Chunk chunk = post(http, process, ctx, i, chunkId, sample.media(), fields);
                if (chunk.answered() && b.asynchronous()) {
                    // batch and stream engines answer at once and report completion through the heartbeat webhook
                    while (!ctx.remaining().get().isZero()) {
                        String status = ctx.api().heartbeatStatus(chunkId);
                        if ("complete".equals(status) || "failed".equals(status)) break;
                        OptionalInt exit = ctx.runner().awaitExit(ctx.containerId(), POLL);
                        if (exit.isPresent()) {
                            b.exitCode = exit.getAsInt();
                            break;
                        }
                    }
                }
                b.chunks.add(chunk);
                if (b.exitCode == null) {
                    // did it exit meanwhile (a crash while answering)? then the sandbox did not stop it, and no chunk follows
                    OptionalInt exit = ctx.runner().awaitExit(ctx.containerId(), Duration.ofMillis(1));
                    if (exit.isPresent()) b.exitCode = exit.getAsInt();
                }
            }
            b.chunks.replaceAll(c -> withHeartbeat(c, ctx.api()));
            return b.build();
        }
    }

    /**
     * Asks the sandbox to redirect the webhook ports to the container's loopback interface when the URLs name the engine
     * itself ({@code 0.0.0.0}, {@code localhost}, {@code 127.x}): the real toolkit, inside the container, connects
     * there. Returns null when redirected, else why not.
     */
    private static String redirect(Context ctx, String address, String readyUrl, String processUrl) {
        List<Integer> ports = new ArrayList<>();
        for (String url : new String[] {readyUrl, processUrl}) {
            if (url == null || target(url, address) == null || !loopbackHost(url)) continue;
            int port = port(url);
            if (!ports.contains(port)) ports.add(port);
        }
        if (ports.isEmpty()) return "the webhook URLs do not name the engine's own container (0.0.0.0, localhost, 127.0.0.1)";
        return ctx.loopback().apply(address, ports);
    }

    private static boolean loopbackHost(String url) {
        String host = URI.create(url.strip()).getHost();
        if (host == null) return false;
        host = host.toLowerCase(Locale.ROOT);
        return host.equals("0.0.0.0") || host.equals("localhost") || host.startsWith("127.");
    }

    /** The toolkit's form fields for one chunk (Veritone's aiWARE docs, "process webhook"), in its order. */
    private static Map<String, String> fields(Context ctx, ChunkSample c, String cacheUri, String chunkId, int index) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("chunkMimeType", c.media().contentType());
        f.put("startOffsetMS", Long.toString(c.startMs()));
        f.put("endOffsetMS", Long.toString(c.endMs()));
        f.put("width", Integer.toString(c.width()));
        f.put("height", Integer.toString(c.height()));
        f.put("libraryId", "");
        f.put("libraryEngineModelId", "");
        f.put("cacheURI", cacheUri);
        f.put("veritoneApiBaseUrl", ctx.apiBase());
        f.put("token", ctx.token());
        f.put("payload", ctx.taskPayload() == null ? "{}" : ctx.taskPayload().toString());
        ObjectNode chunkContext = JSON.createObjectNode().put("chunkId", chunkId).put("chunkIndex", index);
        f.put("chunkContext", chunkContext.toString());
        f.put("heartbeatWebhook", ctx.apiBase() + SandboxApi.HEARTBEAT_PATH + chunkId);
        f.put("resultWebhook", ctx.apiBase() + SandboxApi.RESULT_PATH + chunkId);
        return f;
    }

    private WebhookRun.Chunk post(HttpClient http, URI process, Context ctx, int index, String chunkId, SampleMedia media,
                                  Map<String, String> fields) throws InterruptedException {
        String boundary = "drydock" + HexFormat.of().formatHex(randomBytes());
        // stream engines get no chunk file: they read the stream from cacheURI (Veritone's "Webhooks" article)
        byte[] body = multipart(boundary, fields, ctx.engineMode().equals("stream") ? null : media);
        List<WebhookRun.Attempt> attempts = new ArrayList<>();
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            Duration left = ctx.remaining().get();
            if (left.isZero()) break;
            long t = System.nanoTime();
            try {
                HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(process).timeout(left)
                        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
                String type = r.headers().firstValue("Content-Type").orElse(null);
                byte[] answer = r.body();
                String excerpt = null;
                if (r.statusCode() == 200) {
                    ctx.api().processAnswer(type, answer);
                } else {
                    String text = new String(answer, StandardCharsets.UTF_8).strip();
                    excerpt = text.length() > 200 ? text.substring(0, 200) + "…" : text;
                }
                attempts.add(new WebhookRun.Attempt(r.statusCode(), millis(t), null, type, answer.length, excerpt));
                if (r.statusCode() == 200) break;
            } catch (HttpTimeoutException e) {
                attempts.add(new WebhookRun.Attempt(0, millis(t), e instanceof HttpConnectTimeoutException ? "connection timed out"
                        : "no answer before the run's limit", null, 0, null));
                if (!(e instanceof HttpConnectTimeoutException)) break;
            } catch (IOException e) {
                attempts.add(new WebhookRun.Attempt(0, millis(t), describe(e), null, 0, null));
            }
            if (attempt < ATTEMPTS) {
                OptionalInt exit = ctx.runner().awaitExit(ctx.containerId(), RETRY_PAUSE);
                if (exit.isPresent()) break;
            }
        }
        Map<String, String> recorded = new LinkedHashMap<>(fields);
        recorded.put("token", "***");
        return new WebhookRun.Chunk(index, chunkId, media.contentType(), recorded, attempts, null, 0);
    }

    private static WebhookRun.Chunk withHeartbeat(WebhookRun.Chunk c, SandboxApi api) {
        return new WebhookRun.Chunk(c.index(), c.chunkId(), c.mimeType(), c.fields(), c.attempts(), api.heartbeatStatus(c.chunkId()),
                api.webhookResults(c.chunkId()));
    }

    /** {@code multipart/form-data}: the fields, then the {@code chunk} file (none when {@code media} is null). */
    static byte[] multipart(String boundary, Map<String, String> fields, SampleMedia media) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Map.Entry<String, String> f : fields.entrySet()) {
            write(out, "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + f.getKey() + "\"\r\n\r\n" + f.getValue() + "\r\n");
        }
        if (media == null) {
            write(out, "--" + boundary + "--\r\n");
            return out.toByteArray();
        }
        write(out, "--" + boundary + "\r\nContent-Disposition: form-data; name=\"chunk\"; filename=\"" + media.fileName()
                + "\"\r\nContent-Type: " + media.contentType() + "\r\n\r\n");
        out.writeBytes(media.bytes());
        write(out, "\r\n--" + boundary + "--\r\n");
        return out.toByteArray();
    }

    private static void write(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The URL to connect to: the webhook URL's port and path on the container's address. Null when the URL is missing
     * or unusable, or the container has no address.
     */
    static URI target(String webhookUrl, String address) {
        if (webhookUrl == null || address == null) return null;
        try {
            URI u = URI.create(webhookUrl.strip());
            if (u.getScheme() == null || !u.getScheme().toLowerCase(Locale.ROOT).equals("http")) return null;
            int port = u.getPort() == -1 ? 80 : u.getPort();
            String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
            return URI.create("http://" + address + ":" + port + path + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery()));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The port a webhook URL names (80 when none), or -1 when it cannot be read. */
    static int port(String webhookUrl) {
        try {
            URI u = URI.create(webhookUrl.strip());
            return u.getPort() == -1 ? 80 : u.getPort();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private static String describe(IOException e) {
        if (e instanceof HttpConnectTimeoutException) return "connection timed out";
        if (e instanceof ConnectException) return "connection refused";
        if (e instanceof HttpTimeoutException) return "no answer within " + READY_REQUEST.toSeconds() + " s";
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    private static long millis(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1_000_000;
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[8];
        new java.security.SecureRandom().nextBytes(b);
        return b;
    }

    private final class Builder {
        final String readyUrl;
        final String processUrl;
        final String address;
        final Context ctx;
        final List<WebhookRun.Chunk> chunks = new ArrayList<>();
        Long readyMillis;
        int readyPolls;
        String readyLast;
        Integer exitCode;
        String loopback = "the container has no address on the run network";

        Builder(String readyUrl, String processUrl, String address, Context ctx) {
            this.readyUrl = readyUrl;
            this.processUrl = processUrl;
            this.address = address;
            this.ctx = ctx;
        }

        boolean asynchronous() {
            return ctx.engineMode().equals("batch") || ctx.engineMode().equals("stream");
        }

        WebhookRun build() {
            return new WebhookRun(toolkitFirst(image) ? TOOLKIT : null, effectiveCommand(), readyUrl, processUrl, address,
                    ctx.readyTimeout(), readyMillis, readyPolls, readyLast, ctx.engineMode(), chunks, exitCode, ctx.toolkitFile(), loopback);
        }
    }
}
