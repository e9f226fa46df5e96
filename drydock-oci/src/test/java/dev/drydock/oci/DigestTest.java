package dev.drydock.oci;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DigestTest {
    static final String HEX64 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    static final String HEX128 = "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
            + "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e";

    @Test
    void parsesSha256() {
        Digest d = Digest.parse("sha256:" + HEX64);
        assertThat(d.algorithm()).isEqualTo("sha256");
        assertThat(d.hex()).isEqualTo(HEX64);
        assertThat(d).hasToString("sha256:" + HEX64);
        assertThat(d).isEqualTo(new Digest("sha256", HEX64));
    }

    @Test
    void parsesSha512() {
        Digest d = Digest.parse("sha512:" + HEX128);
        assertThat(d.algorithm()).isEqualTo("sha512");
        assertThat(d.hex()).isEqualTo(HEX128);
        assertThat(d).hasToString("sha512:" + HEX128);
    }

    @Test
    void computesSha256OfContent() {
        assertThat(Digest.sha256(new byte[0])).isEqualTo(Digest.parse("sha256:" + HEX64));
        assertThat(Digest.sha256("abc".getBytes(StandardCharsets.US_ASCII)).hex())
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void computesSha512ViaMessageDigest() {
        var md = Digest.newMessageDigest("sha512");
        assertThat(Digest.of("sha512", md)).isEqualTo(Digest.parse("sha512:" + HEX128));
    }

    @Test
    void rejectsUnknownAlgorithmForMessageDigest() {
        assertThatThrownBy(() -> Digest.newMessageDigest("md5")).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
            HEX64,                                  // no algorithm
            "sha256:",                              // no hex
            ":" + HEX64,                            // empty algorithm
            "sha256:" + "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", // upper-case hex
            "sha256:E3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",      // one upper-case char
            "SHA256:" + HEX64,                      // upper-case algorithm
            "sha256:" + HEX64 + "0",                // 65 hex
            "sha256:" + "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",  // 63 hex
            "sha256:" + "g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", // non-hex
            "sha256:" + HEX128,                     // sha512-length hex under sha256
            "sha512:" + HEX64,                      // sha256-length hex under sha512
            "sha384:" + HEX64,                      // unsupported algorithm
            "md5:d41d8cd98f00b204e9800998ecf8427e",
            "sha256+b64u:" + HEX64,
            " sha256:" + HEX64,                     // surrounding whitespace
            "sha256:" + HEX64 + " ",
            "sha256:" + HEX64 + "\n",
            "sha256::" + HEX64,
            "sha256:" + HEX64 + ":x",
            "latest"
    })
    void rejectsInvalidForms(String value) {
        assertThatThrownBy(() -> Digest.parse(value))
                .isInstanceOfSatisfying(InvalidDigestException.class, e -> assertThat(e.getMessage()).isNotBlank());
    }

    @Test
    void errorMessageSaysWhatAValidDigestLooksLike() {
        assertThatThrownBy(() -> Digest.parse("sha256:ABC"))
                .hasMessageContaining("sha256:ABC")
                .hasMessageContaining("lowercase hex");
        assertThatThrownBy(() -> Digest.parse("nocolon")).hasMessageContaining("<algorithm>:<hex>");
    }

    @Test
    void looksLikeDigestDistinguishesTagsFromDigests() {
        assertThat(Digest.looksLikeDigest("sha256:" + HEX64)).isTrue();
        assertThat(Digest.looksLikeDigest("sha256:bogus")).isTrue(); // then rejected by parse
        assertThat(Digest.looksLikeDigest("latest")).isFalse();
        assertThat(Digest.looksLikeDigest("v1.2.3")).isFalse();
    }
}
