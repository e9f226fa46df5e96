package dev.drydock.scanner;

/**
 * Something the scan could not read, and what it skipped because of it. The scan goes on; the report lists these
 * so "no findings" is never mistaken for "nothing could be read".
 *
 * @param source the image-relative path (with {@code !inner/path} for archive members) or advisory source
 * @param message what went wrong and what was skipped
 */
public record ScanProblem(String source, String message) {}
