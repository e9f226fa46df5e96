package dev.drydock.registry.auth;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One requested or granted access, as in a token scope: {@code repository:17532/my-adapter:pull,push} or
 * {@code registry:catalog:*}.
 */
public record Access(String type, String name, Set<String> actions) {
    public static final String PULL = "pull";
    public static final String PUSH = "push";
    public static final String DELETE = "delete";

    public Access {
        actions = Set.copyOf(actions);
    }

    public static Access repository(String name, String... actions) {
        return new Access("repository", name, new LinkedHashSet<>(List.of(actions)));
    }

    public static Access catalog() {
        return new Access("registry", "catalog", Set.of("*"));
    }

    /** Parses scope strings (space-separated, possibly repeated); malformed entries are ignored. */
    public static List<Access> parseScopes(List<String> scopes) {
        List<Access> result = new ArrayList<>();
        for (String param : scopes) {
            for (String scope : param.trim().split(" +")) {
                int first = scope.indexOf(':');
                int last = scope.lastIndexOf(':');
                if (first <= 0 || last == first) continue;
                String type = scope.substring(0, first);
                int paren = type.indexOf('(');
                if (paren > 0) type = type.substring(0, paren); // "repository(plugin)" -> "repository"
                String name = scope.substring(first + 1, last);
                Set<String> actions = new LinkedHashSet<>();
                for (String a : scope.substring(last + 1).split(",")) {
                    if (!a.isBlank()) actions.add(a.trim());
                }
                if (!name.isEmpty() && !actions.isEmpty()) result.add(new Access(type, name, actions));
            }
        }
        return result;
    }

    /** Scope string form, with actions in a stable order. */
    public String scope() {
        return type + ":" + name + ":" + String.join(",", actions.stream().sorted().toList());
    }
}
