package dev.drydock.scanner;

import dev.drydock.image.FileEntry;
import dev.drydock.image.ImageException;
import dev.drydock.image.ImageFilesystem;
import dev.drydock.scanner.inventory.BoundedText;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Works out the image's operating system from {@code etc/os-release}, else {@code usr/lib/os-release} (symlinks
 * followed inside the image), else the distribution files {@code etc/alpine-release}, {@code etc/debian_version},
 * {@code etc/redhat-release} / {@code etc/centos-release}.
 */
public final class OsDetector {
    static final List<String> FILES = List.of("etc/os-release", "usr/lib/os-release", "etc/alpine-release",
            "etc/debian_version", "etc/redhat-release", "etc/centos-release");
    private static final int MAX_BYTES = 64 * 1024;
    private static final Pattern RELEASE_NUMBER = Pattern.compile("release (\\d+)(?:\\.(\\d+))?");

    private OsDetector() {}

    /** The distribution, or empty for an image without one (scratch, distroless static). */
    public static Optional<Distro> detect(ImageFilesystem fs, List<ScanProblem> problems) {
        for (String path : FILES) {
            Optional<String> text = read(fs, path, problems);
            if (text.isEmpty()) continue;
            Optional<Distro> distro = switch (path) {
                case "etc/os-release", "usr/lib/os-release" -> fromOsRelease(parseOsRelease(text.get()), path);
                case "etc/alpine-release" -> Optional.of(of("alpine", text.get().strip(), "Alpine Linux " + text.get().strip(), path));
                case "etc/debian_version" -> Optional.of(of("debian", text.get().strip(), "Debian " + text.get().strip(), path));
                default -> fromRedHatRelease(text.get().strip(), path);
            };
            if (distro.isPresent()) return distro;
        }
        return Optional.empty();
    }

    private static Optional<String> read(ImageFilesystem fs, String path, List<ScanProblem> problems) {
        try {
            Optional<FileEntry> entry = fs.resolve(path);
            if (entry.isEmpty() || entry.get().type() != FileEntry.Type.FILE) return Optional.empty();
            if (!entry.get().contentAvailable()) {
                problems.add(new ScanProblem(path, ScanProblem.notKept(fs, entry.get().path(), "OS not detected from it").message()));
                return Optional.empty();
            }
            return Optional.of(BoundedText.read(fs, entry.get(), MAX_BYTES));
        } catch (ImageException | IOException e) {
            problems.add(new ScanProblem(path, "unreadable (" + e.getMessage() + "); OS not detected from it"));
            return Optional.empty();
        }
    }

    /** os-release(5): {@code KEY=value} lines, values optionally quoted with shell-like escapes. */
    public static Map<String, String> parseOsRelease(String text) {
        Map<String, String> out = new HashMap<>();
        for (String line : text.split("\n")) {
            line = line.strip();
            int eq = line.indexOf('=');
            if (line.startsWith("#") || eq <= 0) continue;
            String value = line.substring(eq + 1).strip();
            if (value.length() >= 2 && (value.charAt(0) == '"' || value.charAt(0) == '\'')
                    && value.charAt(value.length() - 1) == value.charAt(0)) {
                value = value.substring(1, value.length() - 1).replaceAll("\\\\(.)", "$1");
            }
            out.put(line.substring(0, eq).strip(), value);
        }
        return out;
    }

    private static Optional<Distro> fromOsRelease(Map<String, String> kv, String path) {
        String id = kv.getOrDefault("ID", "").toLowerCase(Locale.ROOT);
        if (id.isEmpty()) return Optional.empty();
        String version = kv.getOrDefault("VERSION_ID", "");
        if (version.isEmpty() && id.equals("debian")) {
            version = kv.getOrDefault("VERSION_CODENAME", "unstable");   // testing and sid have no VERSION_ID
        }
        return Optional.of(of(id, version, kv.getOrDefault("PRETTY_NAME", id + " " + version), path));
    }

    private static Optional<Distro> fromRedHatRelease(String text, String path) {
        // "CentOS Linux release 7.9.2009 (Core)", "Red Hat Enterprise Linux release 8.9 (Ootpa)"
        Matcher m = RELEASE_NUMBER.matcher(text);
        if (!m.find()) return Optional.empty();
        String lower = text.toLowerCase(Locale.ROOT);
        String id = lower.startsWith("centos") ? "centos" : lower.startsWith("rocky") ? "rocky"
                : lower.startsWith("almalinux") ? "almalinux" : lower.startsWith("fedora") ? "fedora" : "rhel";
        return Optional.of(of(id, m.group(1) + (m.group(2) == null ? "" : "." + m.group(2)), text, path));
    }

    /** Builds the namespace and OSV ecosystem the way Clair and OSV name each distribution's releases. */
    static Distro of(String id, String versionId, String pretty, String path) {
        String major = versionId.contains(".") ? versionId.substring(0, versionId.indexOf('.')) : versionId;
        String namespace;
        String osv;
        switch (id) {
            case "debian" -> {
                String v = major.chars().allMatch(Character::isDigit) ? major : "unstable";
                if (versionId.contains("/")) v = "unstable";   // debian_version "trixie/sid"
                namespace = "debian:" + v;
                osv = "Debian:" + v;
            }
            case "alpine" -> {
                String[] parts = versionId.split("\\.");
                String minor = parts.length >= 2 ? "v" + parts[0] + "." + parts[1] : "edge";
                namespace = "alpine:" + minor;
                osv = "Alpine:" + minor;
            }
            case "ubuntu" -> {
                namespace = "ubuntu:" + versionId;
                osv = "Ubuntu:" + versionId;
            }
            case "centos", "rhel", "rocky", "almalinux", "ol", "amzn", "fedora" -> {
                namespace = id + ":" + major;
                osv = switch (id) {
                    case "rocky" -> "Rocky Linux:" + major;
                    case "almalinux" -> "AlmaLinux:" + major;
                    case "rhel" -> "Red Hat:" + major;
                    default -> null;
                };
            }
            default -> {
                namespace = id + ":" + versionId;
                osv = null;
            }
        }
        return new Distro(id, versionId, namespace, osv, pretty, path);
    }
}
