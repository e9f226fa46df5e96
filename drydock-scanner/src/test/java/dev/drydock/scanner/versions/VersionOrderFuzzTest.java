package dev.drydock.scanner.versions;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of the version comparators (docs/fuzzing.md). The input is up to three versions, one a
 * line; every comparator must never throw and must be a total order on them: reflexive, antisymmetric, transitive,
 * and versions it calls equal compare alike against a third. A violation makes a vulnerability match depend on the
 * order advisories and packages happen to be compared in.
 */
class VersionOrderFuzzTest {
    private static final List<VersionComparator> ALL = List.of(DpkgVersion.INSTANCE, RpmVersion.INSTANCE,
            ApkVersion.INSTANCE, SemVer.INSTANCE, Pep440Version.INSTANCE, MavenVersion.INSTANCE);

    @FuzzTest
    void totalOrder(byte[] input) {
        String[] lines = new String(input, StandardCharsets.UTF_8).split("\n", -1);
        String a = lines[0], b = lines.length > 1 ? lines[1] : a, c = lines.length > 2 ? lines[2] : b;
        for (VersionComparator cmp : ALL) check(cmp, a, b, c);
    }

    static void check(VersionComparator cmp, String a, String b, String c) {
        String[] v = {a, b, c};
        int[][] s = new int[3][3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) s[i][j] = Integer.signum(cmp.compare(v[i], v[j]));
        }
        for (int i = 0; i < 3; i++) {
            assertThat(s[i][i]).as("%s: %s = itself", cmp.name(), v[i]).isZero();
            // A fresh copy is equal, so it compares as equal (consistency with equals).
            assertThat(cmp.compare(v[i], new String(v[i]))).as("%s: %s = a copy of itself", cmp.name(), v[i]).isZero();
            for (int j = 0; j < 3; j++) {
                assertThat(s[i][j]).as("%s: antisymmetry of '%s' and '%s'", cmp.name(), v[i], v[j]).isEqualTo(-s[j][i]);
                for (int k = 0; k < 3; k++) {
                    if (s[i][j] <= 0 && s[j][k] <= 0) {
                        assertThat(s[i][k]).as("%s: '%s' <= '%s' <= '%s'", cmp.name(), v[i], v[j], v[k]).isLessThanOrEqualTo(0);
                    }
                    if (s[i][j] == 0) {
                        assertThat(s[i][k]).as("%s: '%s' = '%s' so both compare alike to '%s'", cmp.name(), v[i], v[j], v[k])
                                .isEqualTo(s[j][k]);
                    }
                }
            }
        }
    }
}
