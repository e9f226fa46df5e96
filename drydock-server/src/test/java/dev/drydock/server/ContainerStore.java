package dev.drydock.server;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Private container storage: podman and buildah flags that keep images out of the machine's storage. Keep
 * the directory name short: podman refuses a run root longer than 50 characters.
 */
record ContainerStore(Path dir) {
    ContainerStore {
        assertThat(dir.resolve("run").toString()).as("podman run root (at most 50 characters)").hasSizeLessThanOrEqualTo(50);
    }

    List<String> podman(String... args) {
        return concat(List.of("podman", "--root", dir.resolve("root").toString(), "--runroot",
                dir.resolve("run").toString(), "--tmpdir", dir.resolve("libpod").toString(),
                "--storage-driver", "vfs"), args);
    }

    List<String> buildah(String... args) {
        return concat(List.of("buildah", "--root", dir.resolve("root").toString(), "--runroot",
                dir.resolve("run").toString(), "--storage-driver", "vfs"), args);
    }

    /**
     * {@link Tools} whose podman, buildah, skopeo and docker see only files under {@code tmp}: the project's
     * containers.conf (runc, cgroupfs, ulimits), no search registries, empty credentials, no Docker engine.
     */
    static Tools tools(Path tmp) throws IOException {
        Path conf = Files.createDirectories(tmp.resolve("conf"));
        Path containersConf = conf.resolve("containers.conf");
        try (InputStream in = ContainerStore.class.getResourceAsStream("/podman/containers.conf")) {
            assertThat(in).as("test resource podman/containers.conf").isNotNull();
            Files.copy(in, containersConf);
        }
        Path registriesConf = conf.resolve("registries.conf");
        Files.writeString(registriesConf, "unqualified-search-registries = []\n");
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path tmpDir = Files.createDirectories(tmp.resolve("tmp"));
        Map<String, String> env = new HashMap<>();
        env.put("CONTAINERS_CONF", containersConf.toString());
        env.put("CONTAINERS_REGISTRIES_CONF", registriesConf.toString());
        Path defaultAuth = tmp.resolve("default-auth.json"); // every call also passes its own --authfile
        Files.writeString(defaultAuth, "{\"auths\": {}}\n");
        env.put("REGISTRY_AUTH_FILE", defaultAuth.toString());
        env.put("DOCKER_CONFIG", tmp.resolve("docker").toString());
        env.put("DOCKER_HOST", "unix://" + tmp.resolve("no-docker-engine.sock")); // never talk to a real engine
        env.put("HOME", home.toString());
        env.put("TMPDIR", tmpDir.toString());
        env.put("XDG_RUNTIME_DIR", null);
        env.put("XDG_CONFIG_HOME", null);
        env.put("XDG_DATA_HOME", null);
        return new Tools(env, tmp.resolve("tool-output"));
    }

    /**
     * Commits {@code image}: a good adapter built with buildah from scratch (GOOD_MANIFEST at /var/manifest.json,
     * an executable /app/adapter, exec-form ENTRYPOINT). Returns the build context, which holds both files.
     */
    Path commitGoodAdapter(Tools tools, Path context, String image) throws IOException {
        Files.createDirectories(context);
        Files.writeString(context.resolve("manifest.json"), TestImages.GOOD_MANIFEST);
        Files.writeString(context.resolve("adapter"), "#!/bin/sh\necho ok\n");
        tools.ok(buildah("from", "--name", "good", "scratch"));
        tools.ok(buildah("copy", "good", context.resolve("manifest.json").toString(), "/var/manifest.json"));
        tools.ok(buildah("copy", "--chmod", "755", "good", context.resolve("adapter").toString(), "/app/adapter"));
        tools.ok(buildah("config", "--entrypoint", "[\"/app/adapter\"]", "good"));
        tools.ok(buildah("commit", "--rm", "good", image));
        return context;
    }

    static List<String> concat(List<String> head, String... tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(List.of(tail));
        return all;
    }
}
