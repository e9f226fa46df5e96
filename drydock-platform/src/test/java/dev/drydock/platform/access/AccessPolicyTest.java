package dev.drydock.platform.access;

import dev.drydock.platform.identity.Principal;
import dev.drydock.platform.identity.Principal.OrgRole;
import dev.drydock.platform.identity.Principal.PlatformRole;
import dev.drydock.registry.auth.Access;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

class AccessPolicyTest {
    static final Map<String, Principal> PRINCIPALS = Map.ofEntries(
            Map.entry("platform-admin", new Principal.User(1, "root@example.com", PlatformRole.admin, Map.of())),
            Map.entry("reviewer", new Principal.User(2, "rev@example.com", PlatformRole.reviewer, Map.of())),
            Map.entry("operator", new Principal.User(3, "ops@example.com", PlatformRole.operator, Map.of())),
            Map.entry("reviewer-dev-1", new Principal.User(4, "rd@example.com", PlatformRole.reviewer, Map.of(1L, OrgRole.developer))),
            Map.entry("admin-1", new Principal.User(5, "a1@example.com", null, Map.of(1L, OrgRole.admin))),
            Map.entry("dev-1", new Principal.User(6, "d1@example.com", null, Map.of(1L, OrgRole.developer))),
            Map.entry("dev-1-admin-2", new Principal.User(7, "x@example.com", null, Map.of(1L, OrgRole.developer, 2L, OrgRole.admin))),
            Map.entry("nobody", new Principal.User(8, "n@example.com", null, Map.of())),
            Map.entry("robot-1", new Principal.Robot(1, "ci", 1)),
            Map.entry("robot-2", new Principal.Robot(2, "ci", 1)));

    static Set<String> granted(String who, String repository, String... actions) {
        List<Access> result = AccessPolicy.grant(PRINCIPALS.get(who), List.of(Access.repository(repository, actions)));
        assertThat(result).hasSizeLessThanOrEqualTo(1);
        return result.isEmpty() ? Set.of() : new TreeSet<>(result.getFirst().actions());
    }

    /** principal, repository, granted part of pull,push,delete ('-' = nothing). */
    @ParameterizedTest(name = "{0} on {1}: {2}")
    @CsvSource({
            "platform-admin, 1/app,      delete pull push",
            "platform-admin, 2/app/sub,  delete pull push",
            "reviewer,       1/app,      pull",
            "reviewer,       2/app,      pull",
            "operator,       1/app,      pull",
            "reviewer-dev-1, 1/app,      pull push",
            "reviewer-dev-1, 2/app,      pull",
            "admin-1,        1/app,      delete pull push",
            "admin-1,        1/a/b/c,    delete pull push",
            "admin-1,        2/app,      -",
            "admin-1,        12/app,     -",
            "dev-1,          1/app,      pull push",
            "dev-1,          2/app,      -",
            "dev-1,          11/app,     -",
            "dev-1-admin-2,  1/app,      pull push",
            "dev-1-admin-2,  2/app,      delete pull push",
            "dev-1-admin-2,  3/app,      -",
            "nobody,         1/app,      -",
            "robot-1,        1/app,      pull push",
            "robot-1,        1/app/deep, pull push",
            "robot-1,        2/app,      -",
            "robot-2,        2/app,      pull push",
            "robot-2,        1/app,      -",
    })
    void matrix(String who, String repository, String expected) {
        Set<String> want = expected.equals("-") ? Set.of() : new TreeSet<>(Arrays.asList(expected.split(" ")));
        assertThat(granted(who, repository, "pull", "push", "delete")).isEqualTo(want);
        // Each action asked alone gets the same answer.
        for (String action : List.of("pull", "push", "delete")) {
            assertThat(granted(who, repository, action)).isEqualTo(want.contains(action) ? Set.of(action) : Set.of());
        }
    }

    @ParameterizedTest
    @CsvSource({
            "platform-admin, 1/app, true",
            "admin-1,        1/app, true",
            "admin-1,        2/app, false",
            "dev-1,          1/app, false",
            "robot-1,        1/app, false",
            "reviewer,       1/app, false",
    })
    void wildcardNeedsEveryAction(String who, String repository, boolean allowed) {
        assertThat(granted(who, repository, "*")).isEqualTo(allowed ? Set.of("*") : Set.of());
    }

