package dev.drydock.compliance;

/** Outcome of one check. Only {@code failed} and {@code error} make a build invalid. */
public enum Verdict { passed, failed, warning, error }
