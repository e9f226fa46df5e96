package dev.drydock.registry.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Issues and verifies the short-lived ES256 JWTs of the Docker token authentication spec. Verification checks
 * signature, issuer, audience and validity window (with a short fixed {@link #LEEWAY}) and logs the exact reason
 * for a failure, while callers only learn "invalid token".
 */
public final class TokenSigner {
    private static final Logger log = LoggerFactory.getLogger(TokenSigner.class);
    /**
     * How long past {@code exp} (and before {@code nbf}) a token still holds. Tokens are issued and checked by Drydock's
     * own clock, and the token endpoint sends no {@code issued_at}, so docker and podman (containers/image) time a token's
     * {@code expires_in} from when they received it by their own clocks: their expiry falls after ours by the token
     * answer's latency, and a request sent just in time arrives a little late. This covers that and the clock
     * difference between nodes sharing the signing key (NTP keeps it well under a second); distribution's 60 s covers
     * clients that time tokens by the registry's {@code issued_at} on unsynchronised clocks, which never happens here.
     */
    public static final Duration LEEWAY = Duration.ofSeconds(10);

    /**
     * The verified content of a token. {@code generation} is the {@code gen} claim: which generation of the subject's
     * credential the token was issued to (robots), or null.
     */
    public record Claims(String subject, List<Access> access, Instant expires, Long generation) {}

    private final ECKey key;
    private final ECDSASigner signer;
    private final ECDSAVerifier verifier;
    private final String issuer;
    private final InstantSource clock;

    public TokenSigner(ECKey key, String issuer, InstantSource clock) {
        try {
            this.key = key;
            this.signer = new ECDSASigner(key);
            this.verifier = new ECDSAVerifier(key.toPublicJWK());
        } catch (JOSEException e) {
            throw new IllegalArgumentException("unusable token signing key", e);
        }
        this.issuer = issuer;
        this.clock = clock;
    }

    public static ECKey generateKey() {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID(UUID.randomUUID().toString()).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public String issue(String subject, String audience, List<Access> access, Duration ttl) {
        return issue(subject, audience, access, ttl, null);
    }

    /** A token that also names the generation of the subject's credential ({@code gen}; none when null). */
    public String issue(String subject, String audience, List<Access> access, Duration ttl, Long generation) {
        Instant now = clock.instant();
        List<Map<String, Object>> accessClaim = new ArrayList<>();
        for (Access a : access) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("type", a.type());
            entry.put("name", a.name());
            entry.put("actions", a.actions().stream().sorted().toList());
            accessClaim.add(entry);
        }
        JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder()
                .issuer(issuer)
                .subject(subject)
                .audience(audience)
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ttl)))
                .jwtID(UUID.randomUUID().toString())
                .claim("access", accessClaim);
        if (generation != null) builder.claim("gen", generation);
        JWTClaimsSet claims = builder.build();
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("signing failed", e);
        }
        return jwt.serialize();
    }

    /**
     * Successful verifications, so a client reusing its token (every request of a push or pull) costs a map
     * lookup instead of an ES256 signature check, which measured at ~40% of the server's CPU under manifest
     * load. Signature, issuer and audience depend only on the token and this signer's key, so a cached answer
     * is the one a fresh check would give; the validity window is still checked on every hit. A signer has one
     * key for its lifetime, so there is nothing to invalidate.
     */
    private static final int CACHE_LIMIT = 10_000;
    private record Verified(Claims claims, Instant notBefore) {}
    private final ConcurrentHashMap<String, Verified> verified = new ConcurrentHashMap<>();

    /** The token's claims when it is valid for {@code audience}; empty (reason logged) otherwise. */
    public Optional<Claims> verify(String token, String audience) {
        String key = audience + "\n" + token;
        Verified hit = verified.get(key);
        if (hit != null) {
            if (withinValidity(hit.claims().expires(), hit.notBefore(), clock.instant())) return Optional.of(hit.claims());
            verified.remove(key);
        }
        Optional<Verified> fresh = verifyUncached(token, audience);
        fresh.ifPresent(v -> {
            if (verified.size() >= CACHE_LIMIT) evictExpired();
            if (verified.size() < CACHE_LIMIT) verified.put(key, v);
        });
        return fresh.map(Verified::claims);
    }

    private void evictExpired() {
        Instant now = clock.instant();
        verified.values().removeIf(v -> !withinValidity(v.claims().expires(), v.notBefore(), now));
    }

    private static boolean withinValidity(Instant expires, Instant notBefore, Instant now) {
        return !now.isAfter(expires.plus(LEEWAY)) && (notBefore == null || !now.isBefore(notBefore.minus(LEEWAY)));
    }

    private Optional<Verified> verifyUncached(String token, String audience) {
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (!JWSAlgorithm.ES256.equals(jwt.getHeader().getAlgorithm())) {
                return reject("unexpected algorithm " + jwt.getHeader().getAlgorithm());
            }
            if (!jwt.verify(verifier)) {
                return reject("bad signature");
            }
            JWTClaimsSet c = jwt.getJWTClaimsSet();
            Instant now = clock.instant();
            if (!issuer.equals(c.getIssuer())) return reject("issuer " + c.getIssuer());
            if (c.getAudience() == null || !c.getAudience().contains(audience)) return reject("audience " + c.getAudience());
            if (c.getExpirationTime() == null || now.isAfter(c.getExpirationTime().toInstant().plus(LEEWAY))) {
                return reject("expired at " + c.getExpirationTime());
            }
            if (c.getNotBeforeTime() != null && now.isBefore(c.getNotBeforeTime().toInstant().minus(LEEWAY))) {
                return reject("not valid before " + c.getNotBeforeTime());
            }
            return Optional.of(new Verified(
                    new Claims(c.getSubject(), parseAccess(c.getClaim("access")), c.getExpirationTime().toInstant(),
                            c.getLongClaim("gen")),
                    c.getNotBeforeTime() == null ? null : c.getNotBeforeTime().toInstant()));
        } catch (ParseException | JOSEException | RuntimeException e) {
            return reject("unparseable: " + e.getMessage());
        }
    }

    private static List<Access> parseAccess(Object claim) {
        List<Access> result = new ArrayList<>();
        if (claim instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> m && m.get("type") instanceof String type && m.get("name") instanceof String name
                        && m.get("actions") instanceof List<?> actions) {
                    LinkedHashSet<String> set = new LinkedHashSet<>();
                    actions.forEach(a -> set.add(String.valueOf(a)));
                    result.add(new Access(type, name, set));
                }
            }
        }
        return result;
    }

    private static <T> Optional<T> reject(String reason) {
        log.info("rejected token: {}", reason);
        return Optional.empty();
    }
}
