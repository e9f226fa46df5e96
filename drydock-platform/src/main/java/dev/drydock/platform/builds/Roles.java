package dev.drydock.platform.builds;

import dev.drydock.platform.identity.Principal;

import java.util.EnumSet;
import java.util.Set;

/** Which {@link Actor} roles a principal holds towards an organization's adapters and builds. */
public final class Roles {
    private Roles() {}

    public static Set<Actor> of(Principal principal, long orgId) {
        Set<Actor> roles = EnumSet.noneOf(Actor.class);
        switch (principal) {
            case Principal.Robot r -> {
                if (r.orgId() == orgId) roles.add(Actor.owner);
            }
            case Principal.User u -> {
                if (u.memberships().containsKey(orgId)) roles.add(Actor.owner);
                if (u.platformRole() == Principal.PlatformRole.reviewer || u.isPlatformAdmin()) roles.add(Actor.reviewer);
            }
        }
        return roles;
    }
}
