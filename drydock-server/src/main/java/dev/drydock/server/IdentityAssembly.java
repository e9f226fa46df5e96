package dev.drydock.server;

import com.nimbusds.jose.jwk.ECKey;
import dev.drydock.platform.AuditLog;
import dev.drydock.platform.access.LoginThrottle;
import dev.drydock.platform.access.SessionService;
import dev.drydock.platform.access.SigningKeys;
import dev.drydock.platform.access.TokenService;
import dev.drydock.platform.identity.IdentityService;
import dev.drydock.platform.identity.PasswordHasher;
import dev.drydock.registry.auth.TokenSigner;
import dev.drydock.server.config.DrydockConfig;

import java.time.InstantSource;

/** Who is who: the audit log, users, organizations and robots (with the bootstrap admin), the tokens they get and their browser sessions. */
record IdentityAssembly(AuditLog audit, IdentityService identity, TokenService tokens, SessionService sessions) {

    static IdentityAssembly of(DrydockConfig config, StorageAssembly storage, InstantSource clock) {
        AuditLog audit = new AuditLog(storage.database().jdbi(), clock);
        IdentityService identity = new IdentityService(storage.database().jdbi(), PasswordHasher.owaspDefault(), audit, clock);
        if (config.adminEmail() != null) {
            identity.bootstrapAdmin(config.adminEmail(), config.adminPassword());
        }
        ECKey key = SigningKeys.loadOrCreate(storage.database().jdbi(), clock);
        TokenSigner signer = new TokenSigner(key, "drydock", clock);
        TokenService tokens = new TokenService(identity, signer, audit, config.service(), config.tokenTtl(),
                new LoginThrottle(storage.database().jdbi(), config.login(), clock), clock);
        SessionService sessions = new SessionService(storage.database().jdbi(), identity, audit, clock,
                config.sessionIdleTimeout(), config.sessionMaxAge());
        return new IdentityAssembly(audit, identity, tokens, sessions);
    }
}
