package dev.drydock.sandbox;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A Java runtime for test images that cannot pull a JDK base image: {@code jlink} from this JDK into
 * {@code <root>/opt/jre}, plus every shared library its binaries link (per {@code ldd}) at the same absolute path
 * under {@code root}. Used by this module's {@code ExamplesTest} and by drydock-server's end-to-end tests (test-jar).
 */
public final class JlinkRuntime {
    private JlinkRuntime() {
    }

    /** Writes the runtime under {@code root}; the image's entrypoint is then {@code /opt/jre/bin/java}. */
    public static void create(Path root) throws IOException, InterruptedException {
        Path jre = root.resolve("opt/jre");
        Files.createDirectories(jre.getParent());
        run(List.of(Path.of(System.getProperty("java.home"), "bin", "jlink").toString(), "--add-modules", "java.base,java.net.http",
                "--strip-debug", "--no-header-files", "--no-man-pages", "--output", jre.toString()), true);
        List<String> ldd = new ArrayList<>(List.of("ldd"));
        try (Stream<Path> files = Files.walk(jre)) {
            files.filter(f -> Files.isRegularFile(f) && (f.toString().endsWith(".so") || f.getParent().endsWith("bin")))
                    .forEach(f -> ldd.add(f.toString()));
        }
        String out = run(ldd, false);
        Set<String> libraries = new LinkedHashSet<>();
        Matcher m = Pattern.compile("(/[^\\s:]+\\.so[^\\s:]*)").matcher(out);
        while (m.find()) {
            if (!m.group(1).startsWith(jre.toString())) libraries.add(m.group(1));
        }
        for (String lib : libraries) {
            Path source = Path.of(lib);
            if (!Files.exists(source)) continue;
            Path target = root.resolve(lib.substring(1));
            Files.createDirectories(target.getParent());
            if (!Files.exists(target)) Files.copy(source, target);
        }
    }

    private static String run(List<String> command, boolean mustSucceed) throws IOException, InterruptedException {
        Path out = Files.createTempFile("jlink-runtime", ".out");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + command);
            }
            String output = Files.readString(out, StandardCharsets.UTF_8);
            if (mustSucceed && p.exitValue() != 0) throw new IOException("failed (" + p.exitValue() + "): " + command + "\n" + output);
            return output;
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
