package dev.drydock.scanner.advisory;

import com.code_intelligence.jazzer.junit.FuzzTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of OSV record import (docs/fuzzing.md): any bytes are an {@link Advisory} or a
 * {@link MalformedRecordException}; what is imported is kept as {@link OsvParser#write} and must read back the same.
 */
class OsvParserFuzzTest {

    @FuzzTest
    void parse(byte[] json) throws Exception {
        Advisory advisory;
        try {
            advisory = OsvParser.parse(json);
        } catch (MalformedRecordException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        assertThat(advisory.id()).isNotBlank();
        assertThat(OsvParser.parse(OsvParser.write(advisory))).isEqualTo(advisory);
    }
}
