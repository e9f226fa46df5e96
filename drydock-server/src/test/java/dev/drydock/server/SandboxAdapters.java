package dev.drydock.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Adapters for the sandbox tests, from {@code examples/busybox-pull-adapter} (or another example under
 * {@code examples/}): its build context (with the registered engineId, or none, and optionally another script), built
 * with {@code buildah bud} in private storage, or a shell script on busybox committed with buildah, and pushed to
 * Drydock with buildah.
 */
final class SandboxAdapters {
    private static final Path EXAMPLES = Path.of("..", "examples");
    private static final Path EXAMPLE = EXAMPLES.resolve("busybox-pull-adapter");
    private static final String PLACEHOLDER_ENGINE_ID = "00000000-0000-0000-0000-000000000000";
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
        Path ctx = exampleContext(EXAMPLE, name, engineId);
        if (script != null) Files.writeString(ctx.resolve("adapter.sh"), script);
        return ctx;
    }

    /**
     * The build context of {@code examples/<example>} as its README builds it: its files, the registered engineId in
     * place of the placeholder in its {@code manifest.json}, and a static busybox.
     */
    Path exampleContext(String example, String engineId) throws IOException {
        return exampleContext(EXAMPLES.resolve(example), example, engineId);
    }

    private Path exampleContext(Path example, String name, String engineId) throws IOException {
        Path ctx = Files.createTempDirectory(dir, "context-" + name);
        try (Stream<Path> files = Files.list(example)) {
            for (Path f : files.toList()) {
                if (Files.isRegularFile(f)) Files.copy(f, ctx.resolve(f.getFileName().toString()));
            }
        }
        String manifest = Files.readString(ctx.resolve("manifest.json"));
        Files.writeString(ctx.resolve("manifest.json"), engineId != null
                ? manifest.replace(PLACEHOLDER_ENGINE_ID, engineId)
                : manifest.replace("\"engineId\": \"" + PLACEHOLDER_ENGINE_ID + "\",", ""));
        Files.copy(Path.of("/bin/busybox"), ctx.resolve("busybox"), StandardCopyOption.REPLACE_EXISTING);
        return ctx;
    }

    /**
     * Commits {@code localhost/<name>:1} from scratch: Debian's static busybox at {@code /bin/busybox} with the applets
     * such scripts use linked in {@code /bin} ({@code PATH=/bin}), {@code script} at {@code /adapter.sh} as the
     * exec-form ENTRYPOINT ({@code /bin/sh /adapter.sh}), {@code manifest} at {@code /var/manifest.json}.
     */
    void buildScript(String name, String manifest, String script) throws IOException {
        Path root = Files.createTempDirectory(dir, "rootfs-" + name);
        Files.createDirectories(root.resolve("bin"));
        Files.createDirectories(root.resolve("var"));
        Files.createDirectories(root.resolve("tmp"));
        Files.copy(Path.of("/bin/busybox"), root.resolve("bin/busybox"));
        for (String applet : List.of("sh", "echo", "cat", "wget", "sleep", "sed", "head", "printf", "grep", "tr", "sort")) {
            Files.createSymbolicLink(root.resolve("bin").resolve(applet), Path.of("busybox"));
        }
        Files.writeString(root.resolve("var/manifest.json"), manifest);
        Files.writeString(root.resolve("adapter.sh"), script);
        Files.setPosixFilePermissions(root.resolve("adapter.sh"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        String container = tools.ok(buildah("from", "scratch")).stdout().strip();
        tools.ok(buildah("copy", container, root + "/", "/"));
        tools.ok(buildah("config", "--entrypoint", "[\"/bin/sh\",\"/adapter.sh\"]", "--env", "PATH=/bin", container));
        tools.ok(buildah("commit", "-q", "--rm", container, "localhost/" + name + ":1"));
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
