package dev.drydock.compliance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VtnStandardTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** JSON written with single quotes, for readable tests. */
    static JsonNode json(String text) {
        return readTree(text.replace('\'', '"'));
    }

    private static JsonNode readTree(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Test
    void theSchemasComeFromThePackageOnTheClasspath() {
        VtnStandard vtn = VtnStandard.get();
        assertThat(vtn.source()).isEqualTo("veritone-json-schemas 1.2.0");
        assertThat(vtn.contracts()).containsExactly("concept", "entity", "keyword", "language", "media-translated", "object",
                "sentiment", "summary", "text", "transcript", "anomaly");
        assertThat(vtn.isContract("transcript")).isTrue();
        assertThat(vtn.isContract("aion")).as("the whole-file format, not a validation contract").isFalse();
        assertThat(vtn.isContract("face")).isFalse();
        assertThat(vtn.isContract(null)).isFalse();
    }

    @Test
    void eachViolationCarriesItsJsonPathAndTheSchemasMessage() {
        JsonNode output = json("{'validationContracts': ['transcript'], 'series': [{'startTimeMs': 0, 'stopTimeMs': 300,"
                + " 'words': [{'word': 'hello', 'confidence': 2}]}, {'startTimeMs': 300}]}");
        List<VtnStandard.Violation> violations = VtnStandard.get().validate(output, "transcript");
        assertThat(violations).extracting(VtnStandard.Violation::toString).containsExactlyInAnyOrder(
                "$.series[0].words[0].confidence: must have a maximum value of 1",
                "$.series[1]: required property 'stopTimeMs' not found",
                "$.series[1]: required property 'words' not found");
    }

    @Test
    void aTranscriptLatticeNeedsExactlyOneBestPath() {
        String lattice = "{'validationContracts': ['transcript'], 'series': [{'startTimeMs': 0, 'stopTimeMs': 300, 'words': ["
                + "{'word': 'hello', 'confidence': 0.9, 'utteranceLength': 1, 'bestPath': %s},"
                + "{'word': 'yellow', 'confidence': 0.1, 'utteranceLength': 1}]}]}";
        assertThat(VtnStandard.get().validate(json(lattice.formatted("true")), "transcript")).isEmpty();
        assertThat(VtnStandard.get().validate(json(lattice.formatted("false")), "transcript"))
                .containsExactly(new VtnStandard.Violation("$.series[0].words",
                        "there should be one and only one bestPath in a transcription lattice (found 0)"));
    }

    @Test
    void anUnknownContractIsRefusedNamingTheKnownOnes() {
        assertThatThrownBy(() -> VtnStandard.get().validate(json("{}"), "face"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no vtn-standard validation contract 'face' in veritone-json-schemas 1.2.0")
                .hasMessageContaining("transcript");
    }

    @Test
    void declaredContractsAreTheStringsOfTheTopLevelArray() {
        assertThat(VtnStandard.declaredContracts(json("{'validationContracts': ['object', 'geolocation', 3, 'object']}")))
                .containsExactly("object", "geolocation");
        assertThat(VtnStandard.declaredContracts(json("{'validationContracts': 'transcript'}"))).isEmpty();
        assertThat(VtnStandard.declaredContracts(json("{'series': []}"))).isEmpty();
        assertThat(VtnStandard.declaredContracts(json("[1, 2]"))).isEmpty();
        assertThat(VtnStandard.declaredContracts(null)).isEmpty();
    }

    @Test
    void aUuidNamesAStructuredDataSchema() {
        assertThat(VtnStandard.isStructuredDataSchemaId("2c1f2d4b-7b25-4d4c-9d3f-44a1a8a1c0b9")).isTrue();
        assertThat(VtnStandard.isStructuredDataSchemaId("transcript")).isFalse();
    }

    @Test
    void categoriesMapToTheContractsVeritoneAppliesToThem() {
        assertThat(VtnStandard.contractFor("transcription")).contains("transcript");
        assertThat(VtnStandard.contractFor("object-detection")).contains("object");
        assertThat(VtnStandard.contractFor("text-recognition")).contains("text");
        assertThat(VtnStandard.contractFor("keyword-extraction")).contains("keyword");
        assertThat(VtnStandard.contractFor("sentiment")).contains("sentiment");
        assertThat(VtnStandard.contractFor("language-identification")).contains("language");
        assertThat(VtnStandard.contractFor("content-classification")).contains("concept");
        assertThat(VtnStandard.contractFor("Transcription ")).contains("transcript");
        assertThat(VtnStandard.contractsFor("translation")).containsExactly("media-translated", "text", "transcript");
        for (String none : List.of("pull", "push", "face-detection", "face-recognition", "logo-recognition", "speaker-separation",
                "speaker-recognition", "audio-fingerprinting", "audio-detection", "geolocation", "transcode")) {
            assertThat(VtnStandard.contractFor(none)).as(none).isEmpty();
        }
        assertThat(VtnStandard.contractFor("no-such-category")).isEmpty();
        assertThat(VtnStandard.contractFor(null)).isEmpty();
    }

    @Test
    void theTableCoversEveryRegistrableCategoryAndNamesOnlyRealContracts() {
        assertThat(ManifestCategories.REGISTERED).isNotEmpty();
        assertThat(VtnStandard.CATEGORY_CONTRACTS.keySet()).containsExactlyInAnyOrderElementsOf(ManifestCategories.REGISTERED);
        VtnStandard.CATEGORY_CONTRACTS.values().forEach(contracts ->
                assertThat(contracts).allSatisfy(c -> assertThat(VtnStandard.get().isContract(c)).as(c).isTrue()));
    }

    @Test
    void declaringReplacesTheValidationContractsOfACopy() {
        JsonNode output = json("{'validationContracts': ['transcription'], 'series': []}");
        assertThat(VtnStandard.declaring(output, "transcript").path("validationContracts").toString()).isEqualTo("[\"transcript\"]");
        assertThat(output.path("validationContracts").toString()).isEqualTo("[\"transcription\"]");
        assertThat(VtnStandard.declaring(json("[]"), "transcript").toString()).isEqualTo("[]");
    }
}
