package dev.drydock.platform.access;

import dev.drydock.platform.AuditLog;
import dev.drydock.platform.db.Database;
import dev.drydock.platform.db.TestDatabase;
import dev.drydock.platform.identity.IdentityService;
import dev.drydock.platform.identity.PasswordHasher;
import dev.drydock.platform.identity.Principal;
import dev.drydock.registry.auth.Access;
import dev.drydock.registry.auth.AuthenticationRequired;
import dev.drydock.registry.auth.TokenSigner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Where a token's life ends, by the service's clock: registry and API tokens hold {@link TokenSigner#LEEWAY} past
 * their expiry and not a second more; a pull ticket (and the registry token it buys) ends exactly at its expiry.
 */
class TokenLeewayTest {
    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    private static final Duration TTL = Duration.ofMinutes(5);
    private static final String ADMIN = "admin@example.com";

    private final Database db = TestDatabase.open();
    private final AtomicReference<Instant> now = new AtomicReference<>(T0);
    private final AuditLog audit = new AuditLog(db.jdbi(), now::get);
    private final IdentityService identity = new IdentityService(db.jdbi(), new PasswordHasher(1024, 1), audit, now::get);
    private final TokenService tokens = new TokenService(identity, new TokenSigner(TokenSigner.generateKey(), "drydock", now::get),
            audit, "drydock", TTL, new LoginThrottle(db.jdbi(), LoginThrottle.Limits.defaults(), now::get), now::get);

    @AfterEach
    void close() {
        db.close();
    }

    private Principal admin() {
        identity.bootstrapAdmin(ADMIN, "admin-password-123");
        return identity.userByEmail(ADMIN).orElseThrow();
    }

    private boolean registryAccepts(String token) {
        try {
            tokens.authorize("Bearer " + token, List.of());
            return true;
        } catch (AuthenticationRequired e) {
            return false;
        }
    }

    @Test
    void aRegistryTokenHoldsOneSecondInsideTheLeewayAndNotOneSecondBeyond() {
        String token = tokens.issueRegistryToken(admin(), List.of()).token();
        now.set(T0.plus(TTL).plus(TokenSigner.LEEWAY).minusSeconds(1));
        assertThat(registryAccepts(token)).as("1 s inside the leeway").isTrue();
        now.set(T0.plus(TTL).plus(TokenSigner.LEEWAY).plusSeconds(1));
        assertThat(registryAccepts(token)).as("1 s beyond the leeway").isFalse();
    }

    @Test
    void anApiTokenHoldsOneSecondInsideTheLeewayAndNotOneSecondBeyond() {
        String token = tokens.issueApiToken(admin()).token();
        now.set(T0.plus(TTL).plus(TokenSigner.LEEWAY).minusSeconds(1));
        assertThat(tokens.apiPrincipal("Bearer " + token, "192.0.2.1")).as("1 s inside the leeway").isPresent();
        now.set(T0.plus(TTL).plus(TokenSigner.LEEWAY).plusSeconds(1));
        assertThat(tokens.apiPrincipal("Bearer " + token, "192.0.2.1")).as("1 s beyond the leeway").isEmpty();
    }

    @Test
    void aPullTicketAndTheTokenItBuysEndExactlyAtTheirExpiry() {
        String ticket = tokens.issuePullTicket("17532/echo", TTL, "test");
        String basic = "Basic " + Base64.getEncoder().encodeToString((TokenService.PULL_TICKET_USER + ":" + ticket).getBytes());
        List<Access> pull = List.of(Access.repository("17532/echo", Access.PULL));
        String token = tokens.issueForPullTicket(ticket, pull).orElseThrow().token();

        now.set(T0.plus(TTL).minusSeconds(1));
        assertThat(tokens.authorize(basic, pull).actor()).isEqualTo(TokenService.PULL_TICKET_USER);
        assertThat(registryAccepts(token)).isTrue();
        now.set(T0.plus(TTL));
        assertThatThrownBy(() -> tokens.authorize(basic, pull)).isInstanceOf(AuthenticationRequired.class);
        assertThat(registryAccepts(token)).isFalse();
        assertThat(tokens.issueForPullTicket(ticket, pull)).isEmpty();
    }
}
