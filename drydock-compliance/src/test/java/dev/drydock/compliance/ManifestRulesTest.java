package dev.drydock.compliance;

import dev.drydock.image.ImageSource;
import dev.drydock.oci.Digest;
import dev.drydock.sandbox.RegistryAuth;
import dev.drydock.sandbox.SandboxRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The manifest rules as Veritone's platform has them: manifests shaped like the real ones (Veritone's sample engines,
 * the examples in Veritone's docs, the values as the platform stores them) pass {@code manifest.valid} and
 * {@code manifest.matches} with the right warnings, and a placeholder engineId is still an error. Every manifest here
 * is written for this test; the comment above each names the public manifest whose shape (field names, types,
 * values) it models. "Docs" is Veritone's documentation repository (github.com/veritone/docs, src/docs/developer/…).
 */
class ManifestRulesTest {
    private static final String ENGINE_ID = "2ff9260b-6788-45de-9757-980e5dc653e3";

    @TempDir
    Path tmp;

    /** What the sandbox run would be asked for (the same request SandboxRunCheck builds), captured after manifest.matches. */
    private final AtomicReference<SandboxRequest> sandboxRequest = new AtomicReference<>();

    /** Stands in for the image checks and manifest.present: the manifest file is in the filesystem. */
    private record Present(String json) implements Check {
        @Override public String id() { return ManifestPresentCheck.ID; }

        @Override
        public CheckResult run(CheckContext context) {
            InMemoryFilesystem fs = new InMemoryFilesystem().file("var/manifest.json", json, 0, "COPY manifest.json /var/manifest.json");
            context.put(ImageFilesystemCheck.FILESYSTEM, fs);
            context.put(ManifestPresentCheck.ENTRY, fs.lookup("var/manifest.json").orElseThrow());
            return CheckResult.passed(id(), "double", Map.of());
        }
    }

    private final class CaptureSandboxRequest implements Check {
        @Override public String id() { return "capture"; }
        @Override public List<String> needs() { return List.of(ManifestValidCheck.ID); }

        @Override
        public CheckResult run(CheckContext context) {
            sandboxRequest.set(SandboxRunCheck.request(context.build(), context.get(ManifestValidCheck.MANIFEST),
                    new SandboxAccess.PullTarget("host/17532/a@sha256:" + "a".repeat(64), RegistryAuth.NONE), Duration.ofMinutes(1)));
            return CheckResult.passed(id(), "captured", Map.of());
        }
    }

    private static final ImageSource NO_BLOBS = new ImageSource() {
        @Override public Optional<Manifest> manifest(Digest digest) { return Optional.empty(); }
        @Override public Optional<Long> blobSize(Digest digest) { return Optional.empty(); }
        @Override public java.io.InputStream blob(Digest digest) { throw new AssertionError("no blob reads expected"); }
    };

    private static BuildUnderTest registered(String category, String engineMode) {
        return new BuildUnderTest(ENGINE_ID, "b1", 1L, "dev@acme.test", "host/17532/a:1", "17532/a",
                Digest.sha256(new byte[]{1}), category, engineMode, "MostlyNetworkIsolated");
    }

    private BuildReport test(String manifest, BuildUnderTest build) throws InterruptedException {
        BuildReport report = new Pipeline(List.of(new Present(manifest), new ManifestValidCheck(), new ManifestMatchesCheck(),
                new CaptureSandboxRequest()), tmp).run(build, NO_BLOBS);
        assertThat(ShippedSchema.REPORT.violations(Pipeline.toJson(report))).as("report schema violations").isEmpty();
        return report;
    }

    private static CheckResult check(BuildReport report, String id) {
        return report.checks().stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow();
    }

    private static void passes(BuildReport report) {
        assertThat(report.errors()).isEmpty();
        assertThat(report.success()).isTrue();
        assertThat(check(report, ManifestValidCheck.ID).verdict()).as(check(report, ManifestValidCheck.ID).message()).isEqualTo(Verdict.passed);
        assertThat(check(report, ManifestMatchesCheck.ID).verdict()).as(check(report, ManifestMatchesCheck.ID).message()).isEqualTo(Verdict.passed);
    }

