package dev.drydock.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The image's filesystem as the layers, applied in order, leave it: an index of every path (kept in a sorted map,
 * so a directory's subtree is one contiguous range) plus the kept bytes of wanted files in the pass directory.
 * Built by {@link LayerPass}; nothing here touches the host filesystem except that directory.
 */
public final class FlattenedFilesystem implements ImageFilesystem {
    static final int MAX_LINKS = 40;
    private static final int IMPLICIT_DIRECTORY_MODE = 0755;

    /** {@code linked} is a hardlink's target as the link was made: the same inode while the target is not replaced. */
    private record Node(FileEntry entry, Path content, Node linked) {}

    private final List<ResolvedImage.Layer> layers;
    private final Path directory;
    private final TreeMap<String, Node> nodes = new TreeMap<>();
    private final Map<String, Integer> deleted = new HashMap<>();
    private final TreeMap<String, String> notKept = new TreeMap<>();
    private final List<Long> layerSizes = new ArrayList<>();

    FlattenedFilesystem(List<ResolvedImage.Layer> layers, Path directory) {
        this.layers = layers;
        this.directory = directory;
    }

    /** Applies the next layer: its whiteouts hide only what lower layers wrote, so they go first. */
    void apply(LayerChanges changes) {
        int layer = changes.layer();
        for (LayerChanges.Change change : changes.changes()) {
            switch (change) {
                case LayerChanges.Whiteout w -> remove(w.path(), layer, true);
                case LayerChanges.Opaque o -> remove(o.directory(), layer, false);
                case LayerChanges.Put p -> { }
            }
        }
        for (LayerChanges.Change change : changes.changes()) {
            if (change instanceof LayerChanges.Put put) {
                put(put.entry(), put.content());
                if (put.notKept() != null) notKept.put(put.entry().path(), put.notKept());
            }
        }
        layerSizes.add(changes.decompressedBytes());
    }

    private void put(FileEntry entry, Path content) {
        String path = entry.path();
        addMissingParents(entry);
        Node existing = nodes.get(path);
        // A directory replaced by anything else takes its subtree with it, as when a runtime extracts the layer.
        if (existing != null && existing.entry().type() == FileEntry.Type.DIRECTORY && entry.type() != FileEntry.Type.DIRECTORY) {
            remove(path, entry.layer(), false);
        }
        Node target = null;
        if (entry.type() == FileEntry.Type.HARDLINK) {
            // A hardlink shares the target's inode as it is at this point of the stream.
            target = nodes.get(entry.linkTarget());
            content = target == null ? null : target.content();
            long size = target == null ? 0 : target.entry().size();
            entry = new FileEntry(path, entry.type(), size, target == null ? entry.mode() : target.entry().mode(),
                    entry.linkTarget(), entry.layer(), entry.createdBy(), content != null);
        }
        nodes.put(path, new Node(entry, content, target));
        deleted.remove(path);
        notKept.remove(path);
    }

    /**
     * Creates the directories above an entry that no entry created, as extraction does. A regular file or device
     * in the way becomes a directory; a symlink in the way stays (the entry keeps its literal path).
     */
    private void addMissingParents(FileEntry entry) {
        String parent = ImagePaths.parent(entry.path());
        List<String> missing = new ArrayList<>();
        while (!parent.isEmpty()) {
            Node existing = nodes.get(parent);
            if (existing != null && (existing.entry().type() == FileEntry.Type.DIRECTORY
                    || existing.entry().type() == FileEntry.Type.SYMLINK)) {
                break;
            }
            missing.add(parent);
            parent = ImagePaths.parent(parent);
        }
        for (String path : missing) {
            nodes.put(path, new Node(new FileEntry(path, FileEntry.Type.DIRECTORY, 0, IMPLICIT_DIRECTORY_MODE, null,
                    entry.layer(), entry.createdBy(), false), null, null));
            deleted.remove(path);
        }
    }

    private void remove(String path, int layer, boolean includingItself) {
        if (includingItself && nodes.remove(path) != null) deleted.put(path, layer);
        if (includingItself) notKept.remove(path);
        NavigableMap<String, Node> subtree = path.isEmpty() ? nodes : nodes.subMap(path + "/", true, path + "0", false);
        for (String child : subtree.keySet()) deleted.put(child, layer);
        subtree.clear();
        (path.isEmpty() ? notKept : notKept.subMap(path + "/", true, path + "0", false)).clear();
    }

    @Override
    public Optional<FileEntry> lookup(String path) {
        Node node = nodes.get(String.join("/", ImagePaths.components(path)));
        return node == null ? Optional.empty() : Optional.of(node.entry());
    }

