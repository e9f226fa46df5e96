package dev.drydock.scanner;

import dev.drydock.image.FileEntry;
import dev.drydock.image.FileInterest;
import dev.drydock.image.ImageException;
import dev.drydock.image.ImageFilesystem;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Test double: an {@link ImageFilesystem} whose layers are host directories, applied in order with OCI whiteouts
 * ({@code .wh.NAME} deletes NAME, {@code .wh..wh..opq} empties the directory). Only files the interest wants are
 * "kept" ({@code contentAvailable}), as the real layer pass does. Nothing is copied: bytes are read from the host
 * directory of the layer that last wrote the path.
 */
final class LayeredDirectoryFilesystem implements ImageFilesystem {
    private final TreeMap<String, FileEntry> entries = new TreeMap<>();
    private final Map<String, Path> hostFiles = new HashMap<>();
    private final Map<String, Integer> deleted = new HashMap<>();
    private final List<Long> sizes = new ArrayList<>();

    LayeredDirectoryFilesystem(List<Path> layers, List<String> createdBy, FileInterest interest) {
        for (int i = 0; i < layers.size(); i++) apply(i, layers.get(i), createdBy.get(i), interest);
    }

    static LayeredDirectoryFilesystem of(FileInterest interest, Path... layers) {
        List<String> steps = new ArrayList<>();
        for (int i = 0; i < layers.length; i++) steps.add("RUN step " + i);
        return new LayeredDirectoryFilesystem(List.of(layers), steps, interest);
    }

    private void apply(int layer, Path root, String createdBy, FileInterest interest) {
        long[] size = {0};
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk.sorted()::iterator) {
                if (p.equals(root)) continue;
                String rel = root.relativize(p).toString();
                String name = p.getFileName().toString();
                String parent = rel.contains("/") ? rel.substring(0, rel.lastIndexOf('/') + 1) : "";
                if (name.equals(".wh..wh..opq")) {
                    removeTree(parent.isEmpty() ? "" : parent.substring(0, parent.length() - 1), layer, false);
                    continue;
                }
                if (name.startsWith(".wh.")) {
                    removeTree(parent + name.substring(4), layer, true);
                    continue;
                }
                PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                FileEntry.Type type = a.isSymbolicLink() ? FileEntry.Type.SYMLINK
                        : a.isDirectory() ? FileEntry.Type.DIRECTORY : FileEntry.Type.FILE;
                String target = type == FileEntry.Type.SYMLINK ? Files.readSymbolicLink(p).toString() : null;
                boolean kept = type == FileEntry.Type.FILE && interest.wants(rel);
                int mode = a.permissions().stream().mapToInt(perm -> 1 << (8 - perm.ordinal())).sum();
                FileEntry previous = entries.get(rel);
                if (type != FileEntry.Type.DIRECTORY || (previous != null && previous.type() != FileEntry.Type.DIRECTORY)) {
                    removeTree(rel, layer, false);   // a later layer's non-directory replaces whatever was there
                }
                deleted.remove(rel);
                entries.put(rel, new FileEntry(rel, type, a.size(), mode, target, layer, createdBy, kept));
                if (kept) hostFiles.put(rel, p);
                if (type == FileEntry.Type.FILE) size[0] += a.size();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        sizes.add(size[0]);
    }

    private void removeTree(String path, int layer, boolean includingSelf) {
        String prefix = path.isEmpty() ? "" : path + "/";
        List<String> gone = new ArrayList<>(entries.subMap(prefix, prefix + Character.MAX_VALUE).keySet());
        if (includingSelf && entries.containsKey(path)) gone.add(path);
        for (String g : gone) {
            entries.remove(g);
            hostFiles.remove(g);
            if (includingSelf) deleted.put(g, layer);
        }
    }

    @Override
    public Optional<FileEntry> lookup(String path) {
        return Optional.ofNullable(entries.get(path));
    }

    @Override
    public Optional<FileEntry> resolve(String path) throws ImageException {
        String current = path;
        for (int hops = 0; hops <= 40; hops++) {
            // resolve symlinks in the directories first, then the last component
            String[] parts = current.split("/");
            StringBuilder walked = new StringBuilder();
            boolean changed = false;
            for (int i = 0; i < parts.length; i++) {
                String candidate = walked.isEmpty() ? parts[i] : walked + "/" + parts[i];
                FileEntry e = entries.get(candidate);
                if (e != null && e.type() == FileEntry.Type.SYMLINK) {
                    String target = e.linkTarget();
                    String base = target.startsWith("/") ? target.substring(1)
                            : (walked.isEmpty() ? target : walked + "/" + target);
                    String rest = String.join("/", List.of(parts).subList(i + 1, parts.length));
                    current = normalize(rest.isEmpty() ? base : base + "/" + rest);
                    changed = true;
                    break;
                }
                walked.setLength(0);
                walked.append(candidate);
            }
            if (!changed) return Optional.ofNullable(entries.get(current));
        }
        throw new ImageException("symlink chain longer than 40 at " + path);
    }

    private static String normalize(String path) {
        List<String> out = new ArrayList<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) continue;
            if (part.equals("..")) {
                if (!out.isEmpty()) out.removeLast();
            } else {
                out.add(part);
            }
        }
        return String.join("/", out);
    }

    @Override
    public Optional<Integer> deletedIn(String path) {
        return Optional.ofNullable(deleted.get(path));
    }

    @Override
    public List<FileEntry> list(String directory) {
        String prefix = directory.isEmpty() ? "" : directory + "/";
        return entries.subMap(prefix, prefix + Character.MAX_VALUE).values().stream()
                .filter(e -> e.path().indexOf('/', prefix.length()) < 0).toList();
    }

    @Override
    public List<FileEntry> entries() {
        return List.copyOf(entries.values());
    }

    @Override
    public InputStream open(FileEntry file) throws IOException {
        Path host = hostFiles.get(file.path());
        if (host == null) throw new IOException(file.path() + ": content not kept");
        return Files.newInputStream(host);
    }

    @Override
    public List<Long> layerSizes() {
        return List.copyOf(sizes);
    }

    @Override
    public void close() {}
}
