package io.egoist.tunnel;

/** A forward could not be made; {@code status} is the HTTP status the control API answers with. */
public final class TunnelException extends RuntimeException {
    private final int status;

    public TunnelException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
