package dev.drydock.platform.access;

import com.nimbusds.jose.jwk.ECKey;
import dev.drydock.platform.db.Database;
import dev.drydock.platform.db.TestDatabase;
import dev.drydock.registry.auth.TokenSigner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SigningKeysTest {
    final Database db = TestDatabase.open();
    final InstantSource clock = InstantSource.fixed(Instant.parse("2025-03-01T12:00:00Z"));

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void loadOrCreateIsIdempotent() {
        ECKey first = SigningKeys.loadOrCreate(db.jdbi(), clock);
        ECKey second = SigningKeys.loadOrCreate(db.jdbi(), clock);
        assertThat(first.isPrivate()).isTrue();
        assertThat(second).isEqualTo(first);
        assertThat(second.getKeyID()).isEqualTo(first.getKeyID());
        int rows = db.jdbi().withHandle(h -> h.createQuery("select count(*) from signing_keys").mapTo(Integer.class).one());
        assertThat(rows).isEqualTo(1);
    }

    @Test
    void aTokenSignedWithTheFirstKeyVerifiesWithTheReloadedOne() {
        TokenSigner node1 = new TokenSigner(SigningKeys.loadOrCreate(db.jdbi(), clock), "drydock", clock);
        String token = node1.issue("dev@example.com", "drydock", List.of(), Duration.ofMinutes(5));
        TokenSigner node2 = new TokenSigner(SigningKeys.loadOrCreate(db.jdbi(), clock), "drydock", clock);
        assertThat(node2.verify(token, "drydock")).isPresent();
    }

    @Test
    void corruptStoredKeyFailsLoudly() {
        db.jdbi().useHandle(h -> h.execute("insert into signing_keys (id, jwk, created_at) values ('token', 'not json', ?)",
                clock.instant()));
        assertThatThrownBy(() -> SigningKeys.loadOrCreate(db.jdbi(), clock))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("corrupt");
    }
}
