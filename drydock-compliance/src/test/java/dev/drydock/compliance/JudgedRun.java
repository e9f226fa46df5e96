package dev.drydock.compliance;

import dev.drydock.sandbox.SandboxResult;

import java.util.LinkedHashMap;
import java.util.Map;

/** For tests that look at one run.* check: a run's results by check id, in the order {@link RunVerdicts} gives them. */
public final class JudgedRun {
    private JudgedRun() {
    }

    public static Map<String, CheckResult> checks(SandboxResult r) {
        Map<String, CheckResult> byId = new LinkedHashMap<>();
        RunVerdicts.judge(r).forEach(c -> byId.put(c.id(), c));
        return byId;
    }

    /** The evidence {@code run.exit} gets in a report. */
    public static Map<String, Object> exitEvidence(SandboxResult r) {
        return SandboxRunCheck.evidence("run.exit", r);
    }
}
