package dev.drydock.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.LogEvent;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import dev.drydock.oci.Digest;
import dev.drydock.oci.MediaTypes;
import dev.drydock.registry.events.RegistryEvent;
import dev.drydock.server.http.Json;
import dev.drydock.testkit.Prerequisites;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The registry driven by real clients over loopback HTTP: podman, buildah, skopeo, the docker CLI (login
 * only: there is no engine) and Jib. Test images are built from busybox with buildah, without any base
 * image. Every tool gets private storage, configuration and credentials under a temporary directory, so the
 * machine's container state is not used or changed.
 */
class RealClientsTest {
    private static final long ORG = 17532;
    private static final long OTHER_ORG = 20001;
    private static final String DEV = "dev@acme.test";
    private static final String ORG_ADMIN = "boss@acme.test";
    private static final String OUTSIDER = "someone@elsewhere.test";
    private static final String ROBOT = ORG + "+ci";
    /** Our token endpoint's message for bad credentials (see TokenRoutes). */
    private static final String BAD_CREDENTIALS = "invalid username or password";

    @TempDir
    static Path tmp;

    private static TestDrydock drydock;
    private static String host;
    private static String robotToken;
    private static Tools tools;
    private static ContainerStore buildStore;
    private static Images images;
    private static Throwable imagesFailure;

    /** The test images in {@link #buildStore}. */
    record Images(String small, String smallId, String big, String bigId, int bigLayers) {}

    @BeforeAll
    static void startRegistry() throws IOException {
        drydock = TestDrydock.start();
        host = drydock.host();
        drydock.createOrg(ORG);
        drydock.createOrg(OTHER_ORG);
        drydock.addMember(ORG, DEV, "developer");
        drydock.addMember(ORG, ORG_ADMIN, "admin");
        drydock.addMember(OTHER_ORG, OUTSIDER, "developer");
        robotToken = drydock.createRobot(ORG, "ci");

        tools = ContainerStore.tools(tmp);
        buildStore = new ContainerStore(tmp.resolve("build"));
    }

    @AfterAll
    static void stopRegistry() {
        if (drydock != null) drydock.close();
    }

    // ---------------------------------------------------------------- podman

    @Test
    void podmanPushesAMultiLayerImageAndPullsItBackIntoEmptyStorage() {
        Prerequisites.requireTools("podman", "buildah");
        Images img = images();
        Path auth = login("podman", DEV, TestDrydock.PASSWORD);
        String ref = host + "/" + ORG + "/app:1.0";
        Path digestFile = tmp.resolve("app.digest");
        tools.ok(buildStore.podman("tag", img.big(), ref));
        tools.ok(buildStore.podman("push", "--tls-verify=false", "--authfile", auth.toString(),
                "--digestfile", digestFile.toString(), ref));
        String digest = read(digestFile);
        assertThat(digest).startsWith("sha256:");
        assertThat(drydock.events).contains(new RegistryEvent.ManifestPushed(ORG, ORG + "/app", "1.0",
                Digest.parse(digest), MediaTypes.OCI_MANIFEST, DEV));

        // Nothing of it is left locally: untag it here, and pull into storage that has never seen it.
        tools.ok(buildStore.podman("rmi", ref));
        ContainerStore fresh = new ContainerStore(tmp.resolve("pull1"));
        tools.ok(fresh.podman("pull", "--tls-verify=false", "--authfile", auth.toString(), ref));
        String pulled = tools.ok(fresh.podman("image", "inspect", "--format", "{{.Id}} {{.Digest}} {{len .RootFS.Layers}}", ref))
                .stdout().strip();
        assertThat(pulled).isEqualTo(img.bigId() + " " + digest + " " + img.bigLayers());
    }

    @Test
    void podmanLoginWithAWrongPasswordFailsWithOurMessage() {
        Prerequisites.requireTools("podman");
        Path auth = tmp.resolve("auth-wrong-password.json");
        Tools.Result r = tools.fails(buildStore.podman("--log-level=debug", "login", "--tls-verify=false",
                "--authfile", auth.toString(), "-u", DEV, "-p", "not-the-password", host));
        // podman prints its own summary and puts the registry's message in its debug log.
        assertThat(r.stderr()).as(r.describe())
                .contains("invalid username/password")
                .contains("unauthorized: " + BAD_CREDENTIALS);
        assertThat(auth).doesNotExist();
    }

