package dev.drydock.oci;

import dev.drydock.oci.ManifestParser.Descriptor;
import dev.drydock.oci.ManifestParser.Parsed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import static dev.drydock.oci.MediaTypes.DOCKER_CONFIG;
import static dev.drydock.oci.MediaTypes.DOCKER_LAYER_GZIP;
import static dev.drydock.oci.MediaTypes.DOCKER_LIST;
import static dev.drydock.oci.MediaTypes.DOCKER_MANIFEST;
import static dev.drydock.oci.MediaTypes.OCI_CONFIG;
import static dev.drydock.oci.MediaTypes.OCI_INDEX;
import static dev.drydock.oci.MediaTypes.OCI_LAYER_GZIP;
import static dev.drydock.oci.MediaTypes.OCI_MANIFEST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ManifestParserTest {
    static final String A = "sha256:" + "a".repeat(64);
    static final String B = "sha256:" + "b".repeat(64);
    static final String C = "sha256:" + "c".repeat(64);
    static final String D = "sha256:" + "d".repeat(64);

    static Parsed parse(String json, String contentType) {
        return ManifestParser.parse(json.replace('\'', '"').getBytes(StandardCharsets.UTF_8), contentType);
    }

    static String descriptor(String mediaType, String digest, long size) {
        return "{'mediaType':'" + mediaType + "','digest':'" + digest + "','size':" + size + "}";
    }

    static String ociManifest(String extra) {
        return "{'schemaVersion':2,'mediaType':'" + OCI_MANIFEST + "','config':" + descriptor(OCI_CONFIG, A, 10)
                + ",'layers':[" + descriptor(OCI_LAYER_GZIP, B, 20) + "," + descriptor(OCI_LAYER_GZIP, C, 30) + "]" + extra + "}";
    }

    // ---------------------------------------------------------------- manifest types

    @Test
    void ociImageManifest() {
        Parsed p = parse(ociManifest(",'annotations':{'org.opencontainers.image.created':'2024-01-01T00:00:00Z'}"),
                OCI_MANIFEST);
        assertThat(p.mediaType()).isEqualTo(OCI_MANIFEST);
        assertThat(p.isIndex()).isFalse();
        assertThat(p.blobs()).containsExactly(
                new Descriptor(OCI_CONFIG, Digest.parse(A), 10, false),
                new Descriptor(OCI_LAYER_GZIP, Digest.parse(B), 20, false),
                new Descriptor(OCI_LAYER_GZIP, Digest.parse(C), 30, false));
        assertThat(p.manifests()).isEmpty();
        assertThat(p.subject()).isNull();
        assertThat(p.artifactType()).as("config mediaType stands in for a missing artifactType").isEqualTo(OCI_CONFIG);
        assertThat(p.annotationsJson()).isEqualTo("{\"org.opencontainers.image.created\":\"2024-01-01T00:00:00Z\"}");
    }

    @Test
    void ociImageIndex() {
        Parsed p = parse("{'schemaVersion':2,'mediaType':'" + OCI_INDEX + "','manifests':["
                + descriptor(OCI_MANIFEST, A, 100) + "," + descriptor(OCI_MANIFEST, B, 200) + "]}", OCI_INDEX);
        assertThat(p.mediaType()).isEqualTo(OCI_INDEX);
        assertThat(p.isIndex()).isTrue();
        assertThat(p.blobs()).isEmpty();
        assertThat(p.manifests()).extracting(Descriptor::digest).containsExactly(Digest.parse(A), Digest.parse(B));
        assertThat(p.manifests()).extracting(Descriptor::size).containsExactly(100L, 200L);
        assertThat(p.artifactType()).isNull();
        assertThat(p.annotationsJson()).isNull();
    }

    @Test
    void emptyIndexIsValid() {
        Parsed p = parse("{'schemaVersion':2,'mediaType':'" + OCI_INDEX + "','manifests':[]}", null);
        assertThat(p.isIndex()).isTrue();
        assertThat(p.manifests()).isEmpty();
    }

    @Test
    void dockerSchema2Manifest() {
        Parsed p = parse("{'schemaVersion':2,'mediaType':'" + DOCKER_MANIFEST + "','config':"
                + descriptor(DOCKER_CONFIG, A, 10) + ",'layers':[" + descriptor(DOCKER_LAYER_GZIP, B, 20) + "]}", DOCKER_MANIFEST);
        assertThat(p.mediaType()).isEqualTo(DOCKER_MANIFEST);
        assertThat(p.isIndex()).isFalse();
        assertThat(p.blobs()).extracting(Descriptor::mediaType).containsExactly(DOCKER_CONFIG, DOCKER_LAYER_GZIP);
        assertThat(p.artifactType()).as("only OCI manifests derive artifactType from config").isNull();
    }

    @Test
    void dockerManifestList() {
        Parsed p = parse("{'schemaVersion':2,'mediaType':'" + DOCKER_LIST + "','manifests':["
                + "{'mediaType':'" + DOCKER_MANIFEST + "','digest':'" + A + "','size':5,"
                + "'platform':{'architecture':'amd64','os':'linux'}}]}", DOCKER_LIST);
        assertThat(p.mediaType()).isEqualTo(DOCKER_LIST);
        assertThat(p.isIndex()).isTrue();
        assertThat(p.manifests()).containsExactly(new Descriptor(DOCKER_MANIFEST, Digest.parse(A), 5, false));
    }

    @Test
    void emptyLayersAreValid() {
        Parsed p = parse("{'schemaVersion':2,'config':" + descriptor(OCI_CONFIG, A, 1) + ",'layers':[]}", OCI_MANIFEST);
        assertThat(p.blobs()).hasSize(1);
    }

    // ---------------------------------------------------------------- media type resolution

    @Test
    void mediaTypeComesFromContentTypeWhenTheBodyHasNone() {
        String body = "{'schemaVersion':2,'config':" + descriptor(DOCKER_CONFIG, A, 1) + ",'layers':[]}";
        assertThat(parse(body, DOCKER_MANIFEST).mediaType()).isEqualTo(DOCKER_MANIFEST);
        assertThat(parse(body, DOCKER_MANIFEST + "; charset=utf-8").mediaType()).isEqualTo(DOCKER_MANIFEST);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "application/json", "application/octet-stream", "application/json; charset=utf-8"})
    void genericContentTypesAreIgnored(String contentType) {
        assertThat(parse(ociManifest(""), contentType).mediaType()).isEqualTo(OCI_MANIFEST);
    }

    @Test
    void withoutAnyMediaTypeTheShapeDecides() {
        assertThat(parse("{'schemaVersion':2,'manifests':[]}", null).mediaType()).isEqualTo(OCI_INDEX);
        assertThat(parse("{'schemaVersion':2,'config':" + descriptor(OCI_CONFIG, A, 1) + ",'layers':[]}", null)
                .mediaType()).isEqualTo(OCI_MANIFEST);
    }

    @Test
    void contentTypeMismatchingTheBodyIsInvalid() {
        assertInvalid(ociManifest(""), DOCKER_MANIFEST, "does not match");
        assertInvalid(ociManifest(""), OCI_INDEX, "Content-Type");
    }

    @Test
    void unsupportedMediaTypes() {
        assertInvalid("{'schemaVersion':2,'mediaType':'application/vnd.example+json','config':"
                + descriptor(OCI_CONFIG, A, 1) + ",'layers':[]}", null, "unsupported manifest media type");
        assertInvalid("{'schemaVersion':2,'config':" + descriptor(OCI_CONFIG, A, 1) + ",'layers':[]}",
                "application/vnd.docker.distribution.manifest.v1+prettyjws", "unsupported");
    }

    // ---------------------------------------------------------------- artifacts and referrers

    @Test
    void explicitArtifactTypeWinsOverConfigMediaType() {
        Parsed p = parse("{'schemaVersion':2,'mediaType':'" + OCI_MANIFEST + "','artifactType':'application/vnd.example.sbom',"
                + "'config':" + descriptor("application/vnd.oci.empty.v1+json", A, 2) + ",'layers':[]}", OCI_MANIFEST);
        assertThat(p.artifactType()).isEqualTo("application/vnd.example.sbom");
    }

    @Test
    void emptyConfigWithoutArtifactTypeUsesTheEmptyMediaType() {
        Parsed p = parse("{'schemaVersion':2,'config':" + descriptor("application/vnd.oci.empty.v1+json", A, 2)
                + ",'layers':[]}", OCI_MANIFEST);
        assertThat(p.artifactType()).isEqualTo("application/vnd.oci.empty.v1+json");
    }

    @Test
    void indexArtifactTypeIsTakenAsIs() {
        Parsed p = parse("{'schemaVersion':2,'mediaType':'" + OCI_INDEX + "','artifactType':'application/vnd.example.set',"
                + "'manifests':[]}", OCI_INDEX);
        assertThat(p.artifactType()).isEqualTo("application/vnd.example.set");
    }

    @Test
    void subjectIsParsed() {
        Parsed p = parse(ociManifest(",'subject':" + descriptor(OCI_MANIFEST, D, 500)), OCI_MANIFEST);
        assertThat(p.subject()).isEqualTo(new Descriptor(OCI_MANIFEST, Digest.parse(D), 500, false));
        assertThat(p.blobs()).extracting(Descriptor::digest).doesNotContain(Digest.parse(D));
    }

    @Test
    void nullSubjectMeansNone() {
        assertThat(parse(ociManifest(",'subject':null"), OCI_MANIFEST).subject()).isNull();
    }

    @Test
    void indexMayHaveASubject() {
        Parsed p = parse("{'schemaVersion':2,'mediaType':'" + OCI_INDEX + "','subject':" + descriptor(OCI_MANIFEST, D, 5)
                + ",'manifests':[]}", OCI_INDEX);
        assertThat(p.subject().digest()).isEqualTo(Digest.parse(D));
    }

    // ---------------------------------------------------------------- foreign layers

    @ParameterizedTest
    @ValueSource(strings = {
            "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
            "application/vnd.oci.image.layer.nondistributable.v1.tar",
            "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
            "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd"})
    void foreignLayerMediaTypesAreFlagged(String mediaType) {
        Parsed p = parse("{'schemaVersion':2,'config':" + descriptor(OCI_CONFIG, A, 1) + ",'layers':["
                + descriptor(mediaType, B, 2) + "," + descriptor(OCI_LAYER_GZIP, C, 3) + "]}", null);
        assertThat(p.blobs()).extracting(Descriptor::foreign).containsExactly(false, true, false);
    }

    @Test
    void layersWithUrlsAreForeign() {
        Parsed p = parse("{'schemaVersion':2,'config':" + descriptor(OCI_CONFIG, A, 1) + ",'layers':["
                + "{'mediaType':'" + OCI_LAYER_GZIP + "','digest':'" + B + "','size':2,'urls':['https://example.com/l']}]}", null);
        assertThat(p.blobs().get(1).foreign()).isTrue();
    }

    // ---------------------------------------------------------------- invalid manifests

    static Stream<Arguments> invalidManifests() {
        String config = descriptor(OCI_CONFIG, A, 1);
        String layer = descriptor(OCI_LAYER_GZIP, B, 2);
        return Stream.of(
                Arguments.of("not JSON", "{", "not valid JSON"),
                Arguments.of("empty body", "", "JSON object"),
                Arguments.of("trailing garbage is JSON error", "{'schemaVersion':2,,}", "not valid JSON"),
                Arguments.of("array", "[]", "JSON object"),
                Arguments.of("string", "'manifest'", "JSON object"),
                Arguments.of("null", "null", "JSON object"),
                Arguments.of("no schemaVersion", "{'config':" + config + ",'layers':[]}", "schemaVersion"),
                Arguments.of("schema 1", "{'schemaVersion':1,'name':'x','fsLayers':[]}", "schemaVersion must be 2"),
                Arguments.of("schemaVersion as string", "{'schemaVersion':'2','config':" + config + ",'layers':[]}", "schemaVersion"),
                Arguments.of("schemaVersion 3", "{'schemaVersion':3,'config':" + config + ",'layers':[]}", "schemaVersion"),
                Arguments.of("no config", "{'schemaVersion':2,'layers':[" + layer + "]}", "'config'"),
                Arguments.of("no layers", "{'schemaVersion':2,'config':" + config + "}", "'layers'"),
                Arguments.of("layers not an array", "{'schemaVersion':2,'config':" + config + ",'layers':{}}", "'layers'"),
                Arguments.of("config not an object", "{'schemaVersion':2,'config':'x','layers':[]}", "config must be a descriptor"),
                Arguments.of("layer not an object", "{'schemaVersion':2,'config':" + config + ",'layers':[1]}", "layers[] must be a descriptor"),
                Arguments.of("config without mediaType", "{'schemaVersion':2,'config':{'digest':'" + A + "','size':1},'layers':[]}",
                        "config is missing mediaType"),
                Arguments.of("layer without mediaType", "{'schemaVersion':2,'config':" + config + ",'layers':[{'digest':'" + B + "','size':1}]}",
                        "layers[] is missing mediaType"),
                Arguments.of("layer without digest", "{'schemaVersion':2,'config':" + config + ",'layers':[{'mediaType':'" + OCI_LAYER_GZIP + "','size':1}]}",
                        "layers[] has an invalid digest"),
                Arguments.of("layer with bad digest", "{'schemaVersion':2,'config':" + config + ",'layers':["
                        + descriptor(OCI_LAYER_GZIP, "sha256:XYZ", 1) + "]}", "invalid digest 'sha256:XYZ'"),
                Arguments.of("config with upper-case digest", "{'schemaVersion':2,'config':"
                        + descriptor(OCI_CONFIG, "sha256:" + "A".repeat(64), 1) + ",'layers':[]}", "config has an invalid digest"),
                Arguments.of("layer without size", "{'schemaVersion':2,'config':" + config + ",'layers':[{'mediaType':'"
                        + OCI_LAYER_GZIP + "','digest':'" + B + "'}]}", "non-negative integer size"),
                Arguments.of("negative size", "{'schemaVersion':2,'config':" + descriptor(OCI_CONFIG, A, -1) + ",'layers':[]}",
                        "non-negative integer size"),
                Arguments.of("fractional size", "{'schemaVersion':2,'config':{'mediaType':'" + OCI_CONFIG + "','digest':'" + A
                        + "','size':1.5},'layers':[]}", "size"),
                Arguments.of("string size", "{'schemaVersion':2,'config':{'mediaType':'" + OCI_CONFIG + "','digest':'" + A
                        + "','size':'1'},'layers':[]}", "size"),
                Arguments.of("size beyond a long", "{'schemaVersion':2,'config':{'mediaType':'" + OCI_CONFIG + "','digest':'" + A
                        + "','size':99999999999999999999999},'layers':[]}", "size"),
                Arguments.of("index without manifests", "{'schemaVersion':2,'mediaType':'" + OCI_INDEX + "'}", "'manifests' array"),
                Arguments.of("index manifests not an array", "{'schemaVersion':2,'mediaType':'" + OCI_INDEX + "','manifests':{}}",
                        "'manifests' array"),
                Arguments.of("docker list without manifests", "{'schemaVersion':2,'mediaType':'" + DOCKER_LIST + "'}", "'manifests'"),
                Arguments.of("index child with bad digest", "{'schemaVersion':2,'mediaType':'" + OCI_INDEX + "','manifests':["
                        + descriptor(OCI_MANIFEST, "sha256:1234", 1) + "]}", "manifests[] has an invalid digest"),
                Arguments.of("subject not an object", ociManifest(",'subject':'x'"), "subject must be a descriptor"),
                Arguments.of("subject with bad digest", ociManifest(",'subject':" + descriptor(OCI_MANIFEST, "md5:abc", 1)),
                        "subject has an invalid digest"),
                Arguments.of("subject without size", ociManifest(",'subject':{'mediaType':'" + OCI_MANIFEST + "','digest':'" + D + "'}"),
                        "size"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidManifests")
    void invalidManifestsNameTheProblem(String name, String json, String messagePart) {
        assertInvalid(json, null, messagePart);
    }

    @Test
    void trailingContentAfterTheJsonObjectIsInvalid() {
        assertInvalid(ociManifest("") + " {'schemaVersion':2}", OCI_MANIFEST, "JSON");
        assertInvalid(ociManifest("") + " x", OCI_MANIFEST, "JSON");
    }

    @Test
    void trailingWhitespaceIsFine() {
        assertThat(parse(ociManifest("") + " \n", OCI_MANIFEST).mediaType()).isEqualTo(OCI_MANIFEST);
    }

    /** CVE-2021-41190: a document that is both an image manifest and an index means different things to different clients. */
    @Test
    void ambiguousManifestAndIndexFieldsAreInvalid() {
        String manifestWithManifests = "{'schemaVersion':2,'config':" + descriptor(OCI_CONFIG, A, 1) + ",'layers':[],"
                + "'manifests':[" + descriptor(OCI_MANIFEST, B, 2) + "]}";
        assertInvalid(manifestWithManifests, OCI_MANIFEST, "'manifests'");
        assertInvalid(manifestWithManifests.replace("{'schemaVersion':2,", "{'schemaVersion':2,'mediaType':'" + DOCKER_MANIFEST + "',"),
                null, "'manifests'");
        String indexWithLayers = "{'schemaVersion':2,'manifests':[" + descriptor(OCI_MANIFEST, B, 2) + "],"
                + "'layers':[" + descriptor(OCI_LAYER_GZIP, C, 3) + "]}";
        assertInvalid(indexWithLayers, OCI_INDEX, "'layers'");
        assertInvalid(indexWithLayers, null, "'layers'");
        String indexWithConfig = "{'schemaVersion':2,'mediaType':'" + OCI_INDEX + "','manifests':[],'config':"
                + descriptor(OCI_CONFIG, A, 1) + "}";
        assertInvalid(indexWithConfig, null, "'config'");
    }

    @Test
    void invalidUtf8IsInvalid() {
        byte[] body = {'{', '"', (byte) 0xff, '"', ':', '1', '}'};
        assertThatThrownBy(() -> ManifestParser.parse(body, OCI_MANIFEST))
                .isInstanceOfSatisfying(InvalidManifestException.class, e -> assertThat(e.getMessage()).isNotBlank());
    }

    static void assertInvalid(String json, String contentType, String messagePart) {
        assertThatThrownBy(() -> parse(json, contentType))
                .isInstanceOfSatisfying(InvalidManifestException.class, e -> assertThat(e.getMessage()).contains(messagePart));
    }
}
