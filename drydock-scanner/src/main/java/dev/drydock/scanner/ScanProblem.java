package dev.drydock.scanner;

/**
 * Something the scan could not read, and what it skipped because of it. The scan goes on; the report lists these
 * so "no findings" is never mistaken for "nothing could be read".
 *
 * @param source the image-relative path (with {@code !inner/path} for archive members) or advisory source
 * @param message what went wrong and what was skipped
 */
public record ScanProblem(String source, String message) {

    /**
     * A wanted file whose bytes the layer pass did not keep, with the pass's reason when it gives one (e.g. "not kept:
     * 300000000 bytes, more than the 256 MiB Drydock keeps of one file"), then what the scan skipped.
     */
    public static ScanProblem notKept(dev.drydock.image.ImageFilesystem fs, String path, String skipped) {
        return new ScanProblem(path, "content was not kept by the layer pass ("
                + fs.notKept(path).orElse("not kept") + "); " + skipped);
    }
}
