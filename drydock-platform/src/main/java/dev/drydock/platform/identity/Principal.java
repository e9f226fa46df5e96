package dev.drydock.platform.identity;

import java.util.Map;
import java.util.Set;

/** Who is calling: a user (by e-mail) or an organization's robot. */
public sealed interface Principal {

    /** The name used as token subject and in audit records. */
    String name();

    /** Organization roles of a user. */
    enum OrgRole { developer, admin }

    /** Platform-wide roles. */
    enum PlatformRole { admin, reviewer, operator }

    /**
     * The one org-visibility rule: the organizations whose members, robots, repositories, adapters and builds this
     * principal may see; null means every organization (platform roles). Users see the organizations they belong to,
     * a robot its own.
     */
    default Set<Long> visibleOrgs() {
        return switch (this) {
            case User u -> u.platformRole() != null ? null : Set.copyOf(u.memberships().keySet());
            case Robot r -> Set.of(r.orgId());
        };
    }

    /** May see organization {@code orgId} ({@link #visibleOrgs()}); an org it may not see is answered as not found. */
    default boolean canSeeOrg(long orgId) {
        Set<Long> visible = visibleOrgs();
        return visible == null || visible.contains(orgId);
    }

    /**
     * @param platformRole null for ordinary users
     * @param memberships  org id → role
     */
    record User(long id, String email, PlatformRole platformRole, Map<Long, OrgRole> memberships) implements Principal {
        public String name() { return email; }

        public boolean isPlatformAdmin() { return platformRole == PlatformRole.admin; }
    }

    /**
     * Robot login name is {@code <orgId>+<name>}, e.g. {@code 17532+ci}. {@code generation} tells this robot from an
     * earlier one of the same name (revoked, then created again): tokens carry it and are honoured only while the
     * robot still has it.
     */
    record Robot(long orgId, String robotName, long generation) implements Principal {
        public String name() { return orgId + "+" + robotName; }
    }
}
