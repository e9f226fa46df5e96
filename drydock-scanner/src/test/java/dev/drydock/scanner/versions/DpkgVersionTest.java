package dev.drydock.scanner.versions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drydock.testkit.Prerequisites;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class DpkgVersionTest {

    /** Canonical cases: Debian Policy §5.6.12 examples and the cases dpkg's own version tests exercise. */
    @ParameterizedTest(name = "{0} vs {1} = {2}")
    @CsvSource(delimiter = '|', value = {
            "1.0|1.0|0", "1.0|1.0-0|0", "1.0-0|1.0|0", "0:1.0|1.0|0", "1:0.9|2.0|1", "1.0~rc1|1.0|-1",
            "1.0~~|1.0~~a|-1", "1.0~~a|1.0~|-1", "1.0~|1.0|-1", "1.0|1.0a|-1", "1.0a|1.0+|-1", "1.0+|1.0.|-1",
            "1.0|1.0.1|-1", "1.2|1.10|-1", "1.0-1|1.0-1ubuntu1|-1", "2.36.1-8+deb11u1|2.36.1-8+deb11u2|-1",
            "7.88.1-10+deb12u5|7.88.1-10+deb12u12|-1", "1.2.13.dfsg-1|1.2.13.dfsg-1|0", "0001.0|1.0|0",
            "1:1.0|0:9.9|1", "1.0-1~bpo1|1.0-1|-1", "3.0.11-1~deb12u2|3.0.11-1|-1", "2.0-a|2.0-A|1",
            "99999999999999999999999.1|99999999999999999999999.2|-1"})
    void canonical(String a, String b, int expected) {
        assertThat(Integer.signum(DpkgVersion.INSTANCE.compare(a, b))).isEqualTo(expected);
        assertThat(Integer.signum(DpkgVersion.INSTANCE.compare(b, a))).isEqualTo(-expected);
    }

    /** Several hundred generated pairs (and the canonical ones), each checked against dpkg itself. */
    @ParameterizedTest(name = "{0} vs {1}")
    @MethodSource("oraclePairs")
    void agreesWithDpkg(String a, String b, int dpkgSays) {
        assertThat(Integer.signum(DpkgVersion.INSTANCE.compare(a, b))).as("%s vs %s", a, b).isEqualTo(dpkgSays);
    }

    static Stream<Arguments> oraclePairs() throws IOException, InterruptedException {
        boolean haveDpkg = Files.isExecutable(Path.of("/usr/bin/dpkg"));
        Prerequisites.require(haveDpkg, "dpkg (/usr/bin/dpkg), the oracle these comparisons check against", "dpkg");
        Set<List<String>> pairs = new LinkedHashSet<>();
        Random random = new Random(20261125);
        List<String> pool = new ArrayList<>(List.of("1.0", "1.0~rc1", "1:1.0", "1.0-1", "1.0+dfsg-2", "2.36.1-8+deb12u1",
                "1.0a", "1.0.0", "0.9~beta.1", "1.0-0.1"));
        for (int i = 0; i < 150; i++) pool.add(randomVersion(random));
        for (int i = 0; i < 400; i++) {
            String a = pool.get(random.nextInt(pool.size())), b = pool.get(random.nextInt(pool.size()));
            // also near misses: b derived from a by a single change
            if (i % 3 == 0) b = mutate(a, random);
            pairs.add(List.of(a, b));
        }
        StringBuilder script = new StringBuilder();
        for (List<String> p : pairs) {
            script.append("if dpkg --compare-versions '").append(p.get(0)).append("' lt '").append(p.get(1))
                    .append("'; then echo -1; elif dpkg --compare-versions '").append(p.get(0)).append("' eq '")
                    .append(p.get(1)).append("'; then echo 0; else echo 1; fi\n");
        }
        Process sh = new ProcessBuilder("sh", "-s").redirectErrorStream(false).start();
        sh.getOutputStream().write(script.toString().getBytes(StandardCharsets.UTF_8));
        sh.getOutputStream().close();
        List<String> answers = new String(sh.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        sh.waitFor();
        assertThat(answers).hasSize(pairs.size());
        List<Arguments> out = new ArrayList<>();
        int i = 0;
        for (List<String> p : pairs) out.add(Arguments.of(p.get(0), p.get(1), Integer.parseInt(answers.get(i++))));
        return out.stream();
    }

    private static final String UPSTREAM = "0123456789.~+abzAZ";
    private static final String REVISION = "0123456789.~+abuz";

    private static String randomVersion(Random r) {
        StringBuilder v = new StringBuilder();
        if (r.nextInt(8) == 0) v.append(r.nextInt(3)).append(':');
        v.append(r.nextInt(10));
        for (int i = r.nextInt(7); i > 0; i--) v.append(UPSTREAM.charAt(r.nextInt(UPSTREAM.length())));
        if (r.nextBoolean()) {
            v.append('-').append(REVISION.charAt(r.nextInt(10)));
            for (int i = r.nextInt(5); i > 0; i--) v.append(REVISION.charAt(r.nextInt(REVISION.length())));
        }
        return v.toString();
    }

    private static String mutate(String v, Random r) {
        int at = 1 + r.nextInt(v.length());
        String insert = String.valueOf("0~a.+9".charAt(r.nextInt(6)));
        String out = v.substring(0, at) + insert + v.substring(at);
        return out.contains(":") && out.indexOf(':') != v.indexOf(':') ? v : out;
    }

    @Test
    void absurdInputDoesNotThrow() {
        String huge = "1." + "9".repeat(100_000);
        assertThat(DpkgVersion.INSTANCE.compare(huge, "1.0")).isPositive();
        assertThat(DpkgVersion.INSTANCE.compare("x:y-z", "")).isNotNull();
        assertThat(DpkgVersion.INSTANCE.compare("::::", "----")).isNotNull();
    }
}
