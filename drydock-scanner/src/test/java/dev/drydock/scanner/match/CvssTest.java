package dev.drydock.scanner.match;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Scores as NVD and the CVSS specifications' worked examples give them. */
class CvssTest {

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H, 10.0",   // CVE-2021-44228
            "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:H/A:H, 9.0",    // CVE-2021-45046
            "CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:C/C:N/I:H/A:N, 6.5",    // CVE-2016-2781
            "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H, 7.8",    // CVE-2023-4911
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N, 7.5",    // CVE-2014-0160, spec example
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N, 6.1",    // CVE-2013-1937, spec example
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H, 9.8",    // CVE-2014-6271, spec example
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N, 0.0"})
    void v3(String vector, double score) {
        assertThat(Cvss.v3(vector)).hasValue(score);
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
            "AV:N/AC:M/Au:N/C:C/I:C/A:C, 9.3",    // CVE-2021-44228 (NVD v2)
            "AV:L/AC:L/Au:N/C:N/I:P/A:N, 2.1",    // CVE-2016-2781 (NVD v2)
            "AV:N/AC:L/Au:N/C:N/I:N/A:C, 7.8",    // CVE-2002-0392, v2 guide example
            "AV:N/AC:L/Au:N/C:C/I:C/A:C, 10.0",   // CVE-2003-0818, v2 guide example
            "AV:L/AC:H/Au:N/C:C/I:C/A:C, 6.2",    // CVE-2003-0062, v2 guide example
            "(AV:N/AC:L/Au:N/C:N/I:N/A:N), 0.0"})
    void v2(String vector, double score) {
        assertThat(Cvss.v2(vector)).hasValue(score);
    }

    @ParameterizedTest
    @CsvSource({"CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSS:3.1/AV:N", "garbage", "CVSS:4.0/AV:N/AC:L/AT:N"})
    void invalidVectorsHaveNoScore(String vector) {
        assertThat(Cvss.v3(vector)).isEmpty();
        assertThat(Cvss.v2(vector)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"0.0,Negligible", "0.9,Negligible", "1.0,Low", "3.9,Low", "4.0,Medium", "6.9,Medium", "7.0,High",
            "8.9,High", "9.0,Critical", "10.0,Critical"})
    void bands(double score, Severity severity) {
        assertThat(Severity.fromScore(score)).isEqualTo(severity);
    }
}
