package dev.drydock.scanner.inventory;

import dev.drydock.image.FileEntry;
import dev.drydock.image.ImageFilesystem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Reading small text files from an image without trusting their size. */
public final class BoundedText {
    private BoundedText() {}

    /** The file's text, or an {@link IOException} naming the limit when it holds more than {@code maxBytes}. */
    public static String read(ImageFilesystem fs, FileEntry file, int maxBytes) throws IOException {
        return new String(readBytes(fs, file, maxBytes), StandardCharsets.UTF_8);
    }

    public static byte[] readBytes(ImageFilesystem fs, FileEntry file, int maxBytes) throws IOException {
        try (InputStream in = fs.open(file)) {
            byte[] bytes = in.readNBytes(maxBytes + 1);
            if (bytes.length > maxBytes) {
                throw new IOException("larger than " + maxBytes + " bytes; not read");
            }
            return bytes;
        }
    }
}
