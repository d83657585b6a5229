package io.egoist.tracker;

/** The tracker database cannot be opened, read or written. The message is one line meant for a person. */
public final class TrackerStoreException extends RuntimeException {
    public TrackerStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public TrackerStoreException(String message) {
        super(message);
    }
}
