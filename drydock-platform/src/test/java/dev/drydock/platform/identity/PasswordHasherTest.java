package dev.drydock.platform.identity;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

class PasswordHasherTest {
    final PasswordHasher hasher = new PasswordHasher(1024, 1);

    @Test
    void verifiesTheRightPasswordOnly() {
        String hash = hasher.hash("correct horse battery staple");
        assertThat(hasher.verify("correct horse battery staple", hash)).isTrue();
        assertThat(hasher.verify("correct horse battery stapl", hash)).isFalse();
        assertThat(hasher.verify("Correct horse battery staple", hash)).isFalse();
        assertThat(hasher.verify("", hash)).isFalse();
    }

    @Test
    void nonAsciiPasswordsWork() {
        String hash = hasher.hash("pässwörd-üñíçødé-🔑");
        assertThat(hasher.verify("pässwörd-üñíçødé-🔑", hash)).isTrue();
        assertThat(hasher.verify("passwort-unicode-?", hash)).isFalse();
    }

    @Test
    void hashIsAPhcStringWithItsParameters() {
        String hash = hasher.hash("password-123456");
        assertThat(hash).matches("\\$argon2id\\$v=19\\$m=1024,t=1,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}");
        String[] parts = hash.split("\\$");
        assertThat(Base64.getDecoder().decode(parts[4])).hasSize(16);
        assertThat(Base64.getDecoder().decode(parts[5])).hasSize(32);
        assertThat(PasswordHasher.owaspDefault().hash("x")).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
    }

    @Test
    void saltsDiffer() {
        String a = hasher.hash("same-password-123");
        String b = hasher.hash("same-password-123");
        assertThat(a).isNotEqualTo(b);
        assertThat(hasher.verify("same-password-123", a)).isTrue();
        assertThat(hasher.verify("same-password-123", b)).isTrue();
    }

    @Test
    void parametersTravelInTheHash() {
        String cheap = new PasswordHasher(1024, 1).hash("password-123456");
        String dearer = new PasswordHasher(2048, 2).hash("password-123456");
        // Any instance verifies any hash, whatever its own cost settings.
        PasswordHasher other = new PasswordHasher(4096, 3);
        assertThat(other.verify("password-123456", cheap)).isTrue();
        assertThat(other.verify("password-123456", dearer)).isTrue();
        assertThat(dearer).contains("$m=2048,t=2,p=1$");
    }

    @Test
    void changedParametersDoNotVerify() {
        String hash = hasher.hash("password-123456");
        assertThat(hasher.verify("password-123456", hash.replace("t=1", "t=2"))).isFalse();
        assertThat(hasher.verify("password-123456", hash.replace("m=1024", "m=2048"))).isFalse();
    }

    @Test
    void tamperedHashDoesNotVerify() {
        String hash = hasher.hash("password-123456");
        char c = hash.charAt(hash.length() - 2);
        String tampered = hash.substring(0, hash.length() - 2) + (c == 'A' ? 'B' : 'A') + hash.charAt(hash.length() - 1);
        assertThat(hasher.verify("password-123456", tampered)).isFalse();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
            "password-123456",                                                    // plaintext
            "$argon2i$v=19$m=1024,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g", // wrong variant
            "$argon2id$v=19$m=1024,t=1,p=1$c29tZXNhbHRzb21lc2FsdA",             // missing hash
            "$argon2id$v=19$m=1024,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$",            // empty hash
            "$argon2id$v=19$m=abc,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaA",       // non-numeric m
            "$argon2id$v=19$m=1024,t=1,p=1,x=2$c29tZXNhbHRzb21lc2FsdA$aGFzaA",  // unknown parameter
            "$argon2id$v=19$m1024,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaA",       // no '='
            "$argon2id$v=19$t=1,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaA",             // m missing (0)
            "$argon2id$v=19$m=1024,t=1,p=0$c29tZXNhbHRzb21lc2FsdA$aGFzaA",      // zero lanes
            "$argon2id$v=19$m=1024,t=1,p=1$!!!notbase64!!!$aGFzaA",             // bad salt encoding
            "$argon2id$v=19$m=1024,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$!!!",         // bad hash encoding
            "$argon2id$v=19$m=1024,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaA$extra",
            "$$$$$",
            "bcrypt:$2a$10$abcdefghijklmnopqrstuv",
    })
    void malformedHashesAreFalseNotErrors(String phc) {
        assertThat(hasher.verify("password-123456", phc)).isFalse();
    }
}