    @Test
    void everyoneMayAskForTheCatalog() {
        for (Principal p : PRINCIPALS.values()) {
            assertThat(AccessPolicy.grant(p, List.of(Access.catalog()))).as(p.name()).containsExactly(Access.catalog());
        }
    }

    @Test
    void catalogGrantsOnlyTheWildcard() {
        Principal admin = PRINCIPALS.get("platform-admin");
        assertThat(AccessPolicy.grant(admin, List.of(new Access("registry", "catalog", Set.of("pull", "*")))))
                .containsExactly(Access.catalog());
        assertThat(AccessPolicy.grant(admin, List.of(new Access("registry", "other", Set.of("*"))))).isEmpty();
    }

    @Test
    void visibleOrgs() {
        assertThat(PRINCIPALS.get("platform-admin").visibleOrgs()).isNull();
        assertThat(PRINCIPALS.get("reviewer").visibleOrgs()).isNull();
        assertThat(PRINCIPALS.get("operator").visibleOrgs()).isNull();
        assertThat(PRINCIPALS.get("dev-1-admin-2").visibleOrgs()).containsExactlyInAnyOrder(1L, 2L);
        assertThat(PRINCIPALS.get("nobody").visibleOrgs()).isEmpty();
        assertThat(PRINCIPALS.get("robot-2").visibleOrgs()).containsExactly(2L);
    }

    /** The one rule behind org pages, adapters, builds, event streams and the catalog. */
    @Test
    void canSeeOrgFollowsVisibleOrgs() {
        for (Principal p : PRINCIPALS.values()) {
            for (long org : List.of(1L, 2L, 3L)) {
                assertThat(p.canSeeOrg(org)).as(p + " org " + org).isEqualTo(p.visibleOrgs() == null || p.visibleOrgs().contains(org));
            }
        }
        assertThat(PRINCIPALS.get("reviewer").canSeeOrg(3)).isTrue();
        assertThat(PRINCIPALS.get("dev-1-admin-2").canSeeOrg(3)).isFalse();
        assertThat(PRINCIPALS.get("robot-2").canSeeOrg(1)).isFalse();
        assertThat(PRINCIPALS.get("nobody").canSeeOrg(1)).isFalse();
    }

    @Test
    void invalidNamesAndUnknownTypesGetNothing() {
        for (Principal p : List.of(PRINCIPALS.get("platform-admin"), PRINCIPALS.get("admin-1"))) {
            assertThat(AccessPolicy.grant(p, List.of(
                    Access.repository("app", "pull"),               // no org prefix
                    Access.repository("1/App", "pull"),             // upper case
                    Access.repository("localhost:5000/1/app", "pull"),
                    Access.repository("01/app", "pull"),
                    new Access("repository", "1", Set.of("pull")),
                    new Access("plugin", "1/app", Set.of("pull")),
                    new Access("REPOSITORY", "1/app", Set.of("pull"))))).as(p.name()).isEmpty();
        }
    }

    @Test
    void unknownActionsAreDropped() {
        assertThat(AccessPolicy.grant(PRINCIPALS.get("platform-admin"),
                List.of(new Access("repository", "1/app", Set.of("pull", "fly", "PUSH")))))
                .containsExactly(Access.repository("1/app", "pull"));
    }

    @Test
    void grantsEachRequestedScopeSeparatelyAndDropsEmptyOnes() {
        List<Access> granted = AccessPolicy.grant(PRINCIPALS.get("dev-1"), List.of(
                Access.repository("1/app", "pull", "push"),
                Access.repository("2/app", "pull"),
                Access.repository("1/other", "delete", "pull"),
                Access.catalog()));
        assertThat(granted).containsExactly(
                Access.repository("1/app", "pull", "push"),
                Access.repository("1/other", "pull"),
                Access.catalog());
    }

    @Test
    void nothingRequestedNothingGranted() {
        assertThat(AccessPolicy.grant(PRINCIPALS.get("platform-admin"), List.of())).isEmpty();
    }
}
