package dev.drydock.registry;

import dev.drydock.oci.Digest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

class NamesTest {

    /** A valid name of exactly {@code length} characters under org 17532. */
    static String nameOfLength(int length) {
        String prefix = "17532/";
        return prefix + "a".repeat(length - prefix.length());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "1/a",
            "17532/my-adapter",
            "17532/a/b/c",
            "17532/a.b",
            "17532/a_b",
            "17532/a__b",
            "17532/a-b",
            "17532/a--b",
            "17532/a---b",
            "17532/0",
            "17532/a1.b2_c3__d4-e5",
            "17532/engines/x-ray",
            "999999999999999999/a",   // 18-digit org id
            "9/9/9"
    })
    void acceptsValidNames(String name) {
        assertThat(Names.repository(name)).isEqualTo(name);
    }

    @Test
    void acceptsNamesUpTo255Characters() {
        assertThat(Names.repository(nameOfLength(255))).hasSize(255);
        assertThatThrownBy(() -> Names.repository(nameOfLength(256)))
                .isInstanceOfSatisfying(RegistryException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.NAME_INVALID);
                    assertThat(e.getMessage()).contains("255");
                });
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
            "17532/My-Adapter",   // upper case
            "17532/ADAPTER",
            "17532/a..b",         // two periods
            "17532/a.-b",         // mixed separators
            "17532/a___b",        // three underscores
            "17532/a_-b",
            "/17532/a",           // leading separator
            "17532//a",           // double slash
            "17532/a/",           // trailing slash
            "17532/-a",           // component starting with a separator
            "17532/.a",
            "17532/_a",
            "17532/a-",           // component ending with a separator
            "17532/a.",
            "17532/a b",
            "17532/a:b",
            "17532/a@b",
            "17532/ä",
            "17532/..",
            "17532/../other",
            "17532/a\n",
    })
    void rejectsNamesBreakingTheGrammar(String name) {
        assertThatThrownBy(() -> Names.repository(name))
                .isInstanceOfSatisfying(RegistryException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.NAME_INVALID);
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.getMessage()).contains("lowercase");
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "my-adapter",             // no org prefix at all
            "17532",                  // only the org id
            "library/ubuntu",         // non-numeric org
            "a17532/x",
            "0/x",                    // zero
            "00/x",
            "017532/x",               // leading zero
            "1234567890123456789/x",  // 19 digits: beyond the org id range
            "99999999999999999999/x"  // would overflow a long
    })
    void rejectsNamesWithoutAValidOrgPrefix(String name) {
        assertThatThrownBy(() -> Names.repository(name))
                .isInstanceOfSatisfying(RegistryException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.NAME_INVALID);
                    assertThat(e.getMessage()).contains("organization id");
                    assertThat(e.detail()).containsEntry("name", name);
                });
    }

    @Test
    void errorDetailTruncatesHugeNames() {
        String huge = "a".repeat(10_000);
        assertThatThrownBy(() -> Names.repository(huge))
                .isInstanceOfSatisfying(RegistryException.class,
                        e -> assertThat(e.getMessage().length()).isLessThan(1000));
    }

    @Test
    void orgOfReturnsTheNumericPrefix() {
        assertThat(Names.orgOf("17532/my-adapter")).isEqualTo(17532L);
        assertThat(Names.orgOf("1/a/b")).isEqualTo(1L);
        assertThat(Names.orgOf("999999999999999999/a")).isEqualTo(999_999_999_999_999_999L);
    }

    @ParameterizedTest
    @ValueSource(strings = {"latest", "v1", "v1.2.3", "1.0.0-rc.1", "_internal", "A", "a", "0", "UPPER_lower-1.2",
            "sha256-abc.sig", "a..b", "a--", "x_"})
    void acceptsValidTags(String tag) {
        assertThat(Names.isValidTag(tag)).isTrue();
        assertThat(Names.tag(tag)).isEqualTo(tag);
    }

    @Test
    void acceptsTagsUpTo128Characters() {
        assertThat(Names.isValidTag("a".repeat(128))).isTrue();
        assertThat(Names.isValidTag("_" + "9".repeat(127))).isTrue();
        assertThat(Names.isValidTag("a".repeat(129))).isFalse();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {".hidden", "-dash", ".", "-", "a/b", "a:b", "a+b", "a b", "a@b", "ä", "tag\n", " latest"})
    void rejectsInvalidTags(String tag) {
        assertThat(Names.isValidTag(tag)).isFalse();
        assertThatThrownBy(() -> Names.tag(tag))
                .isInstanceOfSatisfying(RegistryException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.MANIFEST_INVALID);
                    assertThat(e.getMessage()).contains("1-128 characters");
                });
    }

    @Test
    void tooLongTagIsRejectedByTag() {
        assertThatThrownBy(() -> Names.tag("a".repeat(129))).isInstanceOf(RegistryException.class);
    }

    @Test
    void parsesADigest() {
        String value = "sha256:" + "e".repeat(64);
        assertThat(Names.digest(value)).isEqualTo(Digest.parse(value));
    }

    /** The digest rules are Digest's (drydock-oci); clients get them as DIGEST_INVALID with its message. */
    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"latest", "sha256:ABC", "sha384:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "nocolon"})
    void rejectsInvalidDigestsAsDigestInvalid(String value) {
        String message = catchThrowable(() -> Digest.parse(value)).getMessage();
        assertThatThrownBy(() -> Names.digest(value))
                .isInstanceOfSatisfying(RegistryException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.DIGEST_INVALID);
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.getMessage()).isNotBlank().isEqualTo(message);
                });
    }
}
