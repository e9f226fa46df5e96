package dev.drydock.registry.auth;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class TokenSignerTest {
    static final Instant T0 = Instant.parse("2025-03-01T12:00:00Z");
    static final String ISSUER = "drydock";
    static final String AUDIENCE = "registry.example";
    static final Duration TTL = Duration.ofMinutes(5);
    static final ECKey KEY = TokenSigner.generateKey();

    /** A clock the test moves by hand. */
    static final class Clock implements InstantSource {
        Instant now;

        Clock(Instant now) {
            this.now = now;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    final Clock clock = new Clock(T0);
    final TokenSigner signer = new TokenSigner(KEY, ISSUER, clock);

    private String issue() {
        return signer.issue("dev@example.com", AUDIENCE,
                List.of(Access.repository("17532/app", "push", "pull"), Access.catalog()), TTL);
    }

    @Test
    void roundTrip() {
        String token = issue();
        var claims = signer.verify(token, AUDIENCE).orElseThrow();
        assertThat(claims.subject()).isEqualTo("dev@example.com");
        assertThat(claims.expires()).isEqualTo(T0.plus(TTL));
        assertThat(claims.access()).containsExactly(
                new Access("repository", "17532/app", Set.of("pull", "push")),
                new Access("registry", "catalog", Set.of("*")));
    }

    @Test
    void tokenHasTheDockerTokenShape() throws Exception {
        SignedJWT jwt = SignedJWT.parse(issue());
        assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
        assertThat(jwt.getHeader().getKeyID()).isEqualTo(KEY.getKeyID());
        JWTClaimsSet c = jwt.getJWTClaimsSet();
        assertThat(c.getIssuer()).isEqualTo(ISSUER);
        assertThat(c.getAudience()).containsExactly(AUDIENCE);
        assertThat(c.getIssueTime().toInstant()).isEqualTo(T0);
        assertThat(c.getNotBeforeTime().toInstant()).isEqualTo(T0);
        assertThat(c.getJWTID()).isNotBlank();
        assertThat(c.getClaim("access")).isEqualTo(List.of(
                Map.of("type", "repository", "name", "17532/app", "actions", List.of("pull", "push")),
                Map.of("type", "registry", "name", "catalog", "actions", List.of("*"))));
        assertThat(issue()).as("each token has its own id").isNotEqualTo(issue());
    }

    @Test
    void emptyAccessRoundTrips() {
        String token = signer.issue("robot", AUDIENCE, List.of(), TTL);
        assertThat(signer.verify(token, AUDIENCE).orElseThrow().access()).isEmpty();
    }

    @Test
    void anotherSignerWithTheSameKeyAndIssuerVerifies() throws Exception {
        String token = issue();
        TokenSigner otherNode = new TokenSigner(ECKey.parse(KEY.toJSONObject()), ISSUER, clock);
        assertThat(otherNode.verify(token, AUDIENCE)).isPresent();
    }

    // ---------------------------------------------------------------- validity window

    @Test
    void expiredWithinLeewayIsStillAccepted() {
        String token = issue();
        clock.now = T0.plus(TTL).plus(TokenSigner.LEEWAY);
        assertThat(signer.verify(token, AUDIENCE)).isPresent();
    }

    @Test
    void expiredBeyondLeewayIsRejected() {
        String token = issue();
        clock.now = T0.plus(TTL).plus(TokenSigner.LEEWAY).plusSeconds(1);
        assertThat(signer.verify(token, AUDIENCE)).isEmpty();
        clock.now = T0.plus(Duration.ofDays(365));
        assertThat(signer.verify(token, AUDIENCE)).isEmpty();
    }

    @Test
    void aVerifiedTokenIsStillRejectedOnceItExpires() {
        String token = issue();
        assertThat(signer.verify(token, AUDIENCE)).isPresent(); // verified once, remembered
        assertThat(signer.verify(token, AUDIENCE)).isPresent();
        clock.now = T0.plus(TTL).plus(TokenSigner.LEEWAY).plusSeconds(1);
        assertThat(signer.verify(token, AUDIENCE)).isEmpty();
    }

    @Test
    void aVerifiedTokenIsNotAcceptedForAnotherAudience() {
        String token = issue();
        assertThat(signer.verify(token, AUDIENCE)).isPresent();
        assertThat(signer.verify(token, "someone-else")).isEmpty();
    }

    @Test
    void notYetValidBeyondLeewayIsRejected() {
        String token = issue();
        clock.now = T0.minus(TokenSigner.LEEWAY).minusSeconds(1);
        assertThat(signer.verify(token, AUDIENCE)).isEmpty();
        clock.now = T0.minus(TokenSigner.LEEWAY);
        assertThat(signer.verify(token, AUDIENCE)).as("within leeway").isPresent();
    }

    @Test
    void tokenWithoutExpiryIsRejected() throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(ISSUER).subject("x").audience(AUDIENCE).build();
        assertThat(signer.verify(sign(KEY, claims), AUDIENCE)).isEmpty();
    }

    @Test
    void tokenWithoutNotBeforeIsAccepted() throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(ISSUER).subject("x").audience(AUDIENCE)
                .expirationTime(Date.from(T0.plusSeconds(60))).build();
        assertThat(signer.verify(sign(KEY, claims), AUDIENCE)).isPresent();
    }

    // ---------------------------------------------------------------- audience and issuer

    @Test
    void wrongAudienceIsRejected() {
        String token = issue();
        assertThat(signer.verify(token, "drydock-api")).isEmpty();
        assertThat(signer.verify(token, AUDIENCE.toUpperCase())).isEmpty();
    }

    @Test
    void missingAudienceIsRejected() throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(ISSUER).subject("x")
                .expirationTime(Date.from(T0.plusSeconds(60))).build();
        assertThat(signer.verify(sign(KEY, claims), AUDIENCE)).isEmpty();
    }

    @Test
    void wrongIssuerIsRejected() {
        String token = new TokenSigner(KEY, "someone-else", clock).issue("dev@example.com", AUDIENCE, List.of(), TTL);
        assertThat(signer.verify(token, AUDIENCE)).isEmpty();
    }

    @Test
    void missingIssuerIsRejected() throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().subject("x").audience(AUDIENCE)
                .expirationTime(Date.from(T0.plusSeconds(60))).build();
        assertThat(signer.verify(sign(KEY, claims), AUDIENCE)).isEmpty();
    }

    // ---------------------------------------------------------------- forgeries

    @Test
    void tamperedPayloadIsRejected() {
        String token = issue();
        String[] parts = token.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        String forged = payload.replace("dev@example.com", "admin@example.com").replace("\"pull\",\"push\"", "\"*\"");
        assertThat(forged).isNotEqualTo(payload);
        String tampered = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(forged.getBytes(StandardCharsets.UTF_8))
                + "." + parts[2];
        assertThat(signer.verify(tampered, AUDIENCE)).isEmpty();
    }

    @Test
    void tamperedSignatureIsRejected() {
        String token = issue();
        char last = token.charAt(token.length() - 5);
        String tampered = token.substring(0, token.length() - 5) + (last == 'A' ? 'B' : 'A') + token.substring(token.length() - 4);
        assertThat(signer.verify(tampered, AUDIENCE)).isEmpty();
    }

    @Test
    void tokenSignedByAnotherKeyIsRejectedEvenWithTheSameKeyId() throws Exception {
        ECKey other = new ECKeyGenerator(Curve.P_256).keyID(KEY.getKeyID()).generate();
        String token = new TokenSigner(other, ISSUER, clock).issue("dev@example.com", AUDIENCE, List.of(), TTL);
        assertThat(signer.verify(token, AUDIENCE)).isEmpty();
    }

    @Test
    void algNoneIsRejected() {
        JWTClaimsSet claims = validClaims();
        String unsigned = new PlainJWT(claims).serialize();
        assertThat(signer.verify(unsigned, AUDIENCE)).isEmpty();
        // A real token with its header swapped for alg none and its signature dropped or kept.
        String[] parts = issue().split("\\.");
        String none = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(signer.verify(none + "." + parts[1] + ".", AUDIENCE)).isEmpty();
        assertThat(signer.verify(none + "." + parts[1] + "." + parts[2], AUDIENCE)).isEmpty();
        String noneUpper = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"NONE\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(signer.verify(noneUpper + "." + parts[1] + ".", AUDIENCE)).isEmpty();
    }

    @Test
    void hmacTokenIsRejected() throws Exception {
        byte[] secret = new byte[32];
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), validClaims());
        jwt.sign(new MACSigner(secret));
        assertThat(signer.verify(jwt.serialize(), AUDIENCE)).isEmpty();
        // HS256 keyed with the public key's encoding (algorithm confusion).
        SignedJWT confused = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), validClaims());
        confused.sign(new MACSigner(KEY.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8)));
        assertThat(signer.verify(confused.serialize(), AUDIENCE)).isEmpty();
    }

    @Test
    void otherEcAlgorithmIsRejected() throws Exception {
        ECKey p384 = new ECKeyGenerator(Curve.P_384).generate();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.ES384), validClaims());
        jwt.sign(new ECDSASigner(p384));
        assertThat(signer.verify(jwt.serialize(), AUDIENCE)).isEmpty();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"garbage", "a.b.c", "a.b", "...", "eyJhbGciOiJFUzI1NiJ9..", "eyJhbGciOiJFUzI1NiJ9.e30.",
            "eyJhbGciOiJFUzI1NiJ9.bm90IGpzb24.AAAA", "Bearer x.y.z", "\u0000"})
    void garbageIsRejected(String token) {
        assertThat(signer.verify(token, AUDIENCE)).isEmpty();
    }

    @Test
    void malformedAccessClaimEntriesAreDropped() throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder(validClaims())
                .claim("access", List.of(
                        Map.of("type", "repository", "name", "1/a", "actions", List.of("pull")),
                        Map.of("type", "repository", "name", "1/b"),
                        Map.of("type", 1, "name", "1/c", "actions", List.of("pull")),
                        "not an object"))
                .build();
        assertThat(signer.verify(sign(KEY, claims), AUDIENCE).orElseThrow().access())
                .containsExactly(Access.repository("1/a", "pull"));
    }

    @Test
    void nonListAccessClaimMeansNoAccess() throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder(validClaims()).claim("access", "repository:1/a:pull").build();
        assertThat(signer.verify(sign(KEY, claims), AUDIENCE).orElseThrow().access()).isEmpty();
    }

    private static JWTClaimsSet validClaims() {
        return new JWTClaimsSet.Builder().issuer(ISSUER).subject("admin@example.com").audience(AUDIENCE)
                .issueTime(Date.from(T0)).notBeforeTime(Date.from(T0)).expirationTime(Date.from(T0.plus(TTL)))
                .claim("access", List.of(Map.of("type", "repository", "name", "1/a", "actions", List.of("*"))))
                .build();
    }

    private static String sign(ECKey key, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID())
                .type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(new ECDSASigner(key));
        return jwt.serialize();
    }
}