    @Test
    void podmanPushesWithARobotLogin() {
        Prerequisites.requireTools("podman", "buildah", "skopeo");
        Images img = images();
        Path auth = login("podman", ROBOT, robotToken);
        String ref = host + "/" + ORG + "/robot-app:ci";
        Path digestFile = tmp.resolve("robot.digest");
        tools.ok(buildStore.podman("push", "--tls-verify=false", "--authfile", auth.toString(),
                "--digestfile", digestFile.toString(), img.small(), "docker://" + ref));
        String digest = read(digestFile);
        assertThat(drydock.events).contains(new RegistryEvent.ManifestPushed(ORG, ORG + "/robot-app", "ci",
                Digest.parse(digest), MediaTypes.OCI_MANIFEST, ROBOT));
        Tools.Result inspect = tools.ok("skopeo", "inspect", "--tls-verify=false", "--authfile", auth.toString(),
                "--format", "{{.Digest}}", "docker://" + ref);
        assertThat(inspect.stdout().strip()).isEqualTo(digest);
    }

    /**
     * A principal at the open-upload cap (default 64; e.g. many stuck CI jobs of one robot) gets 429 TOOMANYREQUESTS
     * with Retry-After: podman waits as told and pushes once uploads are cancelled. (The message naming the fix is
     * checked in UploadLimitsTest; podman retries for minutes before it would show it.) Pushes under the default caps
     * are covered by the other tests of this class.
     */
    @Test
    void podmanAtTheUploadCapWaitsAsToldAndPushesOnceUploadsAreCancelled() throws Exception {
        Prerequisites.requireTools("podman", "buildah");
        Images img = images();
        String robotLogin = ORG + "+busy";
        String token = drydock.createRobot(ORG, "busy");
        Path auth = login("podman", robotLogin, token);
        String repo = ORG + "/busy-app";
        String bearer = "Bearer " + drydock.token(robotLogin, token, "repository:" + repo + ":pull,push");
        List<String> held = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 64; i++) {
                var r = drydock.send(HttpRequest.newBuilder(URI.create(drydock.url() + "/v2/" + repo + "/blobs/uploads/"))
                        .header("Authorization", bearer).POST(HttpRequest.BodyPublishers.noBody()).build());
                assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
                held.add(r.headers().firstValue("Location").orElseThrow());
            }
            String ref = host + "/" + repo + ":1";
            var push = java.util.concurrent.CompletableFuture.supplyAsync(() -> tools.ok(buildStore.podman("--log-level=debug",
                    "push", "--tls-verify=false", "--authfile", auth.toString(), img.small(), "docker://" + ref)));
            Thread.sleep(8000);
            assertThat(push).as("podman waits while its principal is at the cap").isNotDone();
            for (String location : held) {
                var r = drydock.send(HttpRequest.newBuilder(URI.create(drydock.url() + location))
                        .header("Authorization", bearer).DELETE().build());
                assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
            }
            held.clear();
            Tools.Result pushed = push.get(3, java.util.concurrent.TimeUnit.MINUTES);
            assertThat(pushed.stderr()).as(pushed.describe()).containsIgnoringCase("too many requests");
            assertThat(drydock.events.stream().anyMatch(e -> e instanceof RegistryEvent.ManifestPushed p
                    && p.repository().equals(repo) && "1".equals(p.tag()))).isTrue();
        } finally {
            for (String location : held) {
                drydock.send(HttpRequest.newBuilder(URI.create(drydock.url() + location)).header("Authorization", bearer).DELETE().build());
            }
        }
    }

    // ---------------------------------------------------------------- buildah and skopeo

    @Test
    void buildahPushesAndSkopeoInspectsCopiesListsAndDeletes() {
        Prerequisites.requireTools("buildah", "skopeo");
        Images img = images();
        Path devAuth = login("buildah", DEV, TestDrydock.PASSWORD);
        String repo = ORG + "/tools";
        Path digestFile = tmp.resolve("tools.digest");
        for (String tag : List.of("v1", "v2")) {
            tools.ok(buildStore.buildah("push", "--tls-verify=false", "--authfile", devAuth.toString(),
                    "--digestfile", digestFile.toString(), img.big(), "docker://" + host + "/" + repo + ":" + tag));
        }
        String digest = read(digestFile);
        assertThat(drydock.events).contains(new RegistryEvent.ManifestPushed(ORG, repo, "v2", Digest.parse(digest),
                MediaTypes.OCI_MANIFEST, DEV));

        Path adminAuth = login("skopeo", ORG_ADMIN, TestDrydock.PASSWORD);
        String auth = adminAuth.toString();
        Tools.Result inspect = tools.ok("skopeo", "inspect", "--tls-verify=false", "--authfile", auth,
                "docker://" + host + "/" + repo + ":v1");
        JsonNode info = json(inspect.stdout());
        assertThat(info.get("Digest").asText()).isEqualTo(digest);
        assertThat(info.get("Layers")).hasSize(img.bigLayers());

        // A copy inside the organization mounts the layers from the source repository instead of uploading them.
        String copy = "docker://" + host + "/" + ORG + "/tools-copy:v1";
        Tools.Result copied = tools.ok("skopeo", "--debug", "copy", "--src-tls-verify=false", "--dest-tls-verify=false",
                "--authfile", auth, "docker://" + host + "/" + repo + ":v1", copy);
        for (JsonNode layer : info.get("Layers")) {
            assertThat(copied.stderr()).as(copied.describe())
                    .contains("mount=" + layer.asText().replace(":", "%3A"));
        }
        assertThat(copied.stderr().split("mount OK", -1)).as(copied.describe()).hasSize(img.bigLayers() + 1);
        assertThat(tools.ok("skopeo", "inspect", "--tls-verify=false", "--authfile", auth, "--format", "{{.Digest}}", copy)
                .stdout().strip()).isEqualTo(digest);

        Tools.Result tags = tools.ok("skopeo", "list-tags", "--tls-verify=false", "--authfile", auth,
                "docker://" + host + "/" + repo);
        assertThat(json(tags.stdout()).get("Tags")).extracting(JsonNode::asText).containsExactly("v1", "v2");

        // Deleting needs an organization admin: a developer (a member) is refused, and told that admins may.
        String byDigest = "docker://" + host + "/" + ORG + "/tools-copy@" + digest;
        Tools.Result refused = tools.fails("skopeo", "delete", "--tls-verify=false", "--authfile", devAuth.toString(), byDigest);
        assertThat(refused.stderr()).as(refused.describe())
                .contains(DEV + " may not delete " + ORG + "/tools-copy (only admins of the repository's organization may)");
        // The same refusal for Basic credentials sent straight to the registry (as curl users do).
        var basic = drydock.send(HttpRequest.newBuilder(URI.create(drydock.url() + "/v2/" + ORG + "/tools-copy/manifests/" + digest))
                .header("Authorization", TestDrydock.basic(DEV, TestDrydock.PASSWORD)).DELETE().build());
        assertThat(basic.statusCode()).isEqualTo(403);
        assertThat(basic.body()).contains(DEV + " may not delete " + ORG + "/tools-copy: only admins of the repository's organization may");
        tools.ok("skopeo", "delete", "--tls-verify=false", "--authfile", auth, byDigest);
        assertThat(drydock.events).contains(new RegistryEvent.ManifestDeleted(ORG, ORG + "/tools-copy", Digest.parse(digest), ORG_ADMIN));
        Tools.Result gone = tools.fails("skopeo", "inspect", "--tls-verify=false", "--authfile", auth, byDigest);
        assertThat(gone.stderr()).as(gone.describe()).contains("manifest unknown");
        // The source repository is untouched.
        assertThat(tools.ok("skopeo", "inspect", "--tls-verify=false", "--authfile", auth, "--format", "{{.Digest}}",
                "docker://" + host + "/" + repo + ":v1").stdout().strip()).isEqualTo(digest);
    }

    // ---------------------------------------------------------------- docker CLI

    @Test
    void dockerLoginAcceptsGoodCredentialsAndRejectsBadOnesWithOurMessage() {
        Prerequisites.requireTools("docker");
        Tools.Result ok = tools.ok("docker", "login", host, "-u", DEV, "-p", TestDrydock.PASSWORD);
        assertThat(ok.stdout()).as(ok.describe()).contains("Login Succeeded");
        Tools.Result robot = tools.ok("docker", "login", host, "-u", ROBOT, "-p", robotToken);
        assertThat(robot.stdout()).as(robot.describe()).contains("Login Succeeded");
        assertThat(tmp.resolve("docker/config.json")).content().contains("\"" + host + "\"");
        Tools.Result bad = tools.fails("docker", "login", host, "-u", DEV, "-p", "not-the-password");
        assertThat(bad.output()).as(bad.describe()).contains(BAD_CREDENTIALS);
    }

    // ---------------------------------------------------------------- Jib

    @Test
    void jibPushesWithCredentialsAndPullsItsImageBack() throws Exception {
        Prerequisites.requireTools("podman", "buildah");
        Images img = images();
        Path baseTar = tmp.resolve("jib-base.tar");
        tools.ok(buildStore.podman("save", "--format", "docker-archive", "-o", baseTar.toString(), img.small()));
        Path appFile = Files.createDirectories(tmp.resolve("jib-app")).resolve("hello.txt");
        String greeting = "hello from jib " + ThreadLocalRandom.current().nextLong();
        Files.writeString(appFile, greeting);
        String ref = host + "/" + ORG + "/jib-app:1";
        StringBuilder log = new StringBuilder();

        JibContainer pushed = withJibOverHttp(() -> Jib.from(TarImage.at(baseTar))
                .addFileEntriesLayer(FileEntriesLayer.builder()
                        .addEntry(appFile, AbsoluteUnixPath.get("/app/hello.txt")).build())
                .setEntrypoint("/bin/cat", "/app/hello.txt")
                .containerize(jibContainerizer(Containerizer.to(
                        RegistryImage.named(ref).addCredential(DEV, TestDrydock.PASSWORD)), log)), log);
        assertThat(pushed.isImagePushed()).isTrue();
        Digest digest = Digest.parse(pushed.getDigest().toString());
        assertThat(drydock.events).contains(new RegistryEvent.ManifestPushed(ORG, ORG + "/jib-app", "1", digest,
                MediaTypes.DOCKER_MANIFEST, DEV));

        Path pulledTar = tmp.resolve("jib-pulled.tar");
        JibContainer pulled = withJibOverHttp(() -> Jib.from(RegistryImage.named(ref).addCredential(DEV, TestDrydock.PASSWORD))
                .containerize(jibContainerizer(Containerizer.to(TarImage.at(pulledTar).named("pulled/jib-app:1")), log)), log);
        assertThat(pulled.getImageId()).as(log::toString).isEqualTo(pushed.getImageId());
        assertThat(fileInImageTar(pulledTar, "app/hello.txt")).as("app/hello.txt in %s", pulledTar).isEqualTo(greeting);
    }

    // ---------------------------------------------------------------- isolation between organizations

    @Test
    void aMemberCannotPushToOrPullFromAnotherOrganizationAndCannotTellWhetherARepositoryExists() {
        Prerequisites.requireTools("podman", "buildah");
        Images img = images();
        Path outsiderAuth = login("podman", OUTSIDER, TestDrydock.PASSWORD);
        Path secretDigest = tmp.resolve("secret.digest");
        tools.ok(buildStore.podman("push", "--tls-verify=false", "--authfile", outsiderAuth.toString(),
                "--digestfile", secretDigest.toString(), img.small(), "docker://" + host + "/" + OTHER_ORG + "/secret:1"));
        assertThat(drydock.events).contains(new RegistryEvent.ManifestPushed(OTHER_ORG, OTHER_ORG + "/secret", "1",
                Digest.parse(read(secretDigest)), MediaTypes.OCI_MANIFEST, OUTSIDER));
        Path devAuth = login("podman", DEV, TestDrydock.PASSWORD);
        int eventsBefore = drydock.events.size();

        Map<String, Tools.Result> outcomes = new LinkedHashMap<>();
        ContainerStore pullStore = new ContainerStore(tmp.resolve("pull2"));
        for (String name : List.of("secret", "nothing")) {
            String ref = host + "/" + OTHER_ORG + "/" + name + ":1";
            Tools.Result push = tools.fails(buildStore.podman("push", "--tls-verify=false", "--authfile",
                    devAuth.toString(), img.small(), "docker://" + ref));
            assertThat(push.stderr()).as(push.describe()).contains("denied");
            Tools.Result pull = tools.fails(pullStore.podman("pull", "--tls-verify=false", "--authfile",
                    devAuth.toString(), ref));
            assertThat(pull.stderr()).as(pull.describe())
                    .contains("denied")
                    .contains(DEV + " may not pull " + OTHER_ORG + "/" + name);
            outcomes.put(name + " push", push);
            outcomes.put(name + " pull", pull);
        }
        // The existing repository and the missing one fail in exactly the same way.
        for (String action : List.of("push", "pull")) {
            Tools.Result existing = outcomes.get("secret " + action);
            Tools.Result missing = outcomes.get("nothing " + action);
            assertThat(missing.exitCode()).isEqualTo(existing.exitCode());
            assertThat(missing.stderr().replace("/nothing", "/<repo>"))
                    .as("%s of an existing vs a missing repository%n%s%n%s", action, existing.describe(), missing.describe())
                    .isEqualTo(existing.stderr().replace("/secret", "/<repo>"));
        }
        assertThat(drydock.events.subList(eventsBefore, drydock.events.size())).isEmpty();
    }

    // ---------------------------------------------------------------- helpers

    /** Logs in with the tool's own login command into a new auth file, and returns that file. */
    private static Path login(String tool, String user, String password) {
        Path auth = tmp.resolve("auth-" + tool + "-" + user.replaceAll("[^A-Za-z0-9.+-]", "_") + ".json");
        List<String> base = switch (tool) {
            case "podman" -> buildStore.podman("login");
            case "buildah" -> buildStore.buildah("login");
            default -> List.of(tool, "login");
        };
        Tools.Result r = tools.ok(ContainerStore.concat(base, "--tls-verify=false", "--authfile", auth.toString(), "-u", user,
                "-p", password, host));
        assertThat(r.stdout()).as(r.describe()).contains("Login Succeeded");
        return auth;
    }

    /**
     * Builds the test images once: a small one (busybox and three links, one layer, no base image) and a
     * bigger one on top of it with a layer of 5 MiB of incompressible random data (streamed through many buffers
     * on the way up and down) and a
     * small third layer.
     */
    private static synchronized Images images() {
        Prerequisites.requireTools("busybox"); // Debian's busybox-static: the images' only content
        if (images != null) return images;
        if (imagesFailure != null) throw new AssertionError("building the test images failed earlier", imagesFailure);
        try {
            images = buildImages();
            return images;
        } catch (IOException e) {
            imagesFailure = e;
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            imagesFailure = e;
            throw e;
        }
    }

    private static Images buildImages() throws IOException {
        Path rootfs = tmp.resolve("rootfs");
        Path bin = Files.createDirectories(rootfs.resolve("bin"));
        Files.copy(Tools.locate("busybox"), bin.resolve("busybox"));
        for (String applet : List.of("sh", "echo", "cat")) {
            Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
        }
        Path data = Files.createDirectories(tmp.resolve("layer-data"));
        byte[] random = new byte[5 * 1024 * 1024];
        ThreadLocalRandom.current().nextBytes(random);
        Files.write(data.resolve("random.bin"), random);
        Path marker = tmp.resolve("marker.txt");
        Files.writeString(marker, "drydock real-client test image\n");

        String small = "localhost/drydock-test/small:1";
        String big = "localhost/drydock-test/big:1";
        tools.ok(buildStore.buildah("from", "--name", "small", "scratch"));
        tools.ok(buildStore.buildah("copy", "small", rootfs.toString(), "/"));
        tools.ok(buildStore.buildah("config", "--entrypoint", "[\"/bin/sh\"]", "small"));
        String smallId = lastLine(tools.ok(buildStore.buildah("commit", "--rm", "small", small)).stdout());

        tools.ok(buildStore.buildah("from", "--name", "big", small));
        tools.ok(buildStore.buildah("copy", "big", data.toString(), "/data"));
        tools.ok(buildStore.buildah("commit", "--rm", "big", "localhost/drydock-test/big-stage:1"));
        tools.ok(buildStore.buildah("from", "--name", "big", "localhost/drydock-test/big-stage:1"));
        tools.ok(buildStore.buildah("copy", "big", marker.toString(), "/etc/drydock-marker.txt"));
        tools.ok(buildStore.buildah("config", "--label", "dev.drydock.test=real-clients", "big"));
        String bigId = lastLine(tools.ok(buildStore.buildah("commit", "--rm", "big", big)).stdout());
        return new Images(small, smallId, big, bigId, 3);
    }

    @FunctionalInterface
    interface JibCall {
        JibContainer call() throws Exception;
    }

    /**
     * Runs a Jib build with {@code sendCredentialsOverHttp} on: Jib refuses to send credentials to a plain-HTTP
     * registry otherwise. The previous value is restored afterwards.
     */
    private static JibContainer withJibOverHttp(JibCall call, CharSequence log) throws Exception {
        String previous = System.getProperty("sendCredentialsOverHttp");
        System.setProperty("sendCredentialsOverHttp", "true");
        try {
            return call.call();
        } catch (Exception e) {
            throw new AssertionError("Jib failed: " + e + "\n--- Jib log ---\n" + log, e);
        } finally {
            if (previous == null) System.clearProperty("sendCredentialsOverHttp");
            else System.setProperty("sendCredentialsOverHttp", previous);
        }
    }

    private static Containerizer jibContainerizer(Containerizer containerizer, StringBuilder log) {
        return containerizer
                .setAllowInsecureRegistries(true)
                .setBaseImageLayersCache(tmp.resolve("jib-cache/base"))
                .setApplicationLayersCache(tmp.resolve("jib-cache/app"))
                .setToolName("drydock-real-clients-test")
                .addEventHandler(LogEvent.class, e -> {
                    synchronized (log) {
                        log.append(e.getLevel()).append(": ").append(e.getMessage()).append('\n');
                    }
                });
    }

    /** A text file's content from the top-most layer that has it, in an image tarball written by Jib. */
    private static String fileInImageTar(Path imageTar, String path) throws IOException {
        Map<String, byte[]> entries;
        try (InputStream in = Files.newInputStream(imageTar)) {
            entries = untar(in);
        }
        JsonNode manifest = Json.MAPPER.readTree(entries.get("manifest.json"));
        List<String> layers = Json.MAPPER.convertValue(manifest.get(0).get("Layers"),
                Json.MAPPER.getTypeFactory().constructCollectionType(List.class, String.class));
        for (String layer : layers.reversed()) {
            byte[] blob = entries.get(layer);
            assertThat(blob).as("layer %s in %s", layer, imageTar).isNotNull();
            InputStream layerIn = new ByteArrayInputStream(blob);
            if (blob.length > 2 && (blob[0] & 0xff) == 0x1f && (blob[1] & 0xff) == 0x8b) layerIn = new GZIPInputStream(layerIn);
            byte[] content = untar(layerIn).get(path);
            if (content != null) return new String(content, StandardCharsets.UTF_8);
        }
        return null;
    }

    /** Regular files of a (ustar) tar stream by name, without a leading "./" or "/". */
    private static Map<String, byte[]> untar(InputStream in) throws IOException {
        Map<String, byte[]> files = new HashMap<>();
        byte[] header = new byte[512];
        while (in.readNBytes(header, 0, 512) == 512 && header[0] != 0) {
            String name = field(header, 0, 100);
            String prefix = field(header, 345, 155);
            if (!prefix.isEmpty() && header[257] == 'u') name = prefix + "/" + name;
            long size = Long.parseLong(field(header, 124, 12).isEmpty() ? "0" : field(header, 124, 12), 8);
            byte type = header[156];
            byte[] content = in.readNBytes((int) size);
            in.readNBytes((int) ((512 - size % 512) % 512));
            if (type == '0' || type == 0) files.put(name.replaceFirst("^\\./", "").replaceFirst("^/", ""), content);
        }
        return files;
    }

    private static String field(byte[] header, int offset, int length) {
        int end = offset;
        while (end < offset + length && header[end] != 0) end++;
        return new String(header, offset, end - offset, StandardCharsets.US_ASCII).trim();
    }

    private static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String lastLine(String text) {
        String[] lines = text.strip().split("\n");
        return lines[lines.length - 1].strip();
    }
}
