package dev.drydock.testkit;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.opentest4j.TestAbortedException;

/**
 * The one rule for tests that need something of the machine (a tool, a Debian package's test data, root): when it is
 * missing the test is skipped locally and fails on CI ({@code CI=true}), because {@code .ci/run} installs every
 * Debian package the suite needs and a skip there would hide a test that never ran. Messages name the Debian package
 * to install.
 */
public final class Prerequisites {
    private Prerequisites() {}

    /** True under {@code CI=true}, as {@code .ci/run} sets it. */
    public static boolean onCi() {
        return "true".equals(System.getenv("CI"));
    }

    /**
     * Skips the calling test (fails it on CI) unless {@code present}.
     *
     * @param what          what is missing, e.g. "the Go vulnerability database test data (/usr/share/...)"
     * @param debianPackage the Debian package that provides it
     */
    public static void require(boolean present, String what, String debianPackage) {
        if (!present) missing(what + " is missing (install the Debian package " + debianPackage + ")", onCi());
    }

    /** Skips the calling test (fails it on CI) unless every tool is an executable on the PATH (each named as its package). */
    public static void requireTools(String... tools) {
        List<String> missing = new ArrayList<>();
        for (String tool : tools) {
            if (onPath(tool) == null) missing.add(tool);
        }
        require("not installed (not on the PATH)", missing);
    }

    /**
     * Skips the calling test (fails it on CI) when {@code missing} names anything.
     *
     * @param context what the items are missing for, e.g. "not installed for the PODMAN_CNI tests"
     * @param missing each missing thing, with its Debian package where the name alone does not say it
     */
    public static void require(String context, List<String> missing) {
        if (!missing.isEmpty()) missing(context + ": " + String.join(", ", missing), onCi());
    }

    /**
     * The executable's path on the PATH, else in /usr/sbin or /sbin (where iptables and ip live when a non-root PATH
     * leaves them out), or null.
     */
    public static Path onPath(String tool) {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) dirs.addAll(List.of(path.split(File.pathSeparator)));
        dirs.addAll(List.of("/usr/sbin", "/sbin"));
        for (String dir : dirs) {
            if (dir.isEmpty()) continue;
            Path candidate = Path.of(dir, tool);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) return candidate;
        }
        return null;
    }

    /** Ends the test for a missing prerequisite: an abort (a skip) locally, an assertion failure on CI. */
    static void missing(String message, boolean onCi) {
        if (onCi) throw new AssertionError(message + "; CI=true and .ci/run installs it, so this is a failure");
        throw new TestAbortedException(message + "; skipping (on CI this fails)");
    }
}
