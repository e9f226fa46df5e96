package dev.drydock.scanner.versions;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Canonical vectors for the non-dpkg comparators; each block names where its cases come from. */
class OtherVersionsTest {

    private static void assertOrder(VersionComparator cmp, String a, String b, int expected) {
        assertThat(Integer.signum(cmp.compare(a, b))).as("%s: %s vs %s", cmp.name(), a, b).isEqualTo(expected);
        assertThat(Integer.signum(cmp.compare(b, a))).as("%s: %s vs %s", cmp.name(), b, a).isEqualTo(-expected);
    }

    /** Every element strictly below every later one, in both directions. */
    private static void assertAscending(VersionComparator cmp, List<String> ordered) {
        for (int i = 0; i < ordered.size(); i++) {
            assertOrder(cmp, ordered.get(i), ordered.get(i), 0);
            for (int j = i + 1; j < ordered.size(); j++) assertOrder(cmp, ordered.get(i), ordered.get(j), -1);
        }
    }

    /**
     * rpm's tests/rpmvercmp.at (rpm-software-management/rpm) including its tilde cases; the caret ({@code ^}) cases
     * follow the caret semantics newer rpm releases document and test (after the base version, before any
     * further segment).
     */
    @ParameterizedTest(name = "rpmvercmp({0}, {1}) = {2}")
    @CsvSource({
            "1.0,1.0,0", "1.0,2.0,-1", "2.0.1,2.0.1,0", "2.0,2.0.1,-1", "2.0.1a,2.0.1a,0", "2.0.1a,2.0.1,1",
            "5.5p1,5.5p1,0", "5.5p1,5.5p2,-1", "5.5p10,5.5p10,0", "5.5p1,5.5p10,-1", "10xyz,10.1xyz,-1",
            "xyz10,xyz10,0", "xyz10,xyz10.1,-1", "xyz.4,xyz.4,0", "xyz.4,8,-1", "xyz.4,2,-1", "5.5p2,5.6p1,-1",
            "5.6p1,6.5p1,-1", "6.0.rc1,6.0,1", "10b2,10a1,1", "10a2,10b2,-1", "1.0aa,1.0aa,0", "1.0a,1.0aa,-1",
            "10.0001,10.0001,0", "10.0001,10.1,0", "10.0001,10.0039,-1", "4.999.9,5.0,-1", "20101121,20101122,-1",
            "2_0,2_0,0", "2.0,2_0,0", "a,a,0", "a+,a+,0", "a+,a_,0", "+a,+a,0", "+a,_a,0", "+_,+_,0", "_+,+_,0",
            "+,_,0", "1.0~rc1,1.0~rc1,0", "1.0~rc1,1.0,-1", "1.0~rc1,1.0~rc2,-1", "1.0~rc1~git123,1.0~rc1~git123,0",
            "1.0~rc1~git123,1.0~rc1,-1", "1.0^,1.0^,0", "1.0^,1.0,1", "1.0^git1,1.0^git1,0", "1.0^git1,1.0,1",
            "1.0^git1,1.0^git2,-1", "1.0^git1,1.01,-1", "1.0^20160101,1.0^20160101,0", "1.0^20160101,1.0.1,-1",
            "1.0^20160101^git1,1.0^20160101^git1,0", "1.0^20160102,1.0^20160101^git1,1", "1.0~rc1^git1,1.0~rc1,1",
            "1.0^git1~pre,1.0^git1,-1", "1.0^git1~pre,1.0^git1~pre,0", "1.0~rc1^git1,1.0~rc1^git1,0",
            "1.0^git1,1.0^git1~pre,1"})
    void rpm(String a, String b, int expected) {
        assertOrder(RpmVersion.INSTANCE, a, b, expected);
    }

    @Test
    void rpmEpochAndRelease() {
        assertOrder(RpmVersion.INSTANCE, "1:1.0-1.el7", "2.0-1.el7", 1);
        assertOrder(RpmVersion.INSTANCE, "2.17-317.el7", "2.17-326.el7_9", -1);
        assertOrder(RpmVersion.INSTANCE, "1.0.2k-19.el7", "1.0.2k-25.el7_9", -1);
        assertOrder(RpmVersion.INSTANCE, "1.0.2k-19.el7", "1:1.0.2k-19.el7", -1);
        // Fuzzing found that "1.0" equal to both 1.0-3 and 1.0-4 broke the order: a missing release sorts first.
        assertOrder(RpmVersion.INSTANCE, "1.0", "1.0-3", -1);
        assertOrder(RpmVersion.INSTANCE, "1.0", "1.0", 0);
    }

    /**
     * Pairs derived from apk-package(5)'s version grammar and apk-tools' token comparison (pre-release suffixes
     * below the release, post-release suffixes and revisions above it), with versions from Alpine's package
     * database and secdb.
     */
    @ParameterizedTest(name = "apk {0} vs {1} = {2}")
    @CsvSource({
            "1.0,1.0,0", "1.0,1.1,-1", "1.0,1.0.1,-1", "1.0_alpha1,1.0,-1", "1.0_alpha1,1.0_beta1,-1",
            "1.0_beta1,1.0_pre1,-1", "1.0_pre1,1.0_rc1,-1", "1.0_rc1,1.0,-1", "1.0,1.0_p1,-1", "1.0-r1,1.0_p1,-1", "1.0_p1,1.0a,-1",
            "1.0-r1,1.0-r2,-1", "1.0-r9,1.0-r10,-1", "1.0a,1.0b,-1", "1.0,1.0a,-1", "1.0a,1.0.1,-1",
            "1.0_cvs1,1.0_svn1,-1", "1.0_svn1,1.0_git1,-1", "1.0_git1,1.0_hg1,-1", "1.0_hg1,1.0_p1,-1",
            "2.0_rc1,1.9,1", "1.01,1.1,-1", "1.001,1.01,-1", "3.0.8-r0,3.0.12-r0,-1",
            "3.1.4-r5,3.1.4-r6,-1", "1.36.1-r15,1.36.1-r19,-1", "2.4.7-r0,2.4.7_git20230101-r0,-1",
            "0.4.0_alpha20150331,0.4.0,-1", "1.0_alpha,1.0_alpha1,-1", "1.0_p,1.0_p1,-1"})
    void apk(String a, String b, int expected) {
        assertOrder(ApkVersion.INSTANCE, a, b, expected);
    }

