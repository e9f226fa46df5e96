package dev.drydock.image;

/**
 * One path of the flattened filesystem as the last layer that touched it left it. {@code layer} is the layer
 * index and {@code createdBy} its Dockerfile step; {@code contentAvailable} is true for regular files whose
 * bytes the pass kept (see {@link FileInterest}).
 */
public record FileEntry(String path, Type type, long size, int mode, String linkTarget, int layer, String createdBy,
                        boolean contentAvailable) {

    public enum Type { FILE, DIRECTORY, SYMLINK, HARDLINK, CHAR_DEVICE, BLOCK_DEVICE, FIFO }
}
