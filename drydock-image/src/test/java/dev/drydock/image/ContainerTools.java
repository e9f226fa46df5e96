package dev.drydock.image;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs buildah, podman and skopeo for tests, each against its own storage under a temp directory (vfs driver,
 * the project's containers.conf), so tests neither see nor touch the machine's images. A missing tool skips the
 * test locally and fails it on CI ({@link dev.drydock.testkit.Prerequisites}).
 */
final class ContainerTools {
    private static final long TIMEOUT_SECONDS = 120;
    private final Path root;
    private final Path runRoot;
    private final Path containersConf;

    ContainerTools(Path dir) throws IOException {
        this.root = Files.createDirectories(dir.resolve("storage"));
        this.runRoot = Files.createDirectories(dir.resolve("run"));
        this.containersConf = dir.resolve("containers.conf");
        try (InputStream conf = ContainerTools.class.getResourceAsStream("/podman/containers.conf")) {
            Files.copy(conf, containersConf);
        }
    }

    /** buildah or podman with this helper's storage. */
    String run(String tool, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(tool, "--root", root.toString(), "--runroot", runRoot.toString(),
                "--storage-driver", "vfs"));
        command.addAll(List.of(args));
        return exec(command);
    }

    /** The containers-storage reference skopeo needs to reach this helper's storage. */
    String storageReference(String image) {
        return "containers-storage:[vfs@" + root + "+" + runRoot + "]" + image;
    }

    String exec(List<String> command) throws Exception {
        Path output = Files.createTempFile(root.getParent(), "out", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("CONTAINERS_CONF", containersConf.toString());
        Process process = builder.start();
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("timed out after " + TIMEOUT_SECONDS + " s: " + String.join(" ", command));
        }
        String text = Files.readString(output, StandardCharsets.UTF_8);
        Files.delete(output);
        if (process.exitValue() != 0) {
            throw new AssertionError("exit code " + process.exitValue() + ": " + String.join(" ", command) + "\n" + text);
        }
        return text.strip();
    }
}
