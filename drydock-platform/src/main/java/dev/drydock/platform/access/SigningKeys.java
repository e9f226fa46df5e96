package dev.drydock.platform.access;

import com.nimbusds.jose.jwk.ECKey;
import dev.drydock.platform.db.Database;
import dev.drydock.registry.auth.TokenSigner;
import org.jdbi.v3.core.Jdbi;

import java.text.ParseException;
import java.time.InstantSource;
import java.util.Optional;

/**
 * The token signing key: generated on first start and kept in the database, so every node (and every
 * restart) signs and verifies with the same key.
 */
public final class SigningKeys {
    private static final String ID = "token";

    private SigningKeys() {}

    public static ECKey loadOrCreate(Jdbi jdbi, InstantSource clock) {
        Optional<ECKey> existing = load(jdbi);
        if (existing.isPresent()) return existing.get();
        ECKey key = TokenSigner.generateKey();
        try {
            jdbi.useHandle(h -> h.execute("insert into signing_keys (id, jwk, created_at) values (?, ?, ?)",
                    ID, key.toJSONString(), clock.instant()));
            return key;
        } catch (RuntimeException e) {
            if (Database.isDuplicateKey(e)) return load(jdbi).orElseThrow(); // another node created it first
            throw e;
        }
    }

    private static Optional<ECKey> load(Jdbi jdbi) {
        return jdbi.withHandle(h -> h.createQuery("select jwk from signing_keys where id = ?").bind(0, ID)
                .mapTo(String.class).findOne()).map(json -> {
            try {
                return ECKey.parse(json);
            } catch (ParseException e) {
                throw new IllegalStateException("stored token signing key is corrupt", e);
            }
        });
    }
}