    // Docs, engines/standards/engine-manifest: the transcription example (category "transcription", externalCalls as
    // URLs "http://s3.amazonaws.com", "http://github.com", maxFileMb a float, media lengths in ms, releaseNotes).
    @Test
    void urlsInExternalCallsAllowTheirHostsThroughTheSandboxProxy() throws Exception {
        BuildReport report = test("""
                {"engineId":"%s","category":"transcription","url":"https://www.example.com/engines/transcription/",
                 "externalCalls":["http://s3.amazonaws.com","https://api.github.com:443/repos?x=1"],
                 "preferredInputFormat":"audio/wav","supportedInputFormats":["audio/wav","audio/mpeg","video/mp4"],
                 "outputFormats":["application/json","application/ttml+xml"],"initialConcurrency":50,"maxConcurrency":50,
                 "clusterSize":"small","maxFileMb":1200.0,"minMediaLengthMs":1000,"maxMediaLengthMs":900000,
                 "releaseNotes":"Faster."}""".formatted(ENGINE_ID), registered("transcription", "batch"));
        passes(report);
        assertThat(check(report, ManifestValidCheck.ID).message())
                .contains("externalCalls: http://s3.amazonaws.com allows s3.amazonaws.com, https://api.github.com:443/repos?x=1 allows api.github.com");
        assertThat(sandboxRequest.get().externalCalls()).containsExactly("s3.amazonaws.com", "api.github.com");
        assertThat(sandboxRequest.get().category()).isEqualTo("transcription");
    }

    // Docs, engines/cognitive/text/sentiment/manifest.example.json (and the other capability examples): no category,
    // engineMode "chunk"; the example's engineId is a placeholder, which the next test covers, so it is left out here.
    @Test
    void aMissingCategoryIsAWarningNamingTheRegisteredOne() throws Exception {
        BuildReport report = test("""
                {"preferredInputFormat":"text/plain","supportedInputFormats":["text/plain"],
                 "outputFormats":["application/json"],"engineMode":"chunk","clusterSize":"small"}""",
                registered("sentiment", "chunk"));
        assertThat(report.success()).isTrue();
        assertThat(check(report, ManifestValidCheck.ID).verdict()).isEqualTo(Verdict.passed);
        CheckResult matches = check(report, ManifestMatchesCheck.ID);
        assertThat(matches.verdict()).isEqualTo(Verdict.warning);
        assertThat(matches.message()).startsWith("the manifest has no category; the platform takes it from the registration, "
                + "where this adapter is sentiment: add \"category\": \"sentiment\" to say so").contains("agrees with the registered adapter (engineMode)");
        assertThat(sandboxRequest.get().category()).isEqualTo("sentiment");
    }

