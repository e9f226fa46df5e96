package dev.drydock.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.server.http.Json;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A main class (a Drydock server) in a JVM of its own, for the tests that kill or signal the process: the one way
 * those tests start a child, read what it prints (stdout and stderr kept apart, both shown when a test fails) and
 * call its HTTP API.
 */
public final class ChildJvm implements AutoCloseable {
    /**
     * How long a child may take to print what a test waits for: a cold JVM (C1 only) on a loaded machine, where the
     * module's two test JVMs and their children share the cores. Not a performance bound: a green run never waits it out.
     */
    public static final Duration WAIT = Duration.ofSeconds(180);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Process process;
    private final BlockingQueue<String> pending = new LinkedBlockingQueue<>();
    private final List<String> stdout = new CopyOnWriteArrayList<>();
    private final List<String> stderr = new CopyOnWriteArrayList<>();
    private final Thread outReader;
    private final Thread errReader;

    private ChildJvm(Process process) {
        this.process = process;
        this.outReader = read(process.getInputStream(), line -> {
            stdout.add(line);
            pending.add(line);
        });
        this.errReader = read(process.getErrorStream(), stderr::add);
    }

    /** Starts {@code main} with this test JVM's class path, a small heap and a quick-starting compiler. */
    public static ChildJvm start(Class<?> main, String maxHeap, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx" + maxHeap,
                "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        return new ChildJvm(new ProcessBuilder(command).start());
    }

    public Process process() {
        return process;
    }

    /** Waits for a stdout line starting with {@code prefix}; returns the rest of it, trimmed. */
    public String expect(String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            String line = pending.poll(1, TimeUnit.SECONDS);
            if (line != null && line.startsWith(prefix)) return line.substring(prefix.length()).trim();
        }
        throw new AssertionError("the child never printed " + prefix + "; " + output());
    }

    /** Its stderr lines so far (the server's log). */
    public List<String> stderr() {
        return stderr;
    }

    /** Waits until the (ended) child's output has been read to the end. */
    public void awaitOutputEnd() throws InterruptedException {
        outReader.join(5000);
        errReader.join(5000);
    }

    /** Everything it printed, for a failure message. */
    public String output() {
        return "child stdout:\n" + String.join("\n", stdout) + "\nchild stderr:\n" + String.join("\n", stderr);
    }

    /** Kills it if it still runs. */
    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    private static Thread read(InputStream stream, java.util.function.Consumer<String> sink) {
        return Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) sink.accept(line);
            } catch (IOException ignored) {
                // the child ended
            }
        });
    }

    /**
     * An API call to a child (JSON body; a JSON answer parsed, any other as a JSON string node), asserting the status.
     * {@code auth} null: no Authorization header.
     */
    public static JsonNode call(String url, String method, String path, String auth, Object body, int status) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path));
            if (auth != null) b.header("Authorization", auth);
            if (body == null) {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            } else {
                b.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(body)));
            }
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != status) throw new AssertionError(method + " " + path + ": " + r.statusCode() + " " + r.body());
            return r.headers().firstValue("Content-Type").orElse("").startsWith("application/json")
                    ? Json.MAPPER.readTree(r.body()) : Json.MAPPER.getNodeFactory().textNode(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
