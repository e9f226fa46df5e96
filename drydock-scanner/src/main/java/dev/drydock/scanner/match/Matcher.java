package dev.drydock.scanner.match;

import dev.drydock.scanner.Distro;
import dev.drydock.scanner.ImageInventory;
import dev.drydock.scanner.InstalledPackage;
import dev.drydock.scanner.advisory.Advisory;
import dev.drydock.scanner.advisory.AdvisoryIndex;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Matches an image's packages against an {@link AdvisoryIndex}: OS packages by their source package name and
 * version (what distribution advisories name), language packages by their own. One finding per vulnerability,
 * package and file: when several advisories name the same CVE for the same package (a GHSA and the CVE record), the
 * most severe is kept.
 */
public final class Matcher {
    /** Where the matcher looks packages up: an index, or a cache in front of one ({@link #cached}). */
    @FunctionalInterface
    public interface Lookup {
        List<AdvisoryIndex.Hit> affecting(String ecosystem, String name, String version);
    }

    private final Lookup index;

    public Matcher(AdvisoryIndex index) {
        this(index::affecting);
    }

    public Matcher(Lookup lookup) {
        this.index = lookup;
    }

    /**
     * A lookup that remembers the index's answers, for matching many images that share packages (re-matching every
     * released build's SBOM after an import). Not thread-safe; at most {@code maxEntries} answers are kept (then it
     * starts over), so memory stays bounded however many distinct packages pass.
     */
    public static Lookup cached(AdvisoryIndex index, int maxEntries) {
        Map<String, List<AdvisoryIndex.Hit>> cache = new java.util.HashMap<>();
        return (ecosystem, name, version) -> {
            String key = ecosystem + '\u0000' + name + '\u0000' + version;
            List<AdvisoryIndex.Hit> hits = cache.get(key);
            if (hits == null) {
                if (cache.size() >= maxEntries) cache.clear();
                hits = List.copyOf(index.affecting(ecosystem, name, version));
                cache.put(key, hits);
            }
            return hits;
        };
    }

    /** Findings ordered by severity (highest first), then name, package and path. */
    public List<Finding> match(ImageInventory inventory, List<String> layerDigests) {
        String osNamespace = inventory.distro().map(Distro::namespace).orElse(null);
        Map<String, Finding> unique = new LinkedHashMap<>();
        for (InstalledPackage p : inventory.packages()) {
            boolean os = osNamespace != null && p.ecosystem().equals(inventory.distro().get().osvEcosystem());
            String name = os ? p.sourceName() : p.name();
            String version = os ? p.sourceVersion() : p.version();
            for (AdvisoryIndex.Hit hit : index.affecting(p.ecosystem(), name, version)) {
                Finding f = finding(hit, p, os ? osNamespace : p.ecosystem().toLowerCase(Locale.ROOT), layerDigests);
                unique.merge(f.name() + "\u0000" + p.name() + "\u0000" + p.version() + "\u0000" + p.path(), f,
                        (a, b) -> b.severity().compareTo(a.severity()) > 0 ? b : a);
            }
        }
        List<Finding> out = new ArrayList<>(unique.values());
        out.sort(Comparator.comparing(Finding::severity).reversed().thenComparing(Finding::name)
                .thenComparing(Finding::featureName).thenComparing(Finding::path));
        return out;
    }

    private static Finding finding(AdvisoryIndex.Hit hit, InstalledPackage p, String namespace, List<String> layerDigests) {
        Advisory a = hit.advisory();
        String name = a.id().startsWith("CVE-") ? a.id()
                : a.aliases().stream().filter(x -> x.startsWith("CVE-")).findFirst().orElse(a.id());
        OptionalDouble v3 = Cvss.v3(a.cvssV3()), v2 = Cvss.v2(a.cvssV2());
        Severity severity = Severity.fromVendor(hit.affected().severity())
                .or(() -> Severity.fromVendor(a.severity()))
                .orElseGet(() -> v3.isPresent() ? Severity.fromScore(v3.getAsDouble())
                        : v2.isPresent() ? Severity.fromScore(v2.getAsDouble()) : Severity.Unknown);
        Finding.Nvd nvd = new Finding.Nvd(
                v2.isPresent() ? new Finding.Score(v2.getAsDouble(), a.cvssV2().replaceFirst("^CVSS:2\\.0/", "")) : null,
                v3.isPresent() ? new Finding.Score(v3.getAsDouble(), a.cvssV3()) : null);
        String description = !a.details().isBlank() ? a.details() : a.summary();
        String addedBy = p.layer() >= 0 && p.layer() < layerDigests.size() ? layerDigests.get(p.layer()) : null;
        return new Finding(name, namespace, description, link(name, namespace, a), severity,
                new Finding.Metadata(nvd), hit.fixedBy() == null ? "" : hit.fixedBy(), p.name(), p.version(), addedBy,
                p.createdBy(), p.path(), a.id(), null);
    }

    /** The distribution's tracker page for a CVE in an OS namespace, else the record's advisory link, else osv.dev. */
    static String link(String name, String namespace, Advisory a) {
        if (name.startsWith("CVE-")) {
            if (namespace.startsWith("debian:")) return "https://security-tracker.debian.org/tracker/" + name;
            if (namespace.startsWith("ubuntu:")) return "https://ubuntu.com/security/" + name;
            if (namespace.startsWith("alpine:")) return "https://security.alpinelinux.org/vuln/" + name;
        }
        if (!a.references().isEmpty()) return a.references().getFirst();
        return "https://osv.dev/vulnerability/" + a.id();
    }
}
