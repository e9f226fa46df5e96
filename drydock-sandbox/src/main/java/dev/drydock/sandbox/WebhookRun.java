package dev.drydock.sandbox;

import java.time.Duration;
import java.util.List;

/**
 * What the sandbox saw of a webhook engine (Veritone's aiWARE Engine Toolkit model: an HTTP server behind
 * {@code /opt/aiware/engine}) while it played the toolkit: {@link SandboxResult#webhook()}, null for task engines.
 * Facts only; drydock-compliance judges them ({@code run.ready}, {@code run.process}).
 *
 * @param toolkit      {@value WebhookEngine#TOOLKIT} when the image's ENTRYPOINT starts with it (the sandbox runs the
 *                     command after it), null when only {@code VERITONE_WEBHOOK_PROCESS} made it a webhook engine (the
 *                     image's own ENTRYPOINT and CMD run)
 * @param command      the command the container ran
 * @param readyUrl     {@code VERITONE_WEBHOOK_READY} as the image declares it, or null
 * @param processUrl   {@code VERITONE_WEBHOOK_PROCESS} as the image declares it, or null
 * @param address      the container's address on the run network, which the sandbox connected to (the URLs' host,
 *                     {@code 0.0.0.0} in Veritone's examples, means the engine itself), or null
 * @param readyTimeout how long the engine had to answer {@code GET} on its ready webhook with 200
 * @param readyMillis  when it first did, in milliseconds after the container started; null when it never did
 * @param readyPolls   how many times the ready webhook was asked
 * @param readyLast    the last answer that was not 200: {@code HTTP 503}, {@code connection refused} …; null when none
 * @param engineMode   the manifest's {@code engineMode} ({@code chunk} when it has none): {@code batch} and
 *                     {@code stream} engines report progress and completion through {@code heartbeatWebhook}
 * @param chunks       every chunk sent to the process webhook, in order
 * @param exitCode     the container's exit code when it exited by itself (before the sandbox stopped it), else null
 * @param toolkitFile  what the image holds at {@value WebhookEngine#TOOLKIT} when its ENTRYPOINT names it (read from the
 *                     created container before it started), null when {@code toolkit} is null
 * @param loopback     how the toolkit's requests reached the engine: {@code null} when they arrived on the container's
 *                     loopback interface, as from the real toolkit inside the container; else why they went to
 *                     {@code address} instead (e.g. a remote engine)
 */
public record WebhookRun(String toolkit, List<String> command, String readyUrl, String processUrl, String address,
                         Duration readyTimeout, Long readyMillis, int readyPolls, String readyLast, String engineMode,
                         List<Chunk> chunks, Integer exitCode, ToolkitFile toolkitFile, String loopback) {
    /** The image's environment variable naming the ready webhook. */
    public static final String READY_ENV = "VERITONE_WEBHOOK_READY";
    /** The image's environment variable naming the process webhook. */
    public static final String PROCESS_ENV = "VERITONE_WEBHOOK_PROCESS";

    public WebhookRun {
        command = command == null ? List.of() : List.copyOf(command);
        chunks = chunks == null ? List.of() : List.copyOf(chunks);
    }

    /**
     * True for an image the sandbox tests as a webhook engine: its ENTRYPOINT starts with {@value WebhookEngine#TOOLKIT},
     * or its environment ({@code NAME=value} entries) declares {@value #PROCESS_ENV}. Known before any run, from the
     * image's configuration.
     */
    public static boolean recognises(List<String> entrypoint, List<String> env) {
        return (entrypoint != null && !entrypoint.isEmpty() && entrypoint.getFirst().equals(WebhookEngine.TOOLKIT))
                || (env != null && env.stream().anyMatch(e -> e.startsWith(PROCESS_ENV + "=")));
    }

    /** This run with the toolkit's version recorded ({@link ToolkitFile#version()}). */
    WebhookRun withToolkitVersion(String version) {
        return new WebhookRun(toolkit, command, readyUrl, processUrl, address, readyTimeout, readyMillis, readyPolls, readyLast,
                engineMode, chunks, exitCode, toolkitFile == null ? null : toolkitFile.withVersion(version), loopback);
    }

    public boolean ready() {
        return readyMillis != null;
    }

    /** The port of {@link #readyUrl()} when it is an http:// URL the sandbox can call, else -1. */
    public int readyPort() {
        int port = WebhookEngine.port(readyUrl);
        return port < 0 || WebhookEngine.target(readyUrl, "127.0.0.1") == null ? -1 : port;
    }

    /** True for engines that deliver through {@code heartbeatWebhook}/{@code resultWebhook} ({@code batch}, {@code stream}). */
    public boolean asynchronous() {
        return engineMode.equals("batch") || engineMode.equals("stream");
    }

    /**
     * One chunk of work posted to the process webhook.
     *
     * @param index     0, 1 … in the order sent
     * @param chunkId   the id in its {@code heartbeatWebhook}/{@code resultWebhook} URLs
     * @param mimeType  {@code chunkMimeType}
     * @param fields    the form fields sent (without the {@code chunk} file), {@code token} redacted
     * @param attempts  every attempt, in order: a non-200 answer or no answer is retried, up to
     *                  {@link WebhookEngine#ATTEMPTS} attempts
     * @param heartbeat the last {@code status} the engine posted to the chunk's heartbeat webhook, or null
     * @param results   how many results it posted to the chunk's result webhook
     */
    public record Chunk(int index, String chunkId, String mimeType, java.util.Map<String, String> fields, List<Attempt> attempts,
                        String heartbeat, int results) {
        public Chunk {
            fields = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(fields));
            attempts = List.copyOf(attempts);
        }

        /** The last attempt's answer was 200. */
        public boolean answered() {
            return !attempts.isEmpty() && attempts.getLast().status() == 200;
        }
    }

    /**
     * One {@code POST} to the process webhook.
     *
     * @param status      the HTTP status answered, 0 when there was no answer
     * @param millis      how long it took
     * @param error       why there was no answer (refused, timed out …), or null
     * @param contentType the answer's {@code Content-Type}, or null
     * @param bytes       the answer's length
     * @param body        the answer's first 200 characters when it was not 200 (the engine's error message), else null
     */
    public record Attempt(int status, long millis, String error, String contentType, long bytes, String body) {
    }

    /**
     * The Engine Toolkit binary as the image holds it.
     *
     * @param found   what is at the path: {@code a regular executable file of 123 bytes}, {@code missing},
     *                {@code a directory}, {@code a regular file without execute permission (mode 0644)} …
     * @param usable  true for a regular file with an execute bit (after following symbolic links inside the image)
     * @param version the first line {@code /opt/aiware/engine --version} printed when it exited 0 within a short time,
     *                else null (Veritone documents no version flag: a toolkit that prints nothing is fine)
     */
    public record ToolkitFile(String found, boolean usable, String version) {
        public ToolkitFile withVersion(String v) {
            return new ToolkitFile(found, usable, v);
        }
    }
}
