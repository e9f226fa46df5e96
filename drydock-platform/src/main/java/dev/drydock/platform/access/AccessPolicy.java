package dev.drydock.platform.access;

import dev.drydock.platform.identity.Principal;
import dev.drydock.platform.identity.Principal.OrgRole;
import dev.drydock.registry.Names;
import dev.drydock.registry.RegistryException;
import dev.drydock.registry.auth.Access;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Who may do what to which repository. Repositories live under {@code <orgId>/}: members and robots of that
 * organization may pull and push; org admins may also delete. Platform admins may do everything, reviewers
 * and operators may pull everything. Nobody gets anything in another organization.
 */
public final class AccessPolicy {
    private AccessPolicy() {}

    /** The part of each requested access the principal holds (the intersection; empty accesses dropped). */
    public static List<Access> grant(Principal principal, List<Access> requested) {
        List<Access> granted = new ArrayList<>();
        for (Access want : requested) {
            Set<String> allowed = allowedActions(principal, want);
            Set<String> actions = new LinkedHashSet<>();
            for (String action : want.actions()) {
                if (allowed.contains(action) || (action.equals("*") && allowed.containsAll(Set.of(Access.PULL, Access.PUSH, Access.DELETE)))) {
                    actions.add(action);
                }
            }
            if (!actions.isEmpty()) granted.add(new Access(want.type(), want.name(), actions));
        }
        return granted;
    }

    private static Set<String> allowedActions(Principal principal, Access want) {
        if (want.type().equals("registry") && want.name().equals("catalog")) {
            return Set.of("*");
        }
        if (!want.type().equals("repository")) return Set.of();
        long org;
        try {
            org = Names.orgOf(Names.repository(want.name()));
        } catch (RegistryException e) {
            return Set.of();
        }
        return switch (principal) {
            case Principal.Robot r -> r.orgId() == org ? Set.of(Access.PULL, Access.PUSH) : Set.of();
            case Principal.User u -> {
                if (u.isPlatformAdmin()) yield Set.of(Access.PULL, Access.PUSH, Access.DELETE);
                OrgRole role = u.memberships().get(org);
                if (role == OrgRole.admin) yield Set.of(Access.PULL, Access.PUSH, Access.DELETE);
                if (role == OrgRole.developer) yield Set.of(Access.PULL, Access.PUSH);
                if (u.platformRole() != null) yield Set.of(Access.PULL);
                yield Set.of();
            }
        };
    }
}
