package dev.drydock.platform.access;

import dev.drydock.platform.AuditLog;
import dev.drydock.platform.identity.IdentityService;
import dev.drydock.platform.identity.Principal;
import dev.drydock.registry.ErrorCode;
import dev.drydock.registry.RegistryException;
import dev.drydock.registry.TooManyRequests;
import dev.drydock.registry.auth.Access;
import dev.drydock.registry.auth.AccessController;
import dev.drydock.registry.auth.AuthenticationRequired;
import dev.drydock.registry.auth.Grant;
import dev.drydock.registry.auth.TokenSigner;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Docker token authentication for the registry and bearer/basic authentication for the API: the token
 * endpoint's issuing side and the registry's {@link AccessController}.
 */
public final class TokenService implements AccessController {
    /** Audience of tokens issued by {@code POST /api/v1/login} for the REST API. */
    public static final String API_AUDIENCE = "drydock-api";

    /**
     * The reserved user name under which a container engine presents a pull ticket as its password (no e-mail or robot
     * login can take this name: those contain '@' or '+').
     */
    public static final String PULL_TICKET_USER = "drydock-sandbox";
    /** Audience of pull tickets: they are not registry or API tokens and are accepted only as that user's password. */
    static final String PULL_TICKET_AUDIENCE = "drydock-pull-ticket";

    /** A token issued by the token endpoint. */
    public record IssuedToken(String token, long expiresIn, List<Access> granted) {}

    /** Who an API request authenticated as, and until when its credential holds (null: Basic, checked per request). */
    public record ApiCredential(Principal principal, java.time.Instant expires) {}

    private final IdentityService identity;
    private final TokenSigner signer;
    private final AuditLog audit;
    private final String service;
    private final Duration ttl;
    private final LoginThrottle throttle;
    private final InstantSource clock;

    /** @param clock the signer's clock: tickets end by it exactly as tokens do (with the signer's leeway) */
    public TokenService(IdentityService identity, TokenSigner signer, AuditLog audit, String service, Duration ttl,
                        LoginThrottle throttle, InstantSource clock) {
        this.identity = identity;
        this.clock = clock;
        this.throttle = throttle;
        this.signer = signer;
        this.audit = audit;
        this.service = service;
        this.ttl = ttl;
    }

    public String service() {
        return service;
    }

    /** Credentials from a {@code Basic} Authorization header; empty when absent or malformed. */
    public static Optional<String[]> basicCredentials(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) return Optional.empty();
        try {
            String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? Optional.empty() : Optional.of(new String[]{decoded.substring(0, colon), decoded.substring(colon + 1)});
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> bearer(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) return Optional.empty();
        return Optional.of(authorization.substring(7).trim());
    }

    /**
     * Checks a sign-in (e-mail and password, or robot login and token) from {@code address} and records the attempt.
     * Throws {@link LoginThrottle.Throttled} (429) while the account or address is backed off, without checking.
     */
    public Optional<Principal> login(String username, String secret, String via, String address) {
        Optional<Principal> principal = authenticate(username, secret, via, address);
        audit.record(auditName(username), principal.isPresent() ? "login.success" : "login.failure", via, null);
        return principal;
    }

    private static String auditName(String username) {
        return username == null ? "" : username.length() > 320 ? username.substring(0, 320) : username;
    }

    /**
     * Every password and robot-token check goes through here: refused while backed off (no hash spent), a password
     * checked in the throttle's bounded pool (a robot token is a cheap SHA-256), the outcome counted. The start of a
     * backoff is audited once, not each refused attempt. A robot's 256-bit token cannot be guessed, so a robot login
     * counts only against the address: backing off the robot itself would only let a stranger stop a CI pipeline.
     */
    private Optional<Principal> authenticate(String username, String secret, String via, String address) {
        boolean robot = IdentityService.isRobotLogin(username);
        String account = robot ? null : username;
        LoginThrottle.Attempt attempt = throttle.check(account, address);
        Optional<Principal> principal = robot
                ? identity.authenticate(username, secret)
                : throttle.hashing(() -> identity.authenticate(username, secret));
        if (principal.isPresent()) {
            attempt.succeeded();
        } else if (attempt.failed()) {
            audit.record(auditName(username), "login.throttled", via, "from " + address);
        }
        return principal;
    }