    /** Maven's ComparableVersionTest (maven-artifact): VERSIONS_QUALIFIER and VERSIONS_NUMBER are strictly ascending. */
    @Test
    void mavenOrderings() {
        assertAscending(MavenVersion.INSTANCE, List.of("1-alpha2snapshot", "1-alpha2", "1-alpha-123", "1-beta-2",
                "1-beta123", "1-m2", "1-m11", "1-rc", "1-cr2", "1-rc123", "1-SNAPSHOT", "1", "1-sp", "1-sp2", "1-sp123",
                "1-abc", "1-def", "1-pom-1", "1-1-snapshot", "1-1", "1-2", "1-123"));
        assertAscending(MavenVersion.INSTANCE, List.of("2.0", "2-1", "2.0.a", "2.0.0.a", "2.0.2", "2.0.123", "2.1.0",
                "2.1-a", "2.1b", "2.1-c", "2.1-1", "2.1.0.1", "2.2", "2.123", "11.a2", "11.a11", "11.b2", "11.b11",
                "11.m2", "11.m11", "11", "11.a", "11b", "11c", "11m"));
    }

    /** ComparableVersionTest's testVersionsEqual and testVersionComparing pairs. */
    @ParameterizedTest(name = "maven {0} vs {1} = {2}")
    @CsvSource({
            "1,1.0,0", "1,1.0.0,0", "1.0,1.0.0,0", "1,1-0,0", "1,1.0-0,0", "1a,1-a,0", "1a,1.0-a,0", "1.0a,1-a,0",
            "1x,1-x,0", "1ga,1,0", "1release,1,0", "1final,1,0", "1cr,1rc,0", "1a1,1-alpha-1,0", "1b2,1-beta-2,0",
            "1m3,1-milestone-3,0", "1X,1x,0", "1A,1a,0", "1-ga,1,0", "1-final,1,0",
            "1,2,-1", "1.5,2,-1", "1,2.5,-1", "1.0,1.1,-1", "1.0.0,1.1,-1", "1.1,1.2.0,-1", "1.0-alpha-1,1.0,-1",
            "1.0-alpha-1,1.0-beta-1,-1", "1.0-beta-1,1.0-SNAPSHOT,-1", "1.0-SNAPSHOT,1.0,-1",
            "1.0-alpha-1-SNAPSHOT,1.0-alpha-1,-1", "1.0,1.0-1,-1", "1.0-1,1.0-2,-1", "1.0.0,1.0-1,-1",
            "2.0-1,2.0.1,-1", "2.0.1-klm,2.0.1-lmn,-1", "2.0.1,2.0.1-xyz,-1", "2.0.1,2.0.1-123,-1",
            "2.0.1-xyz,2.0.1-123,-1", "2.14.1,2.15.0,-1", "2.15.0-rc1,2.15.0,-1", "2.3.1,2.12.4,-1"})
    void maven(String a, String b, int expected) {
        assertOrder(MavenVersion.INSTANCE, a, b, expected);
    }

    /** Semantic Versioning 2.0.0, §11 (the spec's own examples). */
    @Test
    void semver() {
        assertAscending(SemVer.INSTANCE, List.of("1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
                "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "2.0.0", "2.1.0", "2.1.1", "10.0.0"));
        assertOrder(SemVer.INSTANCE, "1.0.0+build.1", "1.0.0+build.2", 0);
        assertOrder(SemVer.INSTANCE, "v1.2.3", "1.2.3", 0);
        assertOrder(SemVer.INSTANCE, "not-a-version", "0.0.1", -1);
    }

    /** PEP 440's summary ordering example (also packaging's test suite), plus epochs and normalisation. */
    @Test
    void pep440() {
        assertAscending(Pep440Version.INSTANCE, List.of("1.dev0", "1.0.dev456", "1.0a1", "1.0a2.dev456",
                "1.0a12.dev456", "1.0a12", "1.0b1.dev456", "1.0b2", "1.0b2.post345.dev456", "1.0b2.post345",
                "1.0rc1.dev456", "1.0rc1", "1.0", "1.0+abc.5", "1.0+abc.7", "1.0+5", "1.0.post456.dev34", "1.0.post456",
                "1.0.15", "1.1.dev1", "2!0.1"));
        assertOrder(Pep440Version.INSTANCE, "1.0-alpha.1", "1.0a1", 0);
        assertOrder(Pep440Version.INSTANCE, "1.0-1", "1.0.post1", 0);
        assertOrder(Pep440Version.INSTANCE, "1.0c1", "1.0rc1", 0);
        assertOrder(Pep440Version.INSTANCE, "1.0.0", "1", 0);
        assertOrder(Pep440Version.INSTANCE, "v2.31.0", "2.32.0", -1);
    }
}
