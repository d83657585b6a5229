package io.egoist.core;

import io.egoist.wire.NodeId;

/**
 * What a core asks its runtime to do. The runtime (Netty and the system clock, or the virtual-time network)
 * performs effects in the order given. Cores may define further effects of their own (e.g. persisting a
 * change, delivering a payload to the application) by implementing this interface.
 */
public interface Effect {

    /** Send one line (the runtime appends CR LF). */
    record Send(ConnId conn, String line) implements Effect {}

    /** Close a connection once what was sent before has been written. */
    record Close(ConnId conn) implements Effect {}

    /** Open a TCP connection; the outcome comes back as Connected or ConnectFailed for this id. */
    record Connect(ConnId conn, String host, int port) implements Effect {}

    /** Fire {@link Event.TimerFired} with this key at the given time (ms); replaces a timer of the same key. */
    record SetTimer(String key, long atMillis) implements Effect {}

    record CancelTimer(String key) implements Effect {}

    /**
     * Measure the round-trip time to {@code target}'s echo port (port + 1): send a line on a (persistent)
     * echo connection and time the answer; the result comes back as {@link Event.ProbeResult}, after at
     * most {@code timeoutMs}.
     */
    record Probe(NodeId target, long timeoutMs) implements Effect {}
}
