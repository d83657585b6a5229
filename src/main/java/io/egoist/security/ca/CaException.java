package io.egoist.security.ca;

/** A credential file is missing, unreadable or not what it should be; the message says which and why. */
public final class CaException extends Exception {
    private static final long serialVersionUID = 1L;

    public CaException(String message) {
        super(message);
    }

    public CaException(String message, Throwable cause) {
        super(message, cause);
    }
}
