package dev.drydock.compliance;

import dev.drydock.image.FileEntry;
import dev.drydock.image.ImageFilesystem;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Test double of drydock-image's flattened filesystem: entries and kept contents set by the test, so checks can
 * be tested on exact filesystem states (a symlinked or deleted manifest) without building layers.
 */
final class InMemoryFilesystem implements ImageFilesystem {
    private final TreeMap<String, FileEntry> entries = new TreeMap<>();
    private final Map<String, byte[]> contents = new HashMap<>();
    private final Map<String, Integer> deleted = new HashMap<>();
    private final Map<String, String> notKept = new HashMap<>();
    boolean closed;

    InMemoryFilesystem file(String path, String content, int layer, String createdBy) {
        return file(path, content.getBytes(StandardCharsets.UTF_8), layer, createdBy);
    }

    InMemoryFilesystem file(String path, byte[] bytes, int layer, String createdBy) {
        entries.put(path, new FileEntry(path, FileEntry.Type.FILE, bytes.length, 0644, null, layer, createdBy, true));
        contents.put(path, bytes);
        return this;
    }

    InMemoryFilesystem entry(String path, FileEntry.Type type, String linkTarget, int layer, String createdBy) {
        entries.put(path, new FileEntry(path, type, 0, 0755, linkTarget, layer, createdBy, false));
        return this;
    }

    /** A wanted file the layer pass listed but did not keep, as LayerPass does for one over maxFileBytes. */
    InMemoryFilesystem notKeptFile(String path, long size, int layer, String createdBy, String reason) {
        entries.put(path, new FileEntry(path, FileEntry.Type.FILE, size, 0644, null, layer, createdBy, false));
        notKept.put(path, reason);
        return this;
    }

    @Override public Map<String, String> notKept() { return Map.copyOf(notKept); }

    InMemoryFilesystem deleted(String path, int inLayer) {
        deleted.put(path, inLayer);
        return this;
    }

    @Override public Optional<FileEntry> lookup(String path) { return Optional.ofNullable(entries.get(path)); }

    @Override
    public Optional<FileEntry> resolve(String path) {
        FileEntry e = entries.get(path);
        for (int hops = 0; e != null && e.linkTarget() != null && hops < 40; hops++) {
            e = entries.get(e.linkTarget().replaceFirst("^/", ""));
        }
        return Optional.ofNullable(e);
    }

    @Override public Optional<Integer> deletedIn(String path) { return Optional.ofNullable(deleted.get(path)); }

    @Override
    public List<FileEntry> list(String directory) {
        List<FileEntry> children = new ArrayList<>();
        for (FileEntry e : entries.values()) {
            if (e.path().startsWith(directory + "/") && e.path().indexOf('/', directory.length() + 1) < 0) children.add(e);
        }
        return children;
    }

    @Override public List<FileEntry> entries() { return List.copyOf(entries.values()); }

    @Override public InputStream open(FileEntry file) { return new ByteArrayInputStream(contents.get(file.path())); }

    @Override public List<Long> layerSizes() { return List.of(1000L, 24L); }

    @Override public void close() { closed = true; }
}
