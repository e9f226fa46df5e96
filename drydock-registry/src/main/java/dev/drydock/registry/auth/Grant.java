package dev.drydock.registry.auth;

import java.util.List;
import java.util.Set;

/**
 * What an authenticated caller may do on this request.
 *
 * @param actor       who is acting (user e-mail or robot name), recorded in events
 * @param access      the granted accesses
 * @param visibleOrgs organizations whose repositories the caller may list; {@code null} means all
 */
public record Grant(String actor, List<Access> access, Set<Long> visibleOrgs) {

    public boolean allows(String type, String name, String action) {
        for (Access a : access) {
            if (a.type().equals(type) && a.name().equals(name)
                    && (a.actions().contains(action) || a.actions().contains("*"))) {
                return true;
            }
        }
        return false;
    }

    public boolean canSeeOrg(long org) {
        return visibleOrgs == null || visibleOrgs.contains(org);
    }
}