    @Override
    public Optional<FileEntry> resolve(String path) throws ImageException {
        // ".." stays a component: it climbs from wherever the symlinks before it led, not lexically.
        Deque<String> remaining = new ArrayDeque<>(ImagePaths.split(path));
        List<String> resolved = new ArrayList<>();
        int links = 0;
        while (!remaining.isEmpty()) {
            String component = remaining.removeFirst();
            if (component.equals("..")) {
                if (!resolved.isEmpty()) resolved.removeLast(); // the root's parent is the root, as in a chroot
                continue;
            }
            resolved.add(component);
            Node node = nodes.get(String.join("/", resolved));
            if (node == null) return Optional.empty();
            FileEntry entry = node.entry();
            if (entry.type() == FileEntry.Type.SYMLINK) {
                if (++links > MAX_LINKS) throw tooManyLinks(path, entry);
                resolved.removeLast();
                String target = entry.linkTarget();
                if (target.startsWith("/")) resolved.clear();
                List<String> targetParts = ImagePaths.split(target);
                for (int i = targetParts.size() - 1; i >= 0; i--) remaining.addFirst(targetParts.get(i));
            } else if (!remaining.isEmpty() && entry.type() != FileEntry.Type.DIRECTORY) {
                return Optional.empty(); // a file used as a directory
            }
        }
        if (resolved.isEmpty()) {
            return Optional.of(new FileEntry("", FileEntry.Type.DIRECTORY, 0, 0755, null, 0, null, false));
        }
        Node node = nodes.get(String.join("/", resolved));
        // Once the target path was replaced or deleted, the link alone still names the old inode.
        if (node.linked() != null && nodes.get(node.entry().linkTarget()) == node.linked()) {
            return Optional.of(node.linked().entry());
        }
        return Optional.of(node.entry());
    }

    private ImageException tooManyLinks(String path, FileEntry link) {
        ResolvedImage.Layer layer = layers.get(link.layer());
        return new ImageException("resolving " + ImagePaths.quote(path) + " followed more than " + MAX_LINKS
                + " symbolic links (a loop, at " + ImagePaths.quote(link.path()) + " -> " + ImagePaths.quote(link.linkTarget())
                + " from layer " + layer.digest() + "): fix the symlinks in the image");
    }

    @Override
    public Optional<Integer> deletedIn(String path) {
        return Optional.ofNullable(deleted.get(String.join("/", ImagePaths.components(path))));
    }

    @Override
    public List<FileEntry> list(String directory) {
        String normalized = String.join("/", ImagePaths.components(directory));
        String prefix = normalized.isEmpty() ? "" : normalized + "/";
        List<FileEntry> children = new ArrayList<>();
        String key = nodes.ceilingKey(prefix);
        while (key != null && key.startsWith(prefix)) {
            int slash = key.indexOf('/', prefix.length());
            if (slash < 0) {
                children.add(nodes.get(key).entry());
                key = nodes.higherKey(key);
            } else {
                key = nodes.ceilingKey(key.substring(0, slash) + "0"); // past that child's subtree
            }
        }
        return children;
    }

    @Override
    public List<FileEntry> entries() {
        return nodes.values().stream().map(Node::entry).toList();
    }

    @Override
    public InputStream open(FileEntry file) throws IOException {
        Node node = nodes.get(file.path());
        if (node == null) throw new NoSuchFileException(file.path(), null, "not in the image");
        FileEntry entry = node.entry();
        if (entry.type() != FileEntry.Type.FILE && entry.type() != FileEntry.Type.HARDLINK) {
            throw new IOException(ImagePaths.quote(entry.path()) + " is a " + entry.type().name().toLowerCase().replace('_', ' ')
                    + ", not a regular file: only regular files are opened (resolve a symlink first)");
        }
        if (node.content() == null) {
            throw new IOException("the bytes of " + ImagePaths.quote(entry.path()) + " were not kept by the layer pass: "
                    + "include the path in its FileInterest");
        }
        return Files.newInputStream(node.content());
    }

    @Override
    public Optional<String> notKept(String path) {
        return Optional.ofNullable(notKept.get(String.join("/", ImagePaths.components(path))));
    }

    @Override
    public Map<String, String> notKept() {
        return java.util.Collections.unmodifiableMap(new TreeMap<>(notKept));
    }

    @Override
    public List<Long> layerSizes() {
        return List.copyOf(layerSizes);
    }

    @Override
    public void close() {
        deleteTree(directory);
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) return;
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete the layer pass directory " + root, e);
        }
    }
}