    /**
     * A pull ticket: a signed credential allowing only {@code pull} of {@code repository}, expiring after {@code ttl}, for
     * the container engine that pulls a build's image for its sandbox run. The engine presents it as the password of
     * {@link #PULL_TICKET_USER} (token endpoint or Basic auth). Audited as the system; the ticket itself is never
     * logged or stored.
     */
    public String issuePullTicket(String repository, Duration ttl, String reason) {
        String ticket = signer.issue(PULL_TICKET_USER, PULL_TICKET_AUDIENCE, List.of(new Access("repository", repository,
                java.util.Set.of(Access.PULL))), ttl);
        audit.record(dev.drydock.platform.builds.BuildService.SYSTEM, "pull-ticket.issue", repository,
                reason + " (valid " + ttl.toSeconds() + "s)");
        return ticket;
    }

    /** True when {@code username} is the reserved pull-ticket user (whose password is a ticket, not a password). */
    public static boolean isPullTicketUser(String username) {
        return PULL_TICKET_USER.equals(username);
    }

    /**
     * A registry token for the holder of a pull ticket: the requested scopes narrowed to the ticket's (pull of one
     * repository), expiring no later than the ticket. Empty when the ticket is invalid or expired.
     */
    public Optional<IssuedToken> issueForPullTicket(String ticket, List<Access> requested) {
        Optional<TokenSigner.Claims> claims = verifyPullTicket(ticket);
        audit.record(dev.drydock.platform.builds.BuildService.SYSTEM, claims.isPresent() ? "login.success" : "login.failure",
                "pull-ticket", claims.map(c -> c.access().toString()).orElse("invalid or expired ticket"));
        if (claims.isEmpty()) return Optional.empty();
        List<Access> granted = narrow(requested, claims.get().access());
        Duration left = Duration.between(clock.instant(), claims.get().expires());
        Duration tokenTtl = left.compareTo(ttl) < 0 ? left : ttl;
        if (tokenTtl.isNegative() || tokenTtl.isZero()) return Optional.empty();
        return Optional.of(new IssuedToken(signer.issue(PULL_TICKET_USER, service, granted, tokenTtl), tokenTtl.toSeconds(), granted));
    }

    /** A ticket's claims while it is valid: signature, audience, and expiry without the clock-skew leeway of tokens. */
    private Optional<TokenSigner.Claims> verifyPullTicket(String ticket) {
        return signer.verify(ticket, PULL_TICKET_AUDIENCE).filter(c -> clock.instant().isBefore(c.expires()));
    }

    /** The requested accesses, each cut down to the actions {@code allowed} grants on the same resource. */
    private static List<Access> narrow(List<Access> requested, List<Access> allowed) {
        List<Access> out = new java.util.ArrayList<>();
        for (Access want : requested) {
            for (Access may : allowed) {
                if (!may.type().equals(want.type()) || !may.name().equals(want.name())) continue;
                java.util.Set<String> actions = new java.util.TreeSet<>(want.actions());
                actions.retainAll(may.actions());
                if (!actions.isEmpty()) out.add(new Access(want.type(), want.name(), actions));
            }
        }
        return out;
    }

    /** Issues a registry token holding the granted part of the requested scopes. */
    public IssuedToken issueRegistryToken(Principal principal, List<Access> requested) {
        List<Access> granted = AccessPolicy.grant(principal, requested);
        return new IssuedToken(signer.issue(principal.name(), service, granted, ttl, generation(principal)), ttl.toSeconds(), granted);
    }

    /** The credential generation a token of {@code principal} names: a robot's; none for users. */
    private static Long generation(Principal principal) {
        return principal instanceof Principal.Robot r ? r.generation() : null;
    }

    /** Issues an API session token (no registry access). */
    public IssuedToken issueApiToken(Principal principal) {
        return new IssuedToken(signer.issue(principal.name(), API_AUDIENCE, List.of(), ttl, generation(principal)),
                ttl.toSeconds(), List.of());
    }

    /**
     * The principal behind an API request's Authorization header: Basic credentials, or a bearer token from
     * the login endpoint or a scope-less one from the token endpoint (what docker login gets). Empty when missing or
     * invalid.
     */
    public Optional<Principal> apiPrincipal(String authorization, String address) {
        return apiCredential(authorization, address).map(ApiCredential::principal);
    }

    /**
     * As {@link #apiPrincipal}, with the bearer token's expiry (for streams that outlive the request's check). Basic
     * credentials are throttled like any sign-in ({@link LoginThrottle.Throttled}).
     */
    public Optional<ApiCredential> apiCredential(String authorization, String address) {
        Optional<String[]> basic = basicCredentials(authorization);
        if (basic.isPresent()) {
            return authenticate(basic.get()[0], basic.get()[1], "api-basic", address).map(p -> new ApiCredential(p, null));
        }
        return bearer(authorization)
                // a registry token granting repository access is for /v2 only: handed to a pull step, it must not
                // also act as its user on the REST API (least privilege)
                .flatMap(t -> signer.verify(t, API_AUDIENCE).or(() -> signer.verify(t, service).filter(c -> c.access().isEmpty())))
                .flatMap(c -> identity.principal(c.subject(), c.generation()).map(p -> new ApiCredential(p, c.expires())));
    }

