package dev.drydock.compliance;

/**
 * Outcome of one check. Only {@code failed} and {@code error} make a build invalid. {@code skipped} means the
 * check could not look because a check it depends on did not pass (that check's failure is the root cause and
 * the only one listed in the report's errors), or because it was not asked to (e.g. {@code manifest.matches} in
 * {@code ./drydock check} without the registered adapter's details).
 */
public enum Verdict { passed, failed, warning, error, skipped }
