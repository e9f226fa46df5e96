package dev.drydock.registry;

import dev.drydock.oci.Digest;
import dev.drydock.oci.InvalidDigestException;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * Repository names, tags and digests as clients send them, each rejected with its spec error code. The spec's
 * name grammar, plus Drydock's rule that every repository lives under a numeric organization id:
 * {@code <orgId>/<name>[/<name>…]}.
 */
public final class Names {
    private static final String COMPONENT = "[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*";
    private static final Pattern NAME = Pattern.compile(COMPONENT + "(?:/" + COMPONENT + ")*");
    private static final Pattern TAG = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}");
    private static final Pattern ORG = Pattern.compile("[1-9][0-9]{0,17}");
    public static final int MAX_NAME_LENGTH = 255;

    private Names() {}

    /** Validates a repository name and returns it; throws NAME_INVALID naming the rule it broke. */
    public static String repository(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME_LENGTH || !NAME.matcher(name).matches()) {
            throw new RegistryException(ErrorCode.NAME_INVALID,
                    "invalid repository name '" + truncate(name) + "': use lowercase letters, digits and separators "
                            + "(. _ __ -) in components joined by '/', at most " + MAX_NAME_LENGTH + " characters",
                    Map.of("name", truncate(name)));
        }
        int slash = name.indexOf('/');
        if (slash < 0 || !ORG.matcher(name.substring(0, slash)).matches()) {
            throw new RegistryException(ErrorCode.NAME_INVALID,
                    "invalid repository name '" + name + "': repositories live under your organization id, "
                            + "e.g. 17532/my-adapter",
                    Map.of("name", name));
        }
        return name;
    }

    /** The organization id a (valid) repository name lives under. */
    public static long orgOf(String repository) {
        return Long.parseLong(repository.substring(0, repository.indexOf('/')));
    }

    public static boolean isValidTag(String tag) {
        return tag != null && TAG.matcher(tag).matches();
    }

    public static String tag(String tag) {
        if (!isValidTag(tag)) {
            throw new RegistryException(ErrorCode.MANIFEST_INVALID,
                    "invalid tag '" + truncate(tag) + "': a tag is 1-128 characters of letters, digits, '_', '.' "
                            + "and '-', not starting with '.' or '-'",
                    Map.of("tag", truncate(tag)));
        }
        return tag;
    }

    /** Parses a digest a client sent (in a path or query); throws DIGEST_INVALID with {@link Digest#parse}'s message. */
    public static Digest digest(String value) {
        try {
            return Digest.parse(value);
        } catch (InvalidDigestException e) {
            throw new RegistryException(ErrorCode.DIGEST_INVALID, e.getMessage());
        }
    }

    private static String truncate(String s) {
        if (s == null) return "";
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }
}
