package dev.drydock.image;

import java.util.ArrayList;
import java.util.List;

/** Image-relative paths: no leading slash, no {@code .} or empty components, {@code ""} for the root. */
final class ImagePaths {
    private ImagePaths() {}

    /**
     * The normalized form of a tar entry name or link target. A leading {@code /} means the image root (Docker
     * extracts {@code /etc/x} as {@code etc/x}); a {@code ..} that climbs above the root returns null, which the
     * caller reports as an escape.
     */
    static String normalize(String name) {
        List<String> parts = new ArrayList<>();
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".")) continue;
            if (part.equals("..")) {
                if (parts.isEmpty()) return null;
                parts.removeLast();
            } else {
                parts.add(part);
            }
        }
        return String.join("/", parts);
    }

    /** Like {@link #normalize} but {@code ..} stops at the root, as inside a chroot: for resolving symlinks and lookups. */
    static List<String> components(String name) {
        List<String> parts = new ArrayList<>();
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".")) continue;
            if (part.equals("..")) {
                if (!parts.isEmpty()) parts.removeLast();
            } else {
                parts.add(part);
            }
        }
        return parts;
    }

    /** The components of a path as written, {@code ..} included, for resolving step by step. */
    static List<String> split(String name) {
        List<String> parts = new ArrayList<>();
        for (String part : name.split("/")) if (!part.isEmpty() && !part.equals(".")) parts.add(part);
        return parts;
    }

    static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? "" : path.substring(0, slash);
    }

    static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    static String child(String directory, String name) {
        return directory.isEmpty() ? name : directory + "/" + name;
    }

    static int depth(String path) {
        if (path.isEmpty()) return 0;
        int depth = 1;
        for (int i = 0; i < path.length(); i++) if (path.charAt(i) == '/') depth++;
        return depth;
    }

    /** A name short enough to quote in a message. */
    static String quote(String name) {
        return "'" + (name.length() <= 200 ? name : name.substring(0, 200) + "…") + "'";
    }

    static String bytes(long count) {
        if (count >= 1L << 30 && count % (1L << 30) == 0) return (count >> 30) + " GiB";
        if (count >= 1L << 20 && count % (1L << 20) == 0) return (count >> 20) + " MiB";
        if (count >= 1L << 10 && count % (1L << 10) == 0) return (count >> 10) + " KiB";
        return count + " bytes";
    }
}
