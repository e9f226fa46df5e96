package dev.drydock.oci;

import com.code_intelligence.jazzer.junit.FuzzTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of manifest and index parsing (docs/fuzzing.md). Under {@code mvn verify} only the inputs
 * in {@code ManifestParserFuzzTestInputs/} run; {@code JAZZER_FUZZ=1} fuzzes.
 */
class ManifestParserFuzzTest {

    /** Any bytes: a parsed manifest whose descriptors are well formed, or {@link InvalidManifestException}. */
    @FuzzTest
    void parse(byte[] body) {
        for (String contentType : new String[] {null, MediaTypes.OCI_MANIFEST, MediaTypes.DOCKER_LIST + "; charset=utf-8"}) {
            ManifestParser.Parsed parsed;
            try {
                parsed = ManifestParser.parse(body, contentType);
            } catch (InvalidManifestException e) {
                assertThat(e.getMessage()).isNotBlank();
                continue;
            }
            assertThat(MediaTypes.MANIFESTS).contains(parsed.mediaType());
            // An index references manifests only, an image manifest blobs only (never both: CVE-2021-41190).
            if (parsed.isIndex()) assertThat(parsed.blobs()).isEmpty();
            else assertThat(parsed.manifests()).isEmpty();
            for (ManifestParser.Descriptor d : parsed.blobs()) checkDescriptor(d);
            for (ManifestParser.Descriptor d : parsed.manifests()) checkDescriptor(d);
            if (parsed.subject() != null) checkDescriptor(parsed.subject());
        }
    }

    /** Any string: a digest that prints back to itself, or {@link InvalidDigestException}. */
    @FuzzTest
    void digest(byte[] bytes) {
        String value = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        Digest digest;
        try {
            digest = Digest.parse(value);
        } catch (InvalidDigestException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        assertThat(digest.toString()).isEqualTo(value);
        assertThat(Digest.parse(digest.toString())).isEqualTo(digest);
    }

    private static void checkDescriptor(ManifestParser.Descriptor d) {
        assertThat(d.mediaType()).isNotNull();
        assertThat(d.size()).isNotNegative();
        assertThat(Digest.parse(d.digest().toString())).isEqualTo(d.digest());
    }
}
