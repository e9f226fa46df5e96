package dev.drydock.registry.auth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class AccessTest {

    private static List<Access> parse(String... params) {
        return Access.parseScopes(List.of(params));
    }

    @Test
    void parsesOneScope() {
        assertThat(parse("repository:17532/app:pull,push"))
                .containsExactly(new Access("repository", "17532/app", Set.of("pull", "push")));
    }

    @Test
    void parsesSeveralSpaceSeparatedScopesInOneParameter() {
        assertThat(parse("repository:1/a:pull repository:1/b:push,pull   registry:catalog:*"))
                .containsExactly(
                        new Access("repository", "1/a", Set.of("pull")),
                        new Access("repository", "1/b", Set.of("pull", "push")),
                        new Access("registry", "catalog", Set.of("*")));
    }

    @Test
    void parsesRepeatedParameters() {
        assertThat(parse("repository:1/a:pull", "repository:1/b:push", "registry:catalog:*"))
                .containsExactly(
                        new Access("repository", "1/a", Set.of("pull")),
                        new Access("repository", "1/b", Set.of("push")),
                        Access.catalog());
    }

    @Test
    void keepsEachScopeOfTheSameRepositorySeparately() {
        // Docker asks "pull" for the source and "pull,push" for the target when mounting; both are kept.
        assertThat(parse("repository:1/a:pull", "repository:1/a:push"))
                .containsExactly(Access.repository("1/a", "pull"), Access.repository("1/a", "push"));
    }

    @Test
    void resourceClassInParenthesesIsDropped() {
        assertThat(parse("repository(plugin):1/a:pull"))
                .containsExactly(new Access("repository", "1/a", Set.of("pull")));
    }

    @Test
    void trimsSurroundingWhitespaceAndBlankActions() {
        assertThat(parse("  repository:1/a:pull,,push,  "))
                .containsExactly(new Access("repository", "1/a", Set.of("pull", "push")));
    }

    @Test
    void duplicateActionsCollapse() {
        assertThat(parse("repository:1/a:pull,pull")).singleElement()
                .satisfies(a -> assertThat(a.actions()).containsExactly("pull"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "   ",
            "repository",
            "repository:1/a",         // no actions part
            ":1/a:pull",              // empty type
            "repository::pull",       // empty name
            "repository:1/a:",        // empty actions
            "repository:1/a:,,",      // only separators
            "::",
            ":",
    })
    void malformedEntriesAreIgnored(String scope) {
        assertThat(parse(scope)).isEmpty();
        // ... without affecting well-formed neighbours.
        assertThat(parse("repository:1/ok:pull " + scope, scope))
                .containsExactly(new Access("repository", "1/ok", Set.of("pull")));
    }

    @Test
    void nameIsEverythingBetweenTheFirstAndLastColon() {
        // Names with colons (host:port prefixes) are not expected; the last-colon rule still parses them
        // predictably, and the access policy then rejects the name as invalid.
        assertThat(parse("repository:localhost:5000/1/a:pull"))
                .containsExactly(new Access("repository", "localhost:5000/1/a", Set.of("pull")));
        assertThat(parse("repository:1/a:b:push"))
                .containsExactly(new Access("repository", "1/a:b", Set.of("push")));
    }

    @Test
    void scopeStringSortsActions() {
        assertThat(Access.repository("1/a", "push", "pull", "delete").scope()).isEqualTo("repository:1/a:delete,pull,push");
        assertThat(Access.catalog().scope()).isEqualTo("registry:catalog:*");
    }

    @Test
    void scopeRoundTripsThroughParse() {
        Access access = Access.repository("17532/app", "push", "pull");
        assertThat(Access.parseScopes(List.of(access.scope()))).containsExactly(access);
    }

    @Test
    void actionsAreImmutableCopies() {
        var actions = new java.util.HashSet<>(Set.of("pull"));
        Access access = new Access("repository", "1/a", actions);
        actions.add("push");
        assertThat(access.actions()).containsExactly("pull");
    }

    @Test
    void grantAllowsOnlyGrantedActions() {
        Grant grant = new Grant("dev@example.com",
                List.of(Access.repository("1/a", "pull"), new Access("repository", "1/b", Set.of("*")), Access.catalog()),
                Set.of(1L));
        assertThat(grant.allows("repository", "1/a", "pull")).isTrue();
        assertThat(grant.allows("repository", "1/a", "push")).isFalse();
        assertThat(grant.allows("repository", "1/b", "delete")).isTrue();
        assertThat(grant.allows("repository", "1/c", "pull")).isFalse();
        assertThat(grant.allows("registry", "catalog", "*")).isTrue();
        assertThat(grant.allows("registry", "1/a", "pull")).isFalse();
        assertThat(grant.canSeeOrg(1)).isTrue();
        assertThat(grant.canSeeOrg(2)).isFalse();
        assertThat(new Grant("admin", List.of(), null).canSeeOrg(2)).isTrue();
    }
}
