package dev.drydock.compliance;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.drydock.compliance.VtnStandardTest.json;
import static org.assertj.core.api.Assertions.assertThat;

class VtnOutputRuleTest {
    static final String TRANSCRIPT = "{%s'series': [{'startTimeMs': 0, 'stopTimeMs': 300, 'words': [{'word': 'hello'}]}]}";
    static final String BROKEN_TRANSCRIPT = "{%s'series': [{'startTimeMs': 0, 'stopTimeMs': 300}, {'startTimeMs': -1, 'stopTimeMs': 5,"
            + " 'words': [{'word': 'hi'}]}]}";

    static JsonNode declaring(String template, String... contracts) {
        String declared = contracts.length == 0 ? "" : "'validationContracts': ['" + String.join("', '", contracts) + "'], ";
        return json(template.formatted(declared));
    }

    static VtnOutputRule.Judgement judge(String category, JsonNode... outputs) {
        List<VtnOutputRule.Output> list = new ArrayList<>();
        for (JsonNode o : outputs) list.add(new VtnOutputRule.Output("uploadEngineResult", o));
        return VtnOutputRule.judge(list, category);
    }

    @Test
    void aDeclaredContractThatIsMetPasses() {
        VtnOutputRule.Judgement j = judge("transcription", declaring(TRANSCRIPT, "transcript"));
        assertThat(j.verdict()).isEqualTo(Verdict.passed);
        assertThat(j.message()).isEqualTo("vtn-standard: meets \"transcript\" (uploadEngineResult)");
        assertThat(j.evidence()).containsEntry("schemas", "veritone-json-schemas 1.2.0");
    }

    @Test
    void aDeclaredContractThatIsNotMetFailsNamingTheContractEachPathAndTheFix() {
        VtnOutputRule.Judgement j = judge("transcription", declaring(BROKEN_TRANSCRIPT, "transcript"));
        assertThat(j.verdict()).isEqualTo(Verdict.failed);
        assertThat(j.message()).isEqualTo("the engine output (uploadEngineResult) declares the vtn-standard validation contract"
                + " \"transcript\" but does not meet it (2 problems): $.series[0]: required property 'words' not found;"
                + " $.series[1].startTimeMs: must have a minimum value of 0. Fix these fields to meet the transcript schema of"
                + " veritone-json-schemas 1.2.0 (see docs/checks.md), or leave \"transcript\" out of validationContracts if the"
                + " output is not a transcript result");
        @SuppressWarnings("unchecked") List<Map<String, Object>> outputs = (List<Map<String, Object>>) j.evidence().get("outputs");
        assertThat(outputs.get(0)).containsEntry("via", "uploadEngineResult").containsEntry("declared", List.of("transcript"));
        assertThat(outputs.get(0).get("checked").toString()).contains("$.series[0]", "required property 'words' not found");
    }

    @Test
    void aDeclaredContractBindsWhateverTheCategory() {
        // a face engine that says its output is an object result must deliver one
        VtnOutputRule.Judgement j = judge("face-detection", json("{'validationContracts': ['object'], 'object': [{'type': 'face'}]}"));
        assertThat(j.verdict()).isEqualTo(Verdict.failed);
        assertThat(j.message()).contains("\"object\"", "$.object[0].type: must be the constant value 'object'",
                "is not an object result");
    }

    @Test
    void withNoneDeclaredTheCategorysContractIsCheckedAndAMismatchWarns() {
        VtnOutputRule.Judgement j = judge("transcription", declaring(BROKEN_TRANSCRIPT));
        assertThat(j.verdict()).isEqualTo(Verdict.warning);
        assertThat(j.message()).startsWith("no engine output declares a vtn-standard validation contract, and none meets the"
                + " \"transcript\" contract of category transcription (the closest, the uploadEngineResult output against"
                + " \"transcript\", has 2 problems): $.series[0]: required property 'words' not found;")
                .endsWith("Fix these fields and declare \"validationContracts\": [\"transcript\"] (the transcript schema of"
                        + " veritone-json-schemas 1.2.0; see docs/checks.md)")
                .doesNotContain("validationContracts' not found");
    }

    @Test
    void withNoneDeclaredAnOutputMeetingTheCategorysContractPassesWithANote() {
        VtnOutputRule.Judgement j = judge("transcription", json("{'status': 'ok'}"), declaring(TRANSCRIPT));
        assertThat(j.verdict()).isEqualTo(Verdict.passed);
        assertThat(j.message()).isEqualTo("vtn-standard: the uploadEngineResult output meets \"transcript\", the contract of"
                + " category transcription, without declaring it: add \"validationContracts\": [\"transcript\"]");
    }

    @Test
    void translationMayMeetAnyOfItsThreeContracts() {
        VtnOutputRule.Judgement j = judge("translation", declaring(TRANSCRIPT));
        assertThat(j.verdict()).isEqualTo(Verdict.passed);
        assertThat(j.message()).contains("meets \"transcript\"");
        VtnOutputRule.Judgement none = judge("translation", json("{'foo': 1}"));
        assertThat(none.verdict()).isEqualTo(Verdict.warning);
        assertThat(none.message()).contains("none meets any of the contracts \"media-translated\", \"text\", \"transcript\" of category translation");
    }

