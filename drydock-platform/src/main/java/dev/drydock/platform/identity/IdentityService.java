package dev.drydock.platform.identity;

import dev.drydock.platform.ApiErrorCode;
import dev.drydock.platform.ApiException;
import dev.drydock.platform.AuditLog;
import dev.drydock.platform.db.Database;
import dev.drydock.platform.identity.Principal.OrgRole;
import dev.drydock.platform.identity.Principal.PlatformRole;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Organizations, users, memberships (made by invitations their invitees accept) and robot tokens: who exists, how
 * they prove it, and who may manage whom. Passwords are Argon2id hashes; robot tokens are 256-bit random secrets
 * stored as SHA-256 (they are high-entropy, so a slow KDF adds nothing) and shown once.
 */
public final class IdentityService {
    private static final Logger log = LoggerFactory.getLogger(IdentityService.class);
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]{1,255}");
    private static final Pattern ROBOT_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    private static final Pattern ROBOT_LOGIN = Pattern.compile("([1-9][0-9]{0,17})\\+([a-z0-9][a-z0-9_-]{0,63})");
    private static final long MAX_ORG_ID = 999_999_999_999_999_999L;
    public static final int MIN_PASSWORD_LENGTH = 12;
    public static final String ROBOT_TOKEN_PREFIX = "ddr_";
    private static final SecureRandom RANDOM = new SecureRandom();

    public record Org(long id, String name, Instant created) {}

    public record Member(String email, OrgRole role) {}

    /** A pending invitation to join organization {@code orgId} with {@code role}; membership begins when it is accepted. */
    public record Invitation(UUID id, long orgId, String orgName, String email, OrgRole role, String invitedBy,
                             Instant created, Instant expires) {}

    /** How long an invitation can be accepted. */
    public static final Duration INVITATION_TTL = Duration.ofDays(7);

    public record RobotInfo(String name, String login, String createdBy, Instant created) {}

    /** A robot with its token, returned only when it is created. */
    public record NewRobot(String name, String login, String token) {}

    private final Jdbi jdbi;
    private final PasswordHasher hasher;
    private final AuditLog audit;
    private final InstantSource clock;
    private final String dummyHash;

    public IdentityService(Jdbi jdbi, PasswordHasher hasher, AuditLog audit, InstantSource clock) {
        this.jdbi = jdbi;
        this.hasher = hasher;
        this.audit = audit;
        this.clock = clock;
        this.dummyHash = hasher.hash("drydock-timing-equalizer");
    }

    // ---------------------------------------------------------------- authentication

    /** Checks a username (e-mail or robot login {@code <orgId>+<name>}) and password or robot token. */
    public Optional<Principal> authenticate(String username, String secret) {
        if (username == null || secret == null || username.isEmpty() || secret.isEmpty()) return Optional.empty();
        var robot = ROBOT_LOGIN.matcher(username);
        if (robot.matches()) {
            long org = Long.parseLong(robot.group(1));
            String name = robot.group(2);
            Optional<Map.Entry<String, Long>> stored = jdbi.withHandle(h -> h.createQuery(
                            "select token_hash, generation from robots where org_id = ? and name = ?")
                    .bind(0, org).bind(1, name).map((rs, ctx) -> Map.entry(rs.getString(1), rs.getLong(2))).findOne());
            boolean ok = stored.isPresent() && MessageDigest.isEqual(
                    stored.get().getKey().getBytes(StandardCharsets.US_ASCII), sha256Hex(secret).getBytes(StandardCharsets.US_ASCII));
            return ok ? Optional.of(new Principal.Robot(org, name, stored.get().getValue())) : Optional.empty();
        }
        String email = username.toLowerCase(Locale.ROOT);
        Optional<Map.Entry<Long, String>> row = jdbi.withHandle(h -> h.createQuery(
                        "select id, password_hash from users where email = ?")
                .bind(0, email).map((rs, ctx) -> Map.entry(rs.getLong(1), rs.getString(2))).findOne());
        if (row.isEmpty()) {
            hasher.verify(secret, dummyHash); // same cost whether or not the account exists
            return Optional.empty();
        }
        if (!hasher.verify(secret, row.get().getValue())) return Optional.empty();
        return userByEmail(email).map(u -> u);
    }

    /** Resolves a token subject back to a current principal; empty when the user or robot is gone. */
    public Optional<Principal> principal(String subject) {
        if (subject == null) return Optional.empty();
        var robot = ROBOT_LOGIN.matcher(subject);
        if (robot.matches()) {
            long org = Long.parseLong(robot.group(1));
            String name = robot.group(2);
            return jdbi.withHandle(h -> h.createQuery("select generation from robots where org_id = ? and name = ?")
                    .bind(0, org).bind(1, name).mapTo(Long.class).findOne().map(g -> new Principal.Robot(org, name, g)));
        }
        return userByEmail(subject).map(u -> u);
    }

    /**
     * Resolves a token's subject and generation claim back to a current principal: a robot only while it still has
     * the generation the token was issued to (a token without one names no robot); a user while the account exists.
     */
    public Optional<Principal> principal(String subject, Long generation) {
        Optional<Principal> current = principal(subject);
        if (current.isPresent() && current.get() instanceof Principal.Robot r
                && (generation == null || r.generation() != generation)) {
            log.info("token of {} names robot generation {}, not the current one", subject, generation);
            return Optional.empty();
        }
        return current;
    }

    /** The principal as it is now (memberships, role), or empty when it is gone: for re-checking long-lived access. */
    public Optional<Principal> current(Principal principal) {
        return switch (principal) {
            case Principal.Robot r -> principal(r.name(), r.generation());
            case Principal.User u -> userByEmail(u.email()).filter(now -> now.id() == u.id()).map(now -> now);
        };
    }

    /** True when {@code subject} is a robot login ({@code <orgId>+<name>}). */
    public static boolean isRobotLogin(String subject) {
        return subject != null && ROBOT_LOGIN.matcher(subject).matches();
    }

    public Optional<Principal.User> userByEmail(String email) {
        return user("email = ?", email.toLowerCase(Locale.ROOT));
    }

    /** The user with this account id (a browser session names its user by id), as they are now. */
    public Optional<Principal.User> userById(long id) {
        return user("id = ?", id);
    }

    private Optional<Principal.User> user(String where, Object value) {
        return jdbi.withHandle(h -> h.createQuery("select id, email, platform_role from users where " + where)
                .bind(0, value)
                .map((rs, ctx) -> {
                    long id = rs.getLong("id");
                    String role = rs.getString("platform_role");
                    return new Principal.User(id, rs.getString("email"),
                            role == null ? null : PlatformRole.valueOf(role), memberships(h, id));
                })
                .findOne());
    }

    private static Map<Long, OrgRole> memberships(Handle h, long userId) {
        Map<Long, OrgRole> result = new HashMap<>();
        h.createQuery("select org_id, role from memberships where user_id = ?").bind(0, userId)
                .map((rs, ctx) -> Map.entry(rs.getLong(1), OrgRole.valueOf(rs.getString(2))))
                .forEach(e -> result.put(e.getKey(), e.getValue()));
        return Map.copyOf(result);
    }

    // ---------------------------------------------------------------- bootstrap

    /** Creates the platform admin on first start; does nothing when that e-mail already exists. */
    public boolean bootstrapAdmin(String email, String password) {
        String normalized = validEmail(email);
        if (userByEmail(normalized).isPresent()) return false;
        validPassword(password);
        jdbi.useHandle(h -> h.execute("insert into users (email, password_hash, platform_role, created_at) values (?, ?, ?, ?)",
                normalized, hasher.hash(password), PlatformRole.admin.name(), clock.instant()));
        audit.record("system", "user.bootstrap-admin", normalized, null);
        log.info("created platform admin {}", normalized);
        return true;
    }

    // ---------------------------------------------------------------- organizations

    public Org createOrg(Principal actor, long id, String name) {
        requirePlatformAdmin(actor);
        if (id <= 0 || id > MAX_ORG_ID) {
            throw new ApiException(ApiErrorCode.VALIDATION_FAILED,
                    "organization id must be a positive number of at most 18 digits, e.g. 17532", Map.of("field", "id"));
        }
        if (name == null || name.isBlank() || name.length() > 200) {
            throw new ApiException(ApiErrorCode.VALIDATION_FAILED, "organization name must be 1-200 characters",
                    Map.of("field", "name"));
        }
        Instant now = clock.instant();
        try {
            jdbi.useHandle(h -> h.execute("insert into orgs (id, name, created_at) values (?, ?, ?)", id, name.strip(), now));
        } catch (RuntimeException e) {
            if (Database.isDuplicateKey(e)) {
                throw new ApiException(ApiErrorCode.ORG_EXISTS, "organization " + id + " already exists: choose another id",
                        Map.of("id", id));
            }
            throw e;
        }
        audit.record(actor.name(), "org.create", String.valueOf(id), name.strip());
        return new Org(id, name.strip(), now);
    }

    /** The organization, when the actor may see it; 404 otherwise (never revealing that it exists). */
    public Org org(Principal actor, long id) {
        requireOrgAccess(actor, id, false);
        return jdbi.withHandle(h -> h.createQuery("select * from orgs where id = ?").bind(0, id)
                        .map((rs, ctx) -> new Org(rs.getLong("id"), rs.getString("name"), rs.getTimestamp("created_at").toInstant()))
                        .findOne())
                .orElseThrow(() -> orgNotFound(id));
    }

    public List<Org> orgs(Principal actor) {
        return jdbi.withHandle(h -> h.createQuery("select * from orgs order by id")
                        .map((rs, ctx) -> new Org(rs.getLong("id"), rs.getString("name"), rs.getTimestamp("created_at").toInstant()))
                        .list())
                .stream().filter(o -> actor.canSeeOrg(o.id())).toList();
    }

    // ---------------------------------------------------------------- members

    /**
     * Invites {@code email} to the organization with {@code role}: membership begins only when the account accepts
     * ({@link #acceptInvitation}). With a starting password, an e-mail that has no account yet gets one with that
     * password (so its owner can sign in and accept); the password is never used for an existing account. The answer
     * is the same invitation either way, and the password is hashed before the account is looked up whether it is
     * used or not, so neither the response nor its timing tells the admin whether the e-mail already had an account.
     */
    public Invitation invite(Principal actor, long orgId, String email, String password, String role) {
        requireOrgAccess(actor, orgId, true);
        String orgName = org(actor, orgId).name();
        String normalized = validEmail(email);
        OrgRole orgRole = parseRole(role);
        String hash = password == null ? null : hasher.hash(validPassword(password));
        Instant now = clock.instant();
        Invitation invitation = new Invitation(UUID.randomUUID(), orgId, orgName, normalized, orgRole, actor.name(),
                now, now.plus(INVITATION_TTL));
        boolean accountCreated;
        try {
            accountCreated = jdbi.inTransaction(h -> {
                Optional<Long> userId = h.createQuery("select id from users where email = ?").bind(0, normalized)
                        .mapTo(Long.class).findOne();
                if (userId.isPresent() && memberships(h, userId.get()).containsKey(orgId)) {
                    // the admin sees the member list, so this tells them nothing they could not read there
                    throw new ApiException(ApiErrorCode.MEMBER_EXISTS, normalized + " is already a member of organization " + orgId,
                            Map.of("email", normalized));
                }
                h.execute("delete from invitations where org_id = ? and email = ? and expires_at <= ?", orgId, normalized, now);
                h.execute("insert into invitations (id, org_id, email, role, invited_by, created_at, expires_at) values (?, ?, ?, ?, ?, ?, ?)",
                        invitation.id(), orgId, normalized, orgRole.name(), actor.name(), now, invitation.expires());
                if (userId.isPresent() || hash == null) return false;
                h.execute("insert into users (email, password_hash, created_at) values (?, ?, ?)", normalized, hash, now);
                return true;
            });
        } catch (RuntimeException e) {
            // the pending (org, e-mail) invitation; or, rarely, another organization creating the same account at once
            if (Database.isDuplicateKey(e)) {
                throw new ApiException(ApiErrorCode.INVITATION_EXISTS, normalized + " already has a pending invitation to organization "
                        + orgId + ": revoke it first to invite them with another role", Map.of("email", normalized));
            }
            throw e;
        }
        if (accountCreated) audit.record(actor.name(), "user.create", normalized, "invited to organization " + orgId);
        audit.record(actor.name(), "org.invitation.create", orgId + "/" + normalized, orgRole.name());
        return invitation;
    }

    /** The organization's pending invitations, expired ones included (they can be revoked and sent again); org admins only. */
    public List<Invitation> orgInvitations(Principal actor, long orgId) {
        requireOrgAccess(actor, orgId, true);
        return jdbi.withHandle(h -> h.createQuery(INVITATION_SELECT + " where i.org_id = ? order by i.email")
                .bind(0, orgId).map(IdentityService::invitation).list());
    }

    /** Withdraws a pending invitation of the organization; org admins only. */
    public void revokeInvitation(Principal actor, long orgId, String invitationId) {
        requireOrgAccess(actor, orgId, true);
        UUID id = invitationId(invitationId);
        Optional<String> email = jdbi.inTransaction(h -> {
            Optional<String> found = h.createQuery("select email from invitations where id = ? and org_id = ?")
                    .bind(0, id).bind(1, orgId).mapTo(String.class).findOne();
            found.ifPresent(e -> h.execute("delete from invitations where id = ?", id));
            return found;
        });
        if (email.isEmpty()) {
            throw new ApiException(ApiErrorCode.INVITATION_NOT_FOUND, "organization " + orgId + " has no pending invitation "
                    + invitationId + ": list them with GET /api/v1/orgs/" + orgId + "/invitations", Map.of("id", invitationId));
        }
        audit.record(actor.name(), "org.invitation.revoke", orgId + "/" + email.get(), null);
    }

    /** The signed-in user's own invitations that can still be accepted, oldest first. */
    public List<Invitation> invitationsFor(Principal.User user) {
        return jdbi.withHandle(h -> h.createQuery(INVITATION_SELECT + " where i.email = ? and i.expires_at > ? order by i.created_at, i.org_id")
                .bind(0, user.email()).bind(1, clock.instant()).map(IdentityService::invitation).list());
    }

    /** Accepts one of the user's own invitations: from now on they are a member with the invited role. */
    public Membership acceptInvitation(Principal.User user, String invitationId) {
        Invitation invitation = jdbi.inTransaction(h -> {
            Invitation found = ownInvitation(h, user, invitationId);
            if (!found.expires().isAfter(clock.instant())) {
                throw new ApiException(ApiErrorCode.INVITATION_EXPIRED, "the invitation to organization " + found.orgId()
                        + " expired at " + found.expires() + ": ask an admin of it to invite you again", Map.of("id", invitationId));
            }
            // the delete takes the row lock: of two accepts of one invitation, the second finds it gone
            if (h.execute("delete from invitations where id = ?", found.id()) == 0) throw invitationNotFound(invitationId);
            if (!memberships(h, user.id()).containsKey(found.orgId())) {
                h.execute("insert into memberships (org_id, user_id, role) values (?, ?, ?)", found.orgId(), user.id(), found.role().name());
            }
            return found;
        });
        audit.record(user.name(), "org.invitation.accept", invitation.orgId() + "/" + user.email(), invitation.role().name());
        return new Membership(invitation.orgId(), invitation.role());
    }

    /** Declines one of the user's own invitations (an expired one too): it is deleted and they do not become a member. */
    public void declineInvitation(Principal.User user, String invitationId) {
        Invitation invitation = jdbi.inTransaction(h -> {
            Invitation found = ownInvitation(h, user, invitationId);
            if (h.execute("delete from invitations where id = ?", found.id()) == 0) throw invitationNotFound(invitationId);
            return found;
        });
        audit.record(user.name(), "org.invitation.decline", invitation.orgId() + "/" + user.email(), null);
    }

    private static final String INVITATION_SELECT = """
            select i.id, i.org_id, o.name as org_name, i.email, i.role, i.invited_by, i.created_at, i.expires_at
            from invitations i join orgs o on o.id = i.org_id""";

    private static Invitation invitation(java.sql.ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx)
            throws java.sql.SQLException {
        return new Invitation(rs.getObject("id", UUID.class), rs.getLong("org_id"), rs.getString("org_name"), rs.getString("email"),
                OrgRole.valueOf(rs.getString("role")), rs.getString("invited_by"), rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("expires_at").toInstant());
    }

    /** The user's own invitation; anyone else's is 404 exactly like one that does not exist (never revealing it). */
    private static Invitation ownInvitation(Handle h, Principal.User user, String invitationId) {
        return h.createQuery(INVITATION_SELECT + " where i.id = ? and i.email = ?")
                .bind(0, invitationId(invitationId)).bind(1, user.email()).map(IdentityService::invitation).findOne()
                .orElseThrow(() -> invitationNotFound(invitationId));
    }

    private static ApiException invitationNotFound(String invitationId) {
        return new ApiException(ApiErrorCode.INVITATION_NOT_FOUND, "you have no invitation " + invitationId
                + ": GET /api/v1/invitations lists yours (an admin may have revoked it)", Map.of("id", invitationId));
    }

    private static UUID invitationId(String raw) {
        try {
            return UUID.fromString(raw);
        } catch (IllegalArgumentException | NullPointerException e) {
            return new UUID(0, 0); // names no invitation: answered 404 like any other unknown id
        }
    }

    public List<Member> members(Principal actor, long orgId) {
        requireOrgAccess(actor, orgId, false);
        return jdbi.withHandle(h -> h.createQuery("""
                        select u.email, m.role from memberships m join users u on u.id = m.user_id
                        where m.org_id = ? order by u.email""")
                .bind(0, orgId).map((rs, ctx) -> new Member(rs.getString(1), OrgRole.valueOf(rs.getString(2)))).list());
    }

    // ---------------------------------------------------------------- platform roles

    /** A user's platform-wide role (null: none). */
    public record PlatformRoleAssignment(String email, PlatformRole platformRole) {}

    /**
     * Sets or clears (role null) a user's platform role ({@code admin}, {@code reviewer}, {@code operator});
     * platform admins only. The last platform admin cannot give up the role, so the platform is never left
     * without one.
     */
    public PlatformRoleAssignment setPlatformRole(Principal actor, String email, String role) {
        requirePlatformAdmin(actor);
        PlatformRole newRole;
        try {
            newRole = role == null ? null : PlatformRole.valueOf(role);
        } catch (IllegalArgumentException e) {
            throw new ApiException(ApiErrorCode.VALIDATION_FAILED,
                    "role must be 'admin', 'reviewer', 'operator' or null (no platform role)", Map.of("field", "role"));
        }
        String normalized = email == null ? "" : email.strip().toLowerCase(Locale.ROOT);
        jdbi.useTransaction(h -> {
            // row present: the user exists; its value: the current role, if any
            Optional<Optional<String>> current = h.createQuery("select platform_role from users where email = ? for update")
                    .bind(0, normalized).map((rs, ctx) -> Optional.ofNullable(rs.getString(1))).findOne();
            if (current.isEmpty()) {
                throw new ApiException(ApiErrorCode.USER_NOT_FOUND, "no user with e-mail " + normalized
                        + ": add them to an organization first", Map.of("email", normalized));
            }
            boolean wasAdmin = current.get().map(PlatformRole.admin.name()::equals).orElse(false);
            if (wasAdmin && newRole != PlatformRole.admin) {
                int admins = h.createQuery("select count(*) from users where platform_role = 'admin'").mapTo(Integer.class).one();
                if (admins <= 1) {
                    throw new ApiException(ApiErrorCode.VALIDATION_FAILED, normalized
                            + " is the only platform admin: make another user admin first", Map.of("field", "role"));
                }
            }
            h.execute("update users set platform_role = ? where email = ?", newRole == null ? null : newRole.name(), normalized);
        });
        audit.record(actor.name(), "user.platform-role", normalized, newRole == null ? "none" : newRole.name());
        return new PlatformRoleAssignment(normalized, newRole);
    }

    /** A user as the platform admin's user list shows them: platform role (null: none) and org memberships. */
    public record UserSummary(String email, PlatformRole platformRole, List<Membership> memberships, Instant created) {}

    public record Membership(long orgId, OrgRole role) {}

    /** Users by e-mail, a page of at most {@code limit} from {@code offset}; platform admins only. */
    public List<UserSummary> users(Principal actor, int limit, int offset) {
        requirePlatformAdmin(actor);
        record Row(long id, String email, String role, Instant created) {}
        return jdbi.withHandle(h -> h.createQuery("select id, email, platform_role, created_at from users order by email limit ? offset ?")
                .bind(0, limit).bind(1, offset)
                .map((rs, ctx) -> new Row(rs.getLong("id"), rs.getString("email"), rs.getString("platform_role"),
                        rs.getTimestamp("created_at").toInstant()))
                .list().stream()
                .map(r -> new UserSummary(r.email(), r.role() == null ? null : PlatformRole.valueOf(r.role()),
                        memberships(h, r.id()).entrySet().stream().sorted(Map.Entry.comparingByKey())
                                .map(m -> new Membership(m.getKey(), m.getValue())).toList(),
                        r.created()))
                .toList());
    }

    // ---------------------------------------------------------------- robots

    public NewRobot createRobot(Principal actor, long orgId, String name) {
        requireOrgAccess(actor, orgId, true);
        if (name == null || !ROBOT_NAME.matcher(name).matches()) {
            throw new ApiException(ApiErrorCode.VALIDATION_FAILED,
                    "robot name must be 1-64 lowercase letters, digits, '_' or '-', starting with a letter or digit (e.g. ci)",
                    Map.of("field", "name"));
        }
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String token = ROBOT_TOKEN_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        try {
            long generation = RANDOM.nextLong(1, Long.MAX_VALUE);
            jdbi.useHandle(h -> h.execute(
                    "insert into robots (org_id, name, token_hash, generation, created_by, created_at) values (?, ?, ?, ?, ?, ?)",
                    orgId, name, sha256Hex(token), generation, actor.name(), clock.instant()));
        } catch (RuntimeException e) {
            if (Database.isDuplicateKey(e)) {
                throw new ApiException(ApiErrorCode.ROBOT_EXISTS,
                        "robot " + name + " already exists in organization " + orgId + ": delete it first to rotate its token",
                        Map.of("name", name));
            }
            throw e;
        }
        String login = orgId + "+" + name;
        audit.record(actor.name(), "robot.create", login, null);
        return new NewRobot(name, login, token);
    }

    public List<RobotInfo> robots(Principal actor, long orgId) {
        requireOrgAccess(actor, orgId, true);
        return jdbi.withHandle(h -> h.createQuery("select * from robots where org_id = ? order by name").bind(0, orgId)
                .map((rs, ctx) -> new RobotInfo(rs.getString("name"), orgId + "+" + rs.getString("name"),
                        rs.getString("created_by"), rs.getTimestamp("created_at").toInstant()))
                .list());
    }

    public void deleteRobot(Principal actor, long orgId, String name) {
        requireOrgAccess(actor, orgId, true);
        int deleted = jdbi.withHandle(h -> h.execute("delete from robots where org_id = ? and name = ?", orgId, name));
        if (deleted == 0) {
            throw new ApiException(ApiErrorCode.ROBOT_NOT_FOUND, "organization " + orgId + " has no robot named " + name,
                    Map.of("name", name));
        }
        audit.record(actor.name(), "robot.delete", orgId + "+" + name, null);
    }

    // ---------------------------------------------------------------- access rules

    private static boolean canManageOrg(Principal actor, long orgId) {
        return actor instanceof Principal.User u
                && (u.isPlatformAdmin() || u.memberships().get(orgId) == OrgRole.admin);
    }

    /** For other services' admin-only org resources (webhooks): the same 404/403 rules as robots. */
    public void requireOrgAdmin(Principal actor, long orgId) {
        requireOrgAccess(actor, orgId, true);
    }

    /** 404 for an org the actor cannot see (no existence leak); 403 when they see it but may not manage it. */
    private void requireOrgAccess(Principal actor, long orgId, boolean manage) {
        boolean exists = jdbi.withHandle(h -> h.createQuery("select 1 from orgs where id = ?").bind(0, orgId)
                .mapTo(Integer.class).findOne().isPresent());
        if (!exists || !actor.canSeeOrg(orgId)) throw orgNotFound(orgId);
        if (manage && !canManageOrg(actor, orgId)) {
            throw new ApiException(ApiErrorCode.FORBIDDEN,
                    "only an admin of organization " + orgId + " may do this: ask one to grant you the admin role");
        }
    }

    private static void requirePlatformAdmin(Principal actor) {
        if (!(actor instanceof Principal.User u) || !u.isPlatformAdmin()) {
            throw new ApiException(ApiErrorCode.FORBIDDEN, "only a platform admin may do this");
        }
    }

    private static ApiException orgNotFound(long id) {
        return new ApiException(ApiErrorCode.ORG_NOT_FOUND,
                "organization " + id + " does not exist or you are not a member of it", Map.of("id", id));
    }

    private static String validEmail(String email) {
        if (email == null || !EMAIL.matcher(email.strip()).matches()) {
            throw new ApiException(ApiErrorCode.VALIDATION_FAILED, "email must be an address like dev@example.com",
                    Map.of("field", "email"));
        }
        return email.strip().toLowerCase(Locale.ROOT);
    }

    private static String validPassword(String password) {
        if (password == null || password.length() < MIN_PASSWORD_LENGTH || password.length() > 1024) {
            throw new ApiException(ApiErrorCode.VALIDATION_FAILED,
                    "password must be " + MIN_PASSWORD_LENGTH + "-1024 characters", Map.of("field", "password"));
        }
        return password;
    }

    private static OrgRole parseRole(String role) {
        if (role == null) return OrgRole.developer;
        try {
            return OrgRole.valueOf(role);
        } catch (IllegalArgumentException e) {
            throw new ApiException(ApiErrorCode.VALIDATION_FAILED, "role must be 'developer' or 'admin'",
                    Map.of("field", "role"));
        }
    }

    private static String sha256Hex(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
