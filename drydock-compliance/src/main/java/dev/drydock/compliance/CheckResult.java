package dev.drydock.compliance;

import java.util.Map;

/**
 * One check's result: a stable id (e.g. {@code image.platform}), its verdict, a message that names the fix
 * when something is wrong, and evidence (what was looked at).
 */
public record CheckResult(String id, Verdict verdict, String message, Map<String, Object> evidence) {

    public static CheckResult passed(String id, String message, Map<String, Object> evidence) {
        return new CheckResult(id, Verdict.passed, message, evidence);
    }

    public static CheckResult failed(String id, String message, Map<String, Object> evidence) {
        return new CheckResult(id, Verdict.failed, message, evidence);
    }

    public static CheckResult warning(String id, String message, Map<String, Object> evidence) {
        return new CheckResult(id, Verdict.warning, message, evidence);
    }

    public static CheckResult skipped(String id, String message, Map<String, Object> evidence) {
        return new CheckResult(id, Verdict.skipped, message, evidence);
    }

    public boolean blocksBuild() {
        return verdict == Verdict.failed || verdict == Verdict.error;
    }
}
