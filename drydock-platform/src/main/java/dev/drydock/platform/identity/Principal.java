package dev.drydock.platform.identity;

import java.util.Map;

/** Who is calling: a user (by e-mail) or an organization's robot. */
public sealed interface Principal {

    /** The name used as token subject and in audit records. */
    String name();

    /** Organization roles of a user. */
    enum OrgRole { developer, admin }

    /** Platform-wide roles. */
    enum PlatformRole { admin, reviewer, operator }

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
