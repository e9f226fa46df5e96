package dev.drydock.compliance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drydock.image.ExtractionLimits;
import dev.drydock.image.FileEntry;
import dev.drydock.image.FileInterest;
import dev.drydock.image.ImageException;
import dev.drydock.image.ImageSource;
import dev.drydock.image.ResolvedImage;
import dev.drydock.oci.Digest;
import dev.drydock.oci.MediaTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The checks after {@code image.platform}, on exact image states: a platform double supplies the resolved image
 * and config, {@link InMemoryFilesystem} the flattened filesystem. Every report is validated against the
 * shipped report schema.
 */
class ImageChecksTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ENGINE_ID = "2ff9260b-6788-45de-9757-980e5dc653e3";
    private static final String GOOD_MANIFEST = """
            {"engineId":"%s","category":"pull","engineMode":"batch","preferredInputFormat":"video/mp4",
             "supportedInputFormats":["video/mp4","audio/mpeg"],"outputFormats":["application/json"],
             "clusterSize":"small","externalCalls":["api.example.com"],"maxConcurrency":4}""".formatted(ENGINE_ID);
    private static final String EXEC_CONFIG = "{\"os\":\"linux\",\"architecture\":\"amd64\",\"config\":{\"Entrypoint\":[\"/app/adapter\"]}}";

    @TempDir
    Path tmp;

    /** Stands in for image.platform: passes and records the resolved image and its config. */
    record PlatformDouble(String config) implements Check {
        @Override public String id() { return ImagePlatformCheck.ID; }

        @Override
        public CheckResult run(CheckContext context) throws Exception {
            JsonNode configJson = JSON.readTree(config);
            Digest d = Digest.sha256(new byte[]{1});
            context.put(ImagePlatformCheck.CONFIG, configJson);
            context.put(ImagePlatformCheck.PLATFORM, "linux/amd64");
            context.put(ImagePlatformCheck.RESOLVED, new ResolvedImage(d, d, MediaTypes.OCI_MANIFEST,
                    JSON.createObjectNode(), d, configJson, List.of(
                    new ResolvedImage.Layer(0, d, MediaTypes.OCI_LAYER_GZIP, 10, "ADD rootfs /"),
                    new ResolvedImage.Layer(1, d, MediaTypes.OCI_LAYER_GZIP, 10,
                            "/bin/sh -c rm /var/manifest.json")), "linux/amd64"));
            return CheckResult.passed(id(), "double", Map.of());
        }
    }

    private static final ImageSource NO_BLOBS = new ImageSource() {
        @Override public Optional<Manifest> manifest(Digest digest) { return Optional.empty(); }
        @Override public Optional<Long> blobSize(Digest digest) { return Optional.empty(); }
        @Override public java.io.InputStream blob(Digest digest) { throw new AssertionError("no blob reads expected"); }
    };

    private BuildReport run(InMemoryFilesystem fs, String config, BuildUnderTest build) throws Exception {
        return pipeline((source, image, interest, limits, dir) -> fs, config).run(build, NO_BLOBS);
    }

    private Pipeline pipeline(FilesystemReader reader, String config) {
        return new Pipeline(List.of(new PlatformDouble(config), new ImageFilesystemCheck(reader, ExtractionLimits.DEFAULTS),
                new ManifestPresentCheck(), new ManifestValidCheck(), new ManifestMatchesCheck(), new EntrypointCheck()), tmp);
    }

    private static BuildUnderTest registered(String category) {
        return new BuildUnderTest(ENGINE_ID, "b1", 1L, "dev@acme.test", "host/17532/a:1", "17532/a",
                Digest.sha256(new byte[]{1}), category, "batch", "FullyNetworkIsolated");
    }

    private static BuildReport valid(BuildReport report) {
        assertThat(ShippedSchema.REPORT.violations(Pipeline.toJson(report))).as("report schema violations").isEmpty();
        return report;
    }

    private static CheckResult check(BuildReport report, String id) {
        return report.checks().stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow();
    }

    private static InMemoryFilesystem withManifest(String json) {
        return new InMemoryFilesystem().file("var/manifest.json", json, 0, "COPY manifest.json /var/manifest.json");
    }

    @Test
    void goodAdapterPassesEveryCheckAndTheFilesystemIsClosedWithTheWorkDirectory() throws Exception {
        InMemoryFilesystem fs = withManifest(GOOD_MANIFEST);
        AtomicReference<Path> usedDir = new AtomicReference<>();
        AtomicReference<FileInterest> usedInterest = new AtomicReference<>();
        BuildReport report = valid(pipeline((source, image, interest, limits, dir) -> {
            usedDir.set(dir);
            usedInterest.set(interest);
            Files.writeString(dir.resolve("kept"), "x");
            return fs;
        }, EXEC_CONFIG).run(registered("pull"), NO_BLOBS));
        assertThat(report.errors()).isEmpty();
        assertThat(report.success()).isTrue();
        assertThat(report.checks()).extracting(CheckResult::verdict).containsOnly(Verdict.passed);
        JsonNode inspect = report.inspect();
        assertThat(inspect.get(0).get("RepoTags").get(0).asText()).isEqualTo("host/17532/a:1");
        assertThat(inspect.get(0).get("RepoDigests").get(0).asText()).isEqualTo("host/17532/a@" + Digest.sha256(new byte[]{1}));
        assertThat(inspect.get(0).get("Size").asLong()).isEqualTo(1024);
        assertThat(usedInterest.get().wants("var/manifest.json")).isTrue();
        assertThat(usedInterest.get().wants("etc/passwd")).isFalse();
        assertThat(fs.closed).isTrue();
        assertThat(usedDir.get()).doesNotExist();
        assertThat(tmp).isEmptyDirectory();
    }

    @Test
    void missingManifestIsOneRootCauseAndItsDependentsAreSkipped() throws Exception {
        BuildReport report = valid(run(new InMemoryFilesystem(), EXEC_CONFIG, registered("pull")));
        assertThat(report.success()).isFalse();
        assertThat(report.errors()).containsExactly(
                "Missing /var/manifest.json: copy your manifest to /var/manifest.json in the Dockerfile, e.g. COPY manifest.json /var/manifest.json");
        assertThat(check(report, "manifest.valid").verdict()).isEqualTo(Verdict.skipped);
        assertThat(check(report, "manifest.valid").message()).contains("manifest.present did not pass");
        assertThat(check(report, "manifest.matches").verdict()).isEqualTo(Verdict.skipped);
        assertThat(check(report, "image.entrypoint").verdict()).isEqualTo(Verdict.passed);
    }

    @Test
    void symlinkedManifestFailsNamingTheTargetAndTheStep() throws Exception {
        InMemoryFilesystem fs = new InMemoryFilesystem().entry("var/manifest.json", FileEntry.Type.SYMLINK, "/etc/passwd", 0, "ADD rootfs /");
        BuildReport report = valid(run(fs, EXEC_CONFIG, registered("pull")));
        assertThat(report.errors()).singleElement().asString()
                .startsWith("/var/manifest.json is a symlink to /etc/passwd (layer 1: ADD rootfs /)")
                .contains("copy the manifest file itself");
    }

    @Test
    void directoryAndDeletedManifestsFailSayingSo() throws Exception {
        InMemoryFilesystem dir = new InMemoryFilesystem().entry("var/manifest.json", FileEntry.Type.DIRECTORY, null, 0, null);
        assertThat(valid(run(dir, EXEC_CONFIG, registered("pull"))).errors()).singleElement().asString()
                .contains("is a directory").contains("COPY manifest.json /var/manifest.json");
        InMemoryFilesystem deleted = new InMemoryFilesystem().deleted("var/manifest.json", 1);
        BuildReport report = valid(run(deleted, EXEC_CONFIG, registered("pull")));
        assertThat(report.errors()).singleElement().asString()
                .contains("layer 2 (/bin/sh -c rm /var/manifest.json) deleted it");
        assertThat(check(report, "manifest.present").evidence()).containsEntry("deletedInLayerIndex", 1);
    }

    @Test
    void aManifestTooLargeToKeepFailsSayingSoPlainly() throws Exception {
        InMemoryFilesystem fs = new InMemoryFilesystem().notKeptFile("var/manifest.json", 70_000_000, 0, null,
                "not kept: 70000000 bytes, more than the 64 MiB Drydock keeps of one file");
        BuildReport report = valid(run(fs, EXEC_CONFIG, registered("pull")));
        assertThat(report.errors()).singleElement().asString().isEqualTo("/var/manifest.json (layer 1: ADD rootfs /) is "
                + "70000000 bytes, too large to read (not kept: 70000000 bytes, more than the 64 MiB Drydock keeps of one "
                + "file): a manifest is a small JSON file; copy the right file to /var/manifest.json");
        assertThat(check(report, ManifestValidCheck.ID).verdict()).isEqualTo(Verdict.skipped);
    }

    @Test
    void aHardLinkWhoseBytesWereNotKeptFailsNamingItsTarget() throws Exception {
        InMemoryFilesystem fs = new InMemoryFilesystem().entry("var/manifest.json", FileEntry.Type.HARDLINK, "etc/real.json", 0, null);
        assertThat(valid(run(fs, EXEC_CONFIG, registered("pull"))).errors()).singleElement().asString()
                .startsWith("/var/manifest.json is a hard link to /etc/real.json (layer 1: ADD rootfs /), which Drydock does not read");
    }

    @Test
    void invalidJsonNamesLineAndColumn() throws Exception {
        BuildReport report = valid(run(withManifest("{\"category\": \"pull\",\n  oops}"), EXEC_CONFIG, registered("pull")));
        assertThat(report.errors()).singleElement().asString()
                .startsWith("/var/manifest.json is not valid JSON at line 2, column").contains("jq . manifest.json");
        assertThat(check(report, "manifest.matches").verdict()).isEqualTo(Verdict.skipped);
    }

    @Test
    void duplicateKeysAndTrailingContentAreInvalidJson() throws Exception {
        BuildReport report = valid(run(withManifest("{\"category\":\"pull\",\"category\":\"push\"}"), EXEC_CONFIG, registered("pull")));
        assertThat(report.errors()).singleElement().asString().contains("Duplicate field 'category'");
        BuildReport trailing = valid(run(withManifest(GOOD_MANIFEST + " {}"), EXEC_CONFIG, registered("pull")));
        assertThat(trailing.errors()).singleElement().asString().startsWith("/var/manifest.json is not valid JSON");
    }

    @Test
    void everySchemaViolationIsListedWithItsJsonPath() throws Exception {
        String manifest = """
                {"category":"pull","preferredInputFormat":"video mp4","supportedInputFormats":[],
                 "clusterSize":"huge","externalCalls":["ftp server"],"maxConcurrency":0}""";
        BuildReport report = valid(run(withManifest(manifest), EXEC_CONFIG, registered("pull")));
        String error = report.errors().getFirst();
        assertThat(report.errors()).hasSize(1);
        assertThat(error).contains("$.preferredInputFormat: must be a MIME type like video/mp4",
                "$.supportedInputFormats: must have at least 1 items", "$.clusterSize: does not have a value in the enumeration",
                "$.externalCalls[0]: must be a domain name", "$.maxConcurrency: must have a minimum value of 1",
                "required property 'outputFormats'", "required property 'engineMode'");
        @SuppressWarnings("unchecked")
        List<Map<String, String>> violations = (List<Map<String, String>>) check(report, "manifest.valid").evidence().get("violations");
        assertThat(violations).extracting(v -> v.get("path")).contains("$.clusterSize", "$.externalCalls[0]", "$");
        assertThat(violations).hasSize(7);
    }

    @Test
    void enginesNeedNoEngineModeButAdaptersNeedBatchOrStream() {
        String engine = """
                {"category":"transcription","preferredInputFormat":"audio/wav","supportedInputFormats":["audio/wav"],
                 "outputFormats":["application/json"],"clusterSize":"large","engineMode":"chunk"}""";
        assertThat(ShippedSchema.MANIFEST.violations(engine)).isEmpty();
        assertThat(ShippedSchema.MANIFEST.violations(engine.replace("transcription", "push")))
                .extracting(ShippedSchema.Violation::path).containsExactly("$.engineMode");
    }

    @Test
    void manifestOfAnotherAdapterFailsNamingEachMismatch() throws Exception {
        BuildReport report = valid(run(withManifest(GOOD_MANIFEST.replace(ENGINE_ID, "00000000-0000-0000-0000-000000000001")),
                EXEC_CONFIG, registered("push")));
        assertThat(report.errors()).singleElement().asString()
                .contains("its engineId is 00000000-0000-0000-0000-000000000001 but this adapter's is " + ENGINE_ID)
                .contains("its category is pull but the adapter is registered as push: set \"category\": \"push\"");
    }

    @Test
    void withoutTheRegisteredAdapterManifestMatchesIsSkippedAndTheBuildCanPass() throws Exception {
        BuildUnderTest local = new BuildUnderTest(null, null, null, null, "adapter.tar", null,
                Digest.sha256(new byte[]{1}), null, null, null);
        BuildReport report = valid(run(withManifest(GOOD_MANIFEST), EXEC_CONFIG, local));
        assertThat(report.success()).isTrue();
        assertThat(check(report, "manifest.matches").verdict()).isEqualTo(Verdict.skipped);
        assertThat(check(report, "manifest.matches").message()).contains("--category");
    }

    @Test
    void inspectNamesTheTagOnlyForTagReferencesAndTheRepositoryDigestOnlyForRegistryImages() {
        Digest d = Digest.sha256(new byte[]{1});
        assertThat(ImageFilesystemCheck.repoTag("127.0.0.1:5000/17532/a:1.0")).isEqualTo("127.0.0.1:5000/17532/a:1.0");
        assertThat(ImageFilesystemCheck.repoTag("127.0.0.1:5000/17532/a@" + d)).isNull();
        assertThat(ImageFilesystemCheck.repoDigest("127.0.0.1:5000/17532/a:1.0", d)).isEqualTo("127.0.0.1:5000/17532/a@" + d);
        assertThat(ImageFilesystemCheck.repoDigest("127.0.0.1:5000/17532/a@" + d, d)).isEqualTo("127.0.0.1:5000/17532/a@" + d);
    }

    @Test
    void cmdOnlyFailsAndShellFormWarns() throws Exception {
        String cmdOnly = "{\"os\":\"linux\",\"architecture\":\"amd64\",\"config\":{\"Cmd\":[\"/app/adapter\"]}}";
        BuildReport failed = valid(run(withManifest(GOOD_MANIFEST), cmdOnly, registered("pull")));
        assertThat(failed.errors()).containsExactly("The image sets only CMD [/app/adapter], no ENTRYPOINT: use ENTRYPOINT "
                + "in exec form, e.g. ENTRYPOINT [\"/app/adapter\"]");
        String shell = "{\"os\":\"linux\",\"architecture\":\"amd64\",\"config\":{\"Entrypoint\":[\"/bin/sh\",\"-c\",\"/app/adapter --x\"]}}";
        BuildReport warned = valid(run(withManifest(GOOD_MANIFEST), shell, registered("pull")));
        assertThat(warned.success()).isTrue();
        assertThat(check(warned, "image.entrypoint").verdict()).isEqualTo(Verdict.warning);
        assertThat(check(warned, "image.entrypoint").message()).contains("shell form").contains("exec form");
        String none = "{\"os\":\"linux\",\"architecture\":\"amd64\",\"config\":{}}";
        assertThat(valid(run(withManifest(GOOD_MANIFEST), none, registered("pull"))).errors())
                .containsExactly("The image has no ENTRYPOINT: add one in exec form, e.g. ENTRYPOINT [\"/app/adapter\"]");
    }

    @Test
    void anUnreadableLayerFailsWithTheImageMessageAndLaterChecksAreSkipped() throws Exception {
        BuildReport report = valid(pipeline((source, image, interest, limits, dir) -> {
            throw new ImageException("layer 2 holds more than 1000000 entries: flatten the image");
        }, EXEC_CONFIG).run(registered("pull"), NO_BLOBS));
        assertThat(report.errors()).containsExactly("layer 2 holds more than 1000000 entries: flatten the image");
        assertThat(check(report, "manifest.present").verdict()).isEqualTo(Verdict.skipped);
    }

    @Test
    void aPrerequisiteMissingFromThePipelineIsAnErrorNotASilentPass() throws Exception {
        BuildReport report = valid(new Pipeline(List.of(new ManifestValidCheck()), tmp).run(registered("pull"), NO_BLOBS));
        assertThat(report.success()).isFalse();
        assertThat(report.checks().getFirst().verdict()).isEqualTo(Verdict.error);
        assertThat(report.errors().getFirst()).contains("needs manifest.present, which did not run before it");
    }
}
