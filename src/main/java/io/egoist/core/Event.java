package io.egoist.core;

import io.egoist.security.ca.MemberId;
import io.egoist.wire.NodeId;

/**
 * What a core is fed. Every event is handled together with the current time (virtual or wall clock), which
 * the caller passes in; cores never read a clock themselves. Cores may define further events of their own
 * (e.g. local commands) by implementing this interface.
 */
public interface Event {

    /** A peer connected to one of our listening sockets. */
    record Accepted(ConnId conn, String remoteHost, int remotePort) implements Event {}

    /**
     * In secure mode: the peer of a connection proved with a TLS handshake that it is the member {@code peer}
     * (the id in its certificate). Fed right after Accepted or Connected, before any line of that connection;
     * a runtime in secure mode never feeds a connection without it.
     */
    record Authenticated(ConnId conn, MemberId peer) implements Event {}

    /** A connection the core asked for with {@link Effect.Connect} is up. */
    record Connected(ConnId conn) implements Event {}

    /** A connection the core asked for could not be made. */
    record ConnectFailed(ConnId conn, String reason) implements Event {}

    /** One complete line (CR LF stripped) arrived on a connection. */
    record LineReceived(ConnId conn, String line) implements Event {}

    /** A peer sent a line longer than the MAX_LENGTH limit; the runtime discarded it. */
    record LineTooLong(ConnId conn) implements Event {}

    /** A connection closed (by the peer, by an error, or after our Close). */
    record Closed(ConnId conn) implements Event {}

    /** A timer set with {@link Effect.SetTimer} fired. */
    record TimerFired(String key) implements Event {}

    /**
     * The outcome of an {@link Effect.Probe}: the round-trip time to the target's echo port in ms, or
     * {@code rttMs < 0} when it did not answer within the timeout or could not be reached.
     */
    record ProbeResult(NodeId target, double rttMs) implements Event {
        public boolean answered() {
            return rttMs >= 0;
        }
    }
}
