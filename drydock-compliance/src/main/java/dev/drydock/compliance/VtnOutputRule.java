package dev.drydock.compliance;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code run.output}'s vtn-standard rule: what the engine delivered (updateTask output, uploadEngineResult,
 * createAsset, task output — every one that is JSON) is judged against Veritone's validation contracts
 * ({@link VtnStandard}):
 *
 * <ul>
 *   <li>an output that declares a contract the package defines ({@code "validationContracts": ["transcript"]}) must
 *       meet it: otherwise {@code failed}, naming the contract and each violation's JSON path;</li>
 *   <li>when no output declares one, the outputs are checked against the contract of the adapter's category
 *       ({@link VtnStandard#contractsFor}): {@code warning} when none meets it, {@code passed} with a note to declare
 *       it when one does;</li>
 *   <li>a category without a formalised contract (face, logo, speaker …), an ingest adapter, or no JSON output:
 *       no vtn-standard check, said in the evidence;</li>
 *   <li>a declared contract the package does not define ({@code face}, documented by Veritone by example only) is not
 *       checked and is named in the evidence; one that looks like a slip for a defined one ({@code transcription}
 *       for {@code transcript}) is a {@code warning}; a structured data schema id (a UUID) is noted, not checked.</li>
 * </ul>
 *
 * Only this class decides these verdicts; {@link SandboxRunCheck#withVtnStandard} folds them into {@code run.output}.
 */
public final class VtnOutputRule {
    /** Violations listed in a message; the evidence lists all of them. */
    static final int LISTED = 10;

    /** One JSON document the engine delivered, and how ({@code uploadEngineResult}, {@code updateTask} …). */
    public record Output(String via, JsonNode json) {
    }

    /**
     * The rule's verdict and what it adds to {@code run.output}: for {@code failed} and {@code warning} the whole
     * message (what is wrong and the fix), for {@code passed} a short note; the evidence goes under
     * {@code vtnStandard}.
     */
    public record Judgement(Verdict verdict, String message, Map<String, Object> evidence) {
    }

    private VtnOutputRule() {
    }

    /** Outputs known only as JSON documents, named by their order ("output 1", "output 2" …). */
    public static List<Output> numbered(List<JsonNode> outputs) {
        List<Output> named = new ArrayList<>();
        for (int i = 0; i < outputs.size(); i++) named.add(new Output("output " + (i + 1), outputs.get(i)));
        return named;
    }

    public static Judgement judge(List<Output> outputs, String category) {
        VtnStandard vtn = VtnStandard.get();
        List<String> categoryContracts = VtnStandard.contractsFor(category);
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("schemas", vtn.source());
        evidence.put("category", category);
        evidence.put("categoryContracts", categoryContracts);
        List<Map<String, Object>> listed = new ArrayList<>();
        evidence.put("outputs", listed);

        if (category != null && (category.equals("pull") || category.equals("push"))) {
            evidence.put("note", "not checked: an ingest adapter creates recordings, not engine output");
            return new Judgement(Verdict.passed, null, evidence);
        }
        List<Output> json = outputs.stream().filter(o -> o.json() != null && !o.json().isMissingNode()).toList();
        if (json.isEmpty()) {
            evidence.put("note", "not checked: the engine delivered no JSON output");
            return new Judgement(Verdict.passed, null, evidence);
        }

        List<String> failures = new ArrayList<>();   // one sentence per declared contract not met
        List<String> slips = new ArrayList<>();      // declared names that look like a slip for a defined contract
        List<String> met = new ArrayList<>();        // declared contracts met
        List<String> notChecked = new ArrayList<>(); // declared names the package has no schema for
        List<Output> undeclared = new ArrayList<>();
        Map<Output, List<Map<String, Object>>> checkedOf = new java.util.IdentityHashMap<>();
        for (Output o : json) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("via", o.via());
            List<String> declared = VtnStandard.declaredContracts(o.json());
            entry.put("declared", declared);
            List<Map<String, Object>> checked = new ArrayList<>();
            entry.put("checked", checked);
            listed.add(entry);
            checkedOf.put(o, checked);
            boolean declaresKnown = false;
            for (String contract : declared) {
                if (vtn.isContract(contract)) {
                    declaresKnown = true;
                    List<VtnStandard.Violation> violations = vtn.validate(o.json(), contract);
                    checked.add(checked(contract, true, violations));
                    if (violations.isEmpty()) {
                        met.add("\"" + contract + "\" (" + o.via() + ")");
                    } else {
                        failures.add("the engine output (" + o.via() + ") declares the vtn-standard validation contract \""
                                + contract + "\" but does not meet it (" + problems(violations) + "): " + list(violations)
                                + ". Fix these fields to meet the " + contract + " schema of " + vtn.source()
                                + " (see docs/checks.md), or leave \"" + contract + "\" out of validationContracts if the output"
                                + " is not " + article(contract) + " " + contract + " result");
                    }
                } else if (VtnStandard.isStructuredDataSchemaId(contract)) {
                    notChecked.add("\"" + contract + "\" (a structured data schema id)");
                } else {
                    Optional<String> meant = slipFor(contract, vtn);
                    if (meant.isPresent()) {
                        slips.add("the engine output (" + o.via() + ") declares the validation contract \"" + contract
                                + "\", which vtn-standard does not define: did you mean \"" + meant.get() + "\"? (" + vtn.source()
                                + " defines " + String.join(", ", vtn.contracts()) + ")");
                    }
                    notChecked.add("\"" + contract + "\"");
                }
            }
            if (!declaresKnown) undeclared.add(o);
        }
        if (!notChecked.isEmpty()) {
            evidence.put("notChecked", "declared, but " + vtn.source() + " has no schema for: " + String.join(", ", notChecked));
        }

        if (!failures.isEmpty()) {
            String message = failures.get(0);
            if (failures.size() > 1) message += ". And " + (failures.size() - 1) + " more contract(s) not met (listed in the evidence)";
            evidence.put("failures", failures);
            return new Judgement(Verdict.failed, message, evidence);
        }
        if (!met.isEmpty()) {
            return withSlips(new Judgement(Verdict.passed, "vtn-standard: meets " + String.join(", ", met), evidence), slips);
        }
        // no output declares a contract the package defines: check them against the category's
        if (categoryContracts.isEmpty()) {
            evidence.put("note", "not checked: no vtn-standard validation contract is formalised for category " + category
                    + " (" + vtn.source() + ")");
            return withSlips(new Judgement(Verdict.passed, null, evidence), slips);
        }
        Output closest = null;
        String closestContract = null;
        List<VtnStandard.Violation> fewest = null;
        for (Output o : undeclared) {
            List<Map<String, Object>> checked = checkedOf.get(o);
            for (String contract : categoryContracts) {
                List<VtnStandard.Violation> violations = vtn.validate(VtnStandard.declaring(o.json(), contract), contract);
                checked.add(checked(contract, false, violations));
                if (violations.isEmpty()) {
                    return withSlips(new Judgement(Verdict.passed, "vtn-standard: the " + o.via() + " output meets \"" + contract
                            + "\", the contract of category " + category + ", without declaring it: add \"validationContracts\": [\""
                            + contract + "\"]", evidence), slips);
                }
                if (fewest == null || violations.size() < fewest.size()) {
                    closest = o;
                    closestContract = contract;
                    fewest = violations;
                }
            }
        }
        String which = categoryContracts.size() == 1 ? "the \"" + closestContract + "\" contract"
                : "any of the contracts " + quoted(categoryContracts);
        String message = "no engine output declares a vtn-standard validation contract, and none meets " + which
                + " of category " + category + " (the closest, the " + closest.via() + " output against \"" + closestContract
                + "\", has " + problems(fewest) + "): " + list(fewest) + ". Fix these fields and declare \"validationContracts\": [\""
                + closestContract + "\"] (the " + closestContract + " schema of " + vtn.source() + "; see docs/checks.md)";
        return withSlips(new Judgement(Verdict.warning, message, evidence), slips);
    }

    /** A declared name that is not a contract but looks meant as one: a category's name, another case, a prefix. */
    static Optional<String> slipFor(String declared, VtnStandard vtn) {
        String d = declared.trim().toLowerCase(Locale.ROOT);
        Optional<String> byCategory = VtnStandard.contractFor(d);
        if (byCategory.isPresent()) return byCategory;
        for (String c : vtn.contracts()) {
            if (d.equals(c) || (d.length() >= 3 && (d.startsWith(c) || c.startsWith(d)))) return Optional.of(c);
        }
        return Optional.empty();
    }

    private static Judgement withSlips(Judgement j, List<String> slips) {
        if (slips.isEmpty()) return j;
        String slip = String.join("; ", slips);
        if (j.verdict() == Verdict.passed) {
            return new Judgement(Verdict.warning, j.message() == null ? slip : slip + "; " + j.message(), j.evidence());
        }
        return new Judgement(j.verdict(), j.message() + "; " + slip, j.evidence());
    }

    private static Map<String, Object> checked(String contract, boolean declared, List<VtnStandard.Violation> violations) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("contract", contract);
        m.put("declared", declared);
        m.put("violations", violations.stream().map(v -> Map.of("path", v.path(), "message", v.message())).toList());
        return m;
    }

    private static String problems(List<VtnStandard.Violation> violations) {
        return violations.size() + (violations.size() == 1 ? " problem" : " problems");
    }

    private static String list(List<VtnStandard.Violation> violations) {
        List<String> parts = violations.stream().limit(LISTED).map(VtnStandard.Violation::toString).toList();
        String s = String.join("; ", parts);
        if (violations.size() > LISTED) s += "; … " + (violations.size() - LISTED) + " more (listed in the evidence)";
        return s;
    }

    private static String quoted(List<String> contracts) {
        return String.join(", ", contracts.stream().map(c -> "\"" + c + "\"").toList());
    }

    private static String article(String word) {
        return "aeio".indexOf(word.charAt(0)) >= 0 ? "an" : "a";
    }
}
