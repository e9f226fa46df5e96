package dev.drydock.scanner.advisory;

import java.util.List;

/**
 * What one import did.
 *
 * @param source    the source name the records were stored under
 * @param read      records read (good and bad)
 * @param inserted  new advisories
 * @param updated   advisories whose stored content changed
 * @param unchanged advisories already stored with the same content
 * @param failed    records that could not be used (see {@code errors}, which keeps the first 1,000)
 */
public record ImportReport(String source, int read, int inserted, int updated, int unchanged, int failed,
                           List<RecordError> errors) {

    /** One unusable record: where it is ({@code file}, {@code all.zip!entry}) and what is wrong with it. */
    public record RecordError(String location, String message) {}

    @Override
    public String toString() {
        return source + ": " + read + " read, " + inserted + " new, " + updated + " updated, " + unchanged
                + " unchanged, " + failed + " failed";
    }
}
