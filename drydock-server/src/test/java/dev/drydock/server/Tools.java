package dev.drydock.server;

import dev.drydock.testkit.Prerequisites;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs external command-line tools (podman, buildah, skopeo, docker) for tests: each run has a timeout, its
 * output is captured, and a failure message carries the command with its stdout and stderr.
 *
 * <p>A test that needs a tool calls {@link Prerequisites#requireTools}: skipped locally when the tool is missing,
 * failed on CI.
 */
final class Tools {
    static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final AtomicInteger RUNS = new AtomicInteger();

    /** The outcome of one run. */
    record Result(List<String> command, int exitCode, String stdout, String stderr) {
        boolean ok() {
            return exitCode == 0;
        }

        /** stdout and stderr together, for matching messages wherever a tool prints them. */
        String output() {
            return stdout + "\n" + stderr;
        }

        String describe() {
            return "command: " + String.join(" ", command) + "\nexit code: " + exitCode
                    + "\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr;
        }
    }

    private final Map<String, String> environment;
    private final Path outputDir;

    /**
     * @param environment variables set on top of (or, with a null value, removed from) this process's environment
     * @param outputDir   where the captured output of each run is kept
     */
    Tools(Map<String, String> environment, Path outputDir) {
        this.environment = environment;
        this.outputDir = outputDir;
    }

    /** The executable's path on the PATH; call {@link Prerequisites#requireTools} first. */
    static Path locate(String tool) {
        Path path = Prerequisites.onPath(tool);
        if (path == null) throw new IllegalStateException(tool + " is not on the PATH");
        return path;
    }

    /** Runs the command and returns its result whatever the exit code; a run past {@link #TIMEOUT} fails. */
    Result run(String... command) {
        return run(List.of(command));
    }

    Result run(List<String> command) {
        int n = RUNS.incrementAndGet();
        String name = n + "-" + Path.of(command.getFirst()).getFileName();
        Path out = outputDir.resolve(name + ".out");
        Path err = outputDir.resolve(name + ".err");
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        environment.forEach((k, v) -> {
            if (v == null) pb.environment().remove(k);
            else pb.environment().put(k, v);
        });
        try {
            Files.createDirectories(outputDir);
            Process process = pb.start();
            boolean finished;
            try {
                finished = process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                kill(process);
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while running " + command, e);
            }
            if (!finished) {
                kill(process);
                Result partial = new Result(command, -1, read(out), read(err));
                throw new AssertionError("timed out after " + TIMEOUT.toSeconds() + " s\n" + partial.describe());
            }
            return new Result(command, process.exitValue(), read(out), read(err));
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + command, e);
        }
    }

    /** Runs the command and fails, with its output, unless it exits 0. */
    Result ok(String... command) {
        return ok(List.of(command));
    }

    Result ok(List<String> command) {
        Result r = run(command);
        if (!r.ok()) throw new AssertionError("expected exit code 0\n" + r.describe());
        return r;
    }

    /** Runs the command and fails, with its output, if it exits 0. */
    Result fails(String... command) {
        return fails(List.of(command));
    }

    Result fails(List<String> command) {
        Result r = run(command);
        if (r.ok()) throw new AssertionError("expected a non-zero exit code\n" + r.describe());
        return r;
    }

    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(could not read " + file + ": " + e + ")";
        }
    }
}
