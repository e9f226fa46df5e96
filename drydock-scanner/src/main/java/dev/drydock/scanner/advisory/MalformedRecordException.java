package dev.drydock.scanner.advisory;

/** An advisory record that cannot be used; the message says which field is wrong. */
public final class MalformedRecordException extends Exception {
    public MalformedRecordException(String message) {
        super(message);
    }
}
