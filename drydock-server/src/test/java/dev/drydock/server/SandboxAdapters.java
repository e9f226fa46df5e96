package dev.drydock.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Adapters for the sandbox tests, from {@code examples/busybox-pull-adapter}: its build context (with the registered
 * engineId, or none, and optionally another script), built with {@code buildah bud} in private storage and pushed to
 * Drydock with buildah.
 */
final class SandboxAdapters {
    private static final Path EXAMPLE = Path.of("..", "examples", "busybox-pull-adapter");
    private final Tools tools;
    private final Path dir;

    SandboxAdapters(Tools tools, Path dir) {
        this.tools = tools;
        this.dir = dir;
    }

    List<String> buildah(String... args) {
        List<String> c = new ArrayList<>(List.of("buildah", "--storage-driver", "vfs", "--root", dir.resolve("build-storage").toString(),
                "--runroot", dir.resolve("build-run").toString()));
        c.addAll(List.of(args));
        return c;
    }

    /**
     * The example's build context.
     *
     * @param engineId the registered adapter's id for the manifest; null removes the field
     * @param script   the adapter script; null keeps the example's
     */
    Path context(String name, String engineId, String script) throws IOException {
        Path ctx = Files.createTempDirectory(dir, "context-" + name);
        try (Stream<Path> files = Files.list(EXAMPLE)) {
            for (Path f : files.toList()) {
                if (Files.isRegularFile(f)) Files.copy(f, ctx.resolve(f.getFileName().toString()));
            }
        }
        String manifest = Files.readString(ctx.resolve("manifest.json"));
        Files.writeString(ctx.resolve("manifest.json"), engineId != null
                ? manifest.replace("00000000-0000-0000-0000-000000000000", engineId)
                : manifest.replace("\"engineId\": \"00000000-0000-0000-0000-000000000000\",", ""));
        if (script != null) Files.writeString(ctx.resolve("adapter.sh"), script);
        Files.copy(Path.of("/bin/busybox"), ctx.resolve("busybox"), StandardCopyOption.REPLACE_EXISTING);
        return ctx;
    }

    /** {@code buildah bud} of the context as {@code localhost/<name>:1}. */
    void build(String name, Path ctx) {
        tools.ok(buildah("bud", "-q", "-t", "localhost/" + name + ":1", ctx.toString()));
    }

    /** Pushes {@code localhost/<image>:1} to {@code <host>/17532/<repository>:1} with buildah; returns the digest. */
    String push(String image, String host, String repository, String login, String secret) throws IOException {
        Path digestFile = Files.createTempFile(dir, "digest", ".txt");
        tools.ok(buildah("push", "--tls-verify=false", "--creds", login + ":" + secret, "--digestfile", digestFile.toString(),
                "localhost/" + image + ":1", "docker://" + host + "/17532/" + repository + ":1"));
        return Files.readString(digestFile).strip();
    }
}