    // Docs, the capability manifest examples: "engineId": "<your engine ID from Veritone Developer>"; and
    // V3-Engine-Examples python/sentiment: "engineId": "YOUR-ENGINE-ID" with "category": "Sentiment". The docs: neglecting
    // to use the proper engineId means the build is not registered.
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"<your engine ID from Veritone Developer>", "YOUR-ENGINE-ID", "ENGINE_ID"})
    void aPlaceholderEngineIdIsRejectedNamingTheRegisteredOne(String placeholder) throws Exception {
        BuildReport report = test("""
                {"engineId":"%s","url":"https://github.com/YOUR-ENGINE-URL","category":"Sentiment","externalCalls":[],
                 "outputFormats":["application/json"],"clusterSize":"small","initialConcurrency":50,"maxConcurrency":50,
                 "preferredInputFormat":"text/plain","supportedInputFormats":["text/plain","application/json"],
                 "engineMode":"chunk"}""".formatted(placeholder), registered("sentiment", "chunk"));
        assertThat(report.success()).isFalse();
        assertThat(report.errors()).singleElement().asString()
                .contains("$.engineId: \"" + placeholder + "\" must be a UUID like")
                .contains("set \"engineId\": \"" + ENGINE_ID + "\"");
        assertThat(check(report, ManifestMatchesCheck.ID).verdict()).isEqualTo(Verdict.skipped);
    }

    // V3-Engine-Examples python/sentiment ("Sentiment") and javascript/hello-world ("keyword", preferred input format
    // "text/plain; charset=utf-8"), with the registered engineId in place of the placeholder.
    @ParameterizedTest
    @CsvSource({"Sentiment,sentiment", "keyword,keyword-extraction"})
    void veritoneSampleCategoriesMatchTheRegisteredOnes(String category, String registered) throws Exception {
        BuildReport report = test("""
                {"engineId":"%s","url":"Enter your engine URL if you have one","category":"%s","externalCalls":[],
                 "outputFormats":["application/json"],"clusterSize":"small","initialConcurrency":50,"maxConcurrency":50,
                 "preferredInputFormat":"text/plain; charset=utf-8","supportedInputFormats":["text/plain; charset=utf-8","text/plain","text/html"],
                 "engineMode":"chunk"}""".formatted(ENGINE_ID, category), registered(registered, "chunk"));
        passes(report);
        assertThat(check(report, ManifestMatchesCheck.ID).evidence().get("category"))
                .isEqualTo(Map.of("manifest", category, "reads", registered, "registered", registered));
        assertThat(sandboxRequest.get().adapterManifest().get("category").asText()).isEqualTo(registered);
    }

    // Docs, engines/standards/engine-manifest, "Available categories for cognitive engines" (spaces, Veritone's
    // names), the platform's category keys (categoryType: transcript, face, object, logo, ocr, fingerprint, translate),
    // and camel case from veritone-sample-engine-yolo ("objectRecognition") and veritone-sample-engine-amazon
    // ("faceRecognition").
    @ParameterizedTest
    @CsvSource({
            "object detection,object-detection", "Object Detection,object-detection", "facial detection,face-detection",
            "text recognition,text-recognition", "logo recognition,logo-recognition", "translate,translation",
            "fingerprint,audio-fingerprinting", "transcode,transcode", "geolocation,geolocation",
            "transcript,transcription", "ocr,text-recognition", "OCR,text-recognition", "logo,logo-recognition",
            "face,face-detection", "object,object-detection", "objectRecognition,object-detection",
            "faceRecognition,face-recognition", "Speaker Detection,speaker-separation", "speaker_separation,speaker-separation"})
    void veritoneNamesAndPlatformKeysMatchTheRegisteredCategory(String category, String registered) throws Exception {
        BuildReport report = test("""
                {"engineId":"%s","category":"%s","preferredInputFormat":"video/mp4","supportedInputFormats":["video/mp4"],
                 "outputFormats":["application/json"],"clusterSize":"small"}""".formatted(ENGINE_ID, category),
                registered(registered, "chunk"));
        passes(report);
        if (!category.equals(registered)) {
            assertThat(check(report, ManifestMatchesCheck.ID).message()).contains("category " + category + " is " + registered);
        }
    }

    // veritone-sample-engine-yolo: "category": "objectRecognition", no supportedInputFormats, and the sample's
    // misspelt "intialConcurrency" (an unknown field, allowed).
    @Test
    void aMissingSupportedInputFormatsDefaultsToThePreferredOneWithAWarning() throws Exception {
        BuildReport report = test("""
                {"engineId":"%s","category":"objectRecognition","preferredInputFormat":"video/mp4",
                 "outputFormats":["application/json"],"clusterSize":"small","intialConcurrency":50,"maxConcurrency":50}"""
                .formatted(ENGINE_ID), registered("object-detection", "batch"));
        assertThat(report.success()).isTrue();
        assertThat(report.errors()).isEmpty();
        CheckResult valid = check(report, ManifestValidCheck.ID);
        assertThat(valid.verdict()).isEqualTo(Verdict.warning);
        assertThat(valid.message()).isEqualTo("/var/manifest.json is valid JSON and matches the manifest schema; "
                + "supportedInputFormats is missing: Drydock takes it to be [\"video/mp4\"] (the preferredInputFormat); list every "
                + "input format the engine accepts, e.g. \"supportedInputFormats\": [\"video/mp4\"]");
        assertThat(valid.evidence().get("warnings")).asList().hasSize(1);
        assertThat(check(report, ManifestMatchesCheck.ID).verdict()).isEqualTo(Verdict.passed);
        assertThat(sandboxRequest.get().adapterManifest().get("supportedInputFormats").toString()).isEqualTo("[\"video/mp4\"]");
    }

    // V3-Engine-Examples go/extract-image-data: "category": "Automation" (not a category Drydock registers), engineMode
    // "chunk"; and docs, engines/correlation/manifest-example.json: "category": "adapter", no supportedInputFormats.
    @Test
    void anUnknownCategoryIsAWarningNamingTheRegisteredOne() throws Exception {
        BuildReport automation = test("""
                {"engineId":"%s","category":"Automation","externalCalls":[],"outputFormats":["application/json"],
                 "clusterSize":"small","initialConcurrency":50,"maxConcurrency":50,"preferredInputFormat":"image/jpeg",
                 "supportedInputFormats":["image/jpeg","image/tiff"],"engineMode":"chunk"}""".formatted(ENGINE_ID),
                registered("text-recognition", "chunk"));
        assertThat(automation.success()).isTrue();
        CheckResult matches = check(automation, ManifestMatchesCheck.ID);
        assertThat(matches.verdict()).isEqualTo(Verdict.warning);
        assertThat(matches.message()).startsWith("its category Automation is not one Drydock knows (docs/checks.md lists "
                + "Veritone's names for each category); this adapter is registered as text-recognition, which is what counts: "
                + "set \"category\": \"text-recognition\"");

        BuildReport correlation = test("""
                {"engineId":"%s","url":"https://www.example.com","category":"adapter","externalCalls":[],
                 "preferredInputFormat":"application/json","outputFormats":["application/json"],"clusterSize":"small",
                 "initialConcurrency":50,"maxConcurrency":50,"engineMode":"batch"}""".formatted(ENGINE_ID),
                registered("content-classification", "batch"));
        assertThat(correlation.success()).isTrue();
        assertThat(correlation.checks()).extracting(CheckResult::verdict)
                .containsExactly(Verdict.passed, Verdict.warning, Verdict.warning, Verdict.passed);
    }

    // Docs, engine-manifest and adapters/quick-start/step-3: "gpuSupported": "P2", "schemaId": 231,
    // "supportedSourceTypes": [5], "engineMode": "legacy" (the default); docs, adapters/README: "supportedSourceTypes":
    // ["6"] (strings, as the platform stores them), and "engineMode": "" as the platform stores an unset mode.
    @Test
    void bothTypesAreAcceptedWhereThePlatformAcceptsBoth() throws Exception {
        String engine = """
                {"engineId":"%s","category":"transcription","preferredInputFormat":"audio/wav",
                 "supportedInputFormats":["audio/wav"],"outputFormats":["application/json"],"clusterSize":"large",
                 "gpuSupported":%s,"schemaId":%s,"supportedSourceTypes":%s,"engineMode":"%s","minMemoryRequired":1024}""";
        for (String[] v : new String[][]{{"\"P2\"", "231", "[5]", "legacy"}, {"\"P2,G3\"", "\"231\"", "[\"6\"]", ""},
                {"[\"G2\",\"P2\"]", "231", "[5,\"6\"]", "chunk"}, {"true", "\"231\"", "[]", "legacy"}}) {
            BuildReport report = test(engine.formatted(ENGINE_ID, v[0], v[1], v[2], v[3]), registered("transcription", "chunk"));
            passes(report);
            if (v[3].equals("legacy")) {
                assertThat(check(report, ManifestMatchesCheck.ID).message())
                        .contains("engineMode legacy (the platform's default mode) is not compared with the registered chunk");
            }
        }
        // a pull adapter tied to Web Stream sources, the ids as strings
        passes(test("""
                {"engineId":"%s","category":"pull","engineMode":"batch","preferredInputFormat":"video/mp4",
                 "outputFormats":["video/mp4"],"supportedInputFormats":["video/mp4"],"clusterSize":"small",
                 "supportedSourceTypes":["6"],"schedule":"any"}""".formatted(ENGINE_ID), registered("pull", "batch")));
    }

    // veritone-sample-engine-py: "category": "translation", "externalCalls": [], the misspelt "intialConcurrency".
    @Test
    void theSampleTranslationEnginePasses() throws Exception {
        passes(test("""
                {"engineId":"%s","url":"https://gist.github.com/example/1","category":"translation","externalCalls":[],
                 "preferredInputFormat":"text/plain","supportedInputFormats":["text/plain","application/ttml+xml"],
                 "outputFormats":["text/plain","application/ttml+xml"],"clusterSize":"small","intialConcurrency":50,
                 "maxConcurrency":50}""".formatted(ENGINE_ID), registered("translation", "batch")));
        assertThat(sandboxRequest.get().externalCalls()).isEmpty();
    }

    @Test
    void aKnownCategoryOtherThanTheRegisteredOneFails() throws Exception {
        BuildReport report = test("""
                {"category":"facial detection","preferredInputFormat":"video/mp4","outputFormats":["application/json"],
                 "supportedInputFormats":["video/mp4"],"clusterSize":"small"}""", registered("object-detection", "chunk"));
        assertThat(report.errors()).singleElement().asString().isEqualTo("/var/manifest.json does not match the registered "
                + "adapter: its category is facial detection (face-detection) but the adapter is registered as object-detection: "
                + "set \"category\": \"object-detection\" (or register an adapter of category face-detection)");
    }

    // Docs, adapters/quick-start/step-3: engineMode is required for adapters ("batch" or "stream"); the rule holds when
    // the manifest leaves its category out or writes it in another case.
    @Test
    void anAdapterNeedsBatchOrStreamEvenWithoutACategory() throws Exception {
        BuildReport none = test("""
                {"preferredInputFormat":"video/mp4","outputFormats":["video/mp4"],"clusterSize":"small"}""",
                registered("pull", "batch"));
        assertThat(none.errors()).singleElement().asString().contains("(1 problem)")
                .contains("$: required property 'engineMode' not found: adapters (pull) run in batch or stream mode");
        BuildReport chunk = test("""
                {"category":"Pull","engineMode":"chunk","preferredInputFormat":"video/mp4","outputFormats":["video/mp4"],
                 "clusterSize":"small"}""", registered("pull", "batch"));
        assertThat(chunk.errors()).singleElement().asString().contains("$.engineMode: adapters (pull) run in batch or stream mode, not chunk");
        BuildReport stored = test("""
                {"category":"pull","engineMode":"","preferredInputFormat":"video/mp4","outputFormats":["video/mp4"],
                 "clusterSize":"small"}""", registered("pull", "batch"));
        assertThat(stored.errors()).singleElement().asString().contains("$.engineMode");
        // an engine's manifest pushed to an adapter: one root cause, the category
        BuildReport engine = test("""
                {"category":"transcription","preferredInputFormat":"audio/wav","outputFormats":["application/json"],
                 "clusterSize":"small"}""", registered("pull", "batch"));
        assertThat(engine.errors()).singleElement().asString().contains("its category is transcription but the adapter is registered as pull");
    }

    @Test
    void aWrongExternalCallIsStillAViolationWithItsPath() throws Exception {
        BuildReport report = test("""
                {"category":"transcription","preferredInputFormat":"audio/wav","outputFormats":["application/json"],
                 "clusterSize":"small","externalCalls":["api.example.com","not a domain"]}""", registered("transcription", "batch"));
        assertThat(report.errors()).singleElement().asString().contains("$.externalCalls[1]: must be a domain name like "
                + "api.example.com or a URL like https://api.example.com/");
    }

    @Test
    void withoutTheRegisteredAdapterTheDefaultsStillApplyAndTheBuildCanPass() throws Exception {
        BuildUnderTest local = new BuildUnderTest(null, null, null, null, "engine.tar", null, Digest.sha256(new byte[]{1}),
                null, null, null);
        BuildReport report = test("""
                {"category":"objectRecognition","preferredInputFormat":"video/mp4","outputFormats":["application/json"],
                 "clusterSize":"small","externalCalls":["*.Example.com"]}""", local);
        assertThat(report.success()).isTrue();
        assertThat(check(report, ManifestValidCheck.ID).verdict()).isEqualTo(Verdict.warning);
        assertThat(check(report, ManifestMatchesCheck.ID).verdict()).isEqualTo(Verdict.skipped);
        assertThat(sandboxRequest.get().category()).isEqualTo("object-detection");
        assertThat(sandboxRequest.get().externalCalls()).containsExactly("example.com");
    }

    @Test
    void externalCallsEntriesAreReducedToTheirHosts() {
        assertThat(ManifestRules.host("http://s3.amazonaws.com")).isEqualTo("s3.amazonaws.com");
        assertThat(ManifestRules.host("https://user:pw@API.Example.com:8443/v1/x?y#z")).isEqualTo("api.example.com");
        assertThat(ManifestRules.host(" api.example.com. ")).isEqualTo("api.example.com");
        assertThat(ManifestRules.host("*.example.com")).isEqualTo("example.com");
        assertThat(ManifestRules.host("github.com")).isEqualTo("github.com");
        // Found by ManifestValidFuzzTest: a "://" in the path or query was taken for the scheme, so the egress proxy
        // allowed the host named there instead of the one the schema had checked.
        assertThat(ManifestRules.host("api.example.com/r?u=http://evil.test")).isEqualTo("api.example.com");
        assertThat(ManifestRules.host("https://api.example.com/r?u=http://evil.test")).isEqualTo("api.example.com");
    }

    @Test
    void theSchemaAloneAcceptsTheRealShapes() {
        assertThat(ShippedSchema.MANIFEST.violations("""
                {"preferredInputFormat":"audio/wav","outputFormats":["application/json"],"clusterSize":"small",
                 "externalCalls":["http://s3.amazonaws.com","http://github.com"],"gpuSupported":"P2","schemaId":231,
                 "supportedSourceTypes":[5],"engineMode":"legacy","minMemoryRequired":1024}""")).isEmpty();
        assertThat(ShippedSchema.MANIFEST.violations("""
                {"preferredInputFormat":"audio/wav","outputFormats":["application/json"],"clusterSize":"small",
                 "supportedSourceTypes":[""],"schemaId":{},"gpuSupported":3}""")).extracting(ShippedSchema.Violation::path)
                .contains("$.supportedSourceTypes[0]", "$.schemaId", "$.gpuSupported");
    }
}
