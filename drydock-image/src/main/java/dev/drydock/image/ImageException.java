package dev.drydock.image;

/**
 * The image cannot be read as an image Drydock can test: missing or unreadable blobs, a hostile layer, a limit
 * exceeded. The message is shown to the developer as is, so it says what is wrong and how to fix it.
 */
public final class ImageException extends Exception {
    public ImageException(String message) {
        super(message);
    }

    public ImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