    @Test
    void aCategoryWithoutAContractIsNotCheckedAndTheEvidenceSaysSo() {
        VtnOutputRule.Judgement j = judge("logo-recognition", json("{'object': [{'type': 'logo', 'label': 'x'}]}"));
        assertThat(j.verdict()).isEqualTo(Verdict.passed);
        assertThat(j.message()).isNull();
        assertThat(j.evidence()).containsEntry("note", "not checked: no vtn-standard validation contract is formalised for"
                + " category logo-recognition (veritone-json-schemas 1.2.0)");
    }

    @Test
    void aDeclaredContractThePackageDoesNotDefineIsNotCheckedAndNamed() {
        // Veritone documents face output by example: "validationContracts": ["face"]
        VtnOutputRule.Judgement j = judge("face-detection", json("{'validationContracts': ['face'], 'object': [{'type': 'face'}]}"));
        assertThat(j.verdict()).isEqualTo(Verdict.passed);
        assertThat(j.evidence()).containsEntry("notChecked", "declared, but veritone-json-schemas 1.2.0 has no schema for: \"face\"");
    }

    @Test
    void anUnknownDeclaredContractThatLooksLikeASlipWarnsAndTheCategoryContractIsStillChecked() {
        VtnOutputRule.Judgement j = judge("transcription", declaring(TRANSCRIPT, "transcription"));
        assertThat(j.verdict()).isEqualTo(Verdict.warning);
        assertThat(j.message()).startsWith("the engine output (uploadEngineResult) declares the validation contract"
                + " \"transcription\", which vtn-standard does not define: did you mean \"transcript\"? (veritone-json-schemas"
                + " 1.2.0 defines concept, entity, keyword,")
                .contains("; vtn-standard: the uploadEngineResult output meets \"transcript\", the contract of category transcription");
        assertThat(VtnOutputRule.slipFor("Objects", VtnStandard.get())).contains("object");
        assertThat(VtnOutputRule.slipFor("face", VtnStandard.get())).isEmpty();
        assertThat(VtnOutputRule.slipFor("speaker", VtnStandard.get())).isEmpty();
    }

    @Test
    void aStructuredDataSchemaIdIsNotedNotChecked() {
        VtnOutputRule.Judgement j = judge("object-detection", json("{'validationContracts': ['2c1f2d4b-7b25-4d4c-9d3f-44a1a8a1c0b9'],"
                + " 'object': [{'type': 'object', 'label': 'dog'}]}"));
        assertThat(j.verdict()).isEqualTo(Verdict.passed);
        assertThat(j.evidence().get("notChecked").toString()).contains("a structured data schema id");
        assertThat(j.message()).contains("meets \"object\", the contract of category object-detection");
    }

    @Test
    void oneDeclaredContractNotMetFailsEvenWhenAnotherOutputMeetsIts() {
        VtnOutputRule.Judgement j = judge("transcription", declaring(TRANSCRIPT, "transcript"), declaring(BROKEN_TRANSCRIPT, "transcript"));
        assertThat(j.verdict()).isEqualTo(Verdict.failed);
    }

    @Test
    void ingestAdaptersAndOutputsThatAreNotJsonAreNotChecked() {
        assertThat(judge("pull", declaring(BROKEN_TRANSCRIPT, "transcript")).evidence())
                .containsEntry("note", "not checked: an ingest adapter creates recordings, not engine output");
        VtnOutputRule.Judgement none = VtnOutputRule.judge(List.of(new VtnOutputRule.Output("createAsset", null)), "transcription");
        assertThat(none.verdict()).isEqualTo(Verdict.passed);
        assertThat(none.evidence()).containsEntry("note", "not checked: the engine delivered no JSON output");
    }

    @Test
    void longListsOfViolationsAreCutInTheMessageButKeptInTheEvidence() {
        StringBuilder series = new StringBuilder();
        for (int i = 0; i < 15; i++) series.append(i == 0 ? "" : ",").append("{'startTimeMs': 0, 'stopTimeMs': 1}");
        VtnOutputRule.Judgement j = judge("transcription", json("{'validationContracts': ['transcript'], 'series': [" + series + "]}"));
        assertThat(j.message()).contains("(15 problems)", "$.series[9]", "; … 5 more (listed in the evidence)").doesNotContain("$.series[10]");
        assertThat(j.evidence().get("outputs").toString()).contains("$.series[14]");
    }

    @Test
    void outputsKnownOnlyAsJsonAreNumbered() {
        assertThat(VtnOutputRule.numbered(List.of(json("{}"), json("[]")))).extracting(VtnOutputRule.Output::via)
                .containsExactly("output 1", "output 2");
    }
}
