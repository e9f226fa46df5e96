package dev.drydock.scanner.versions;

import java.util.Locale;
import java.util.Optional;

/** The version comparator of each OSV ecosystem name (and of our own package kinds). */
public final class Versions {
    private Versions() {}

    /**
     * The comparator for an OSV ecosystem (the part before {@code :}, e.g. {@code Debian:12} → dpkg), or empty for
     * an ecosystem we cannot order (its advisories are kept but only matched by exact version lists).
     */
    public static Optional<VersionComparator> forEcosystem(String ecosystem) {
        String base = ecosystem.contains(":") ? ecosystem.substring(0, ecosystem.indexOf(':')) : ecosystem;
        return Optional.ofNullable(switch (base.toLowerCase(Locale.ROOT)) {
            case "debian", "ubuntu", "dpkg" -> DpkgVersion.INSTANCE;
            case "alpine", "apk", "wolfi", "chainguard" -> ApkVersion.INSTANCE;
            case "red hat", "rocky linux", "almalinux", "opensuse", "suse", "rpm", "centos", "oracle", "mageia" ->
                    RpmVersion.INSTANCE;
            case "maven" -> MavenVersion.INSTANCE;
            case "pypi" -> Pep440Version.INSTANCE;
            case "npm", "go", "crates.io", "packagist", "nuget", "hex", "pub", "semver" -> SemVer.INSTANCE;
            default -> null;
        });
    }
}