    /** The principal as it is now (memberships, role), or empty once it is gone (a revoked robot, …). */
    public Optional<Principal> current(Principal principal) {
        return identity.current(principal);
    }

    /** Deleting (and "*", which includes it) takes an org admin; the other actions take any member. */
    private static boolean needsOrgAdmin(String action) {
        return action.equals(Access.DELETE) || action.equals("*");
    }

    @Override
    public Grant authorize(String authorization, List<Access> requested) {
        return authorize(authorization, requested, null);
    }

    @Override
    public Grant authorize(String authorization, List<Access> requested, String clientAddress) {
        Optional<String[]> basic = basicCredentials(authorization);
        if (basic.isPresent() && isPullTicketUser(basic.get()[0])) {
            TokenSigner.Claims ticket = verifyPullTicket(basic.get()[1])
                    .orElseThrow(() -> new AuthenticationRequired("invalid or expired pull ticket", requested, "invalid_token"));
            Grant grant = new Grant(PULL_TICKET_USER, ticket.access(), java.util.Set.of());
            for (Access want : requested) {
                for (String action : want.actions()) {
                    if (!grant.allows(want.type(), want.name(), action)) {
                        throw new RegistryException(ErrorCode.DENIED, "a pull ticket allows only pulling the repository it was"
                                + " issued for", java.util.Map.of());
                    }
                }
            }
            return grant;
        }
        if (basic.isPresent()) {
            Principal principal;
            try {
                principal = authenticate(basic.get()[0], basic.get()[1], "registry-basic", clientAddress)
                        .orElseThrow(() -> new AuthenticationRequired("invalid username or password", requested, "invalid_token"));
            } catch (LoginThrottle.Throttled t) {
                throw new TooManyRequests(t.getMessage(), Duration.ofSeconds(t.retryAfter()), java.util.Map.of());
            }
            List<Access> granted = AccessPolicy.grant(principal, requested);
            Grant grant = new Grant(principal.name(), granted, principal.visibleOrgs());
            for (Access want : requested) {
                for (String action : want.actions()) {
                    if (!grant.allows(want.type(), want.name(), action)) {
                        throw new RegistryException(ErrorCode.DENIED,
                                principal.name() + " may not " + action + " " + want.name() + (needsOrgAdmin(action)
                                        ? ": only admins of the repository's organization may"
                                        : ": repositories live under <orgId>/, and only that organization's members may use them"),
                                java.util.Map.of());
                    }
                }
            }
            return grant;
        }
        Optional<String> token = bearer(authorization);
        if (token.isEmpty()) {
            throw new AuthenticationRequired("authentication required: log in with docker login", requested, null);
        }
        TokenSigner.Claims claims = signer.verify(token.get(), service)
                .orElseThrow(() -> new AuthenticationRequired("invalid or expired token: log in again", requested, "invalid_token"));
        if (isPullTicketUser(claims.subject()) && !clock.instant().isBefore(claims.expires())) {
            // a sandbox pull ends with its ticket: no clock-skew leeway
            throw new AuthenticationRequired("expired token", requested, "invalid_token");
        }
        Principal robot = null;
        if (IdentityService.isRobotLogin(claims.subject())) {
            // A robot's token holds only while that robot (this generation of it) exists: revoking it, or revoking it
            // and creating another of the same name, ends it at once.
            robot = identity.principal(claims.subject(), claims.generation())
                    .orElseThrow(() -> new AuthenticationRequired("invalid or expired token: log in again", requested, "invalid_token"));
        }
        Grant grant = new Grant(claims.subject(), claims.access(), null);
        for (Access want : requested) {
            for (String action : want.actions()) {
                if (!grant.allows(want.type(), want.name(), action)) {
                    throw new AuthenticationRequired("access denied: " + claims.subject() + " may not " + action + " "
                            + want.name() + (needsOrgAdmin(action) ? " (only admins of the repository's organization may)"
                            : " (only members of the repository's organization may)"), requested, "insufficient_scope");
                }
            }
        }
        if (requested.stream().anyMatch(a -> a.type().equals("registry"))) {
            // The catalog lists only the organizations the subject may see: look them up now.
            Principal principal = (robot != null ? Optional.of(robot) : identity.principal(claims.subject()))
                    .orElseThrow(() -> new AuthenticationRequired("invalid or expired token: log in again", requested, "invalid_token"));
            grant = new Grant(claims.subject(), claims.access(), principal.visibleOrgs());
        }
        return grant;
    }
}
