package io.egoist.runtime;

import io.egoist.core.ConnId;
import io.egoist.core.Event;
import io.netty.channel.Channel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One connection of a {@link CoreHost}, accepted or opened. Loop-confined. Accepted connections have no latency
 * emulation, so they carry no delay queues (less to allocate per connection: the tracker accepts one per UPT).
 */
final class HostConn {
    final ConnId id;
    final boolean outbound;
    final String host;
    final int port;
    /** Delay queues for output and input; null when there is no delay to emulate. */
    final SerialDelay out;

    final SerialDelay in;
    Channel channel;
    boolean active;
    boolean cancelled;
    /** Lines sent before an opened connection was up; null until needed. */
    List<String> beforeActive;
    /** Non-null while reading is paused (backpressure, accepted connections only): decoded input not yet fed. */
    ArrayDeque<Event> held;
    /** Output written but not yet flushed (flushed once after the core's effects for one event). */
    boolean flushPending;

    // AcceptGuard state (accepted connections)
    /** Counted against its address's cap (and so to be uncounted when it closes). */
    boolean counted;
    /** Refused by a cap or the first-line deadline: the core never hears of it. */
    boolean refused;
    /** A complete line (or an over-long one) arrived: the first-line deadline no longer applies. */
    boolean lineSeen;

    long acceptedNanos;
    /** Stall watch: a check is scheduled; the unwritten bytes at the last check. */
    boolean stallWatched;

    long stallPending;

    HostConn(ConnId id, boolean outbound, String host, int port, CoreHost<?> owner) {
        this.id = id;
        this.outbound = outbound;
        this.host = host;
        this.port = port;
        boolean delayed = outbound && owner.options().delay != OutboundDelay.NONE;
        this.out = delayed ? new SerialDelay(owner.loop()) : null;
        this.in = delayed ? new SerialDelay(owner.loop()) : null;
    }

    /** The current emulated delay of a line on this connection (ms). */
    double delay(CoreHost<?> owner) {
        return outbound ? owner.options().delay.delayMillis(host, port) : 0;
    }

    void beforeActive(String line) {
        if (beforeActive == null) beforeActive = new ArrayList<>(2);
        beforeActive.add(line);
    }

    /** Runs an output action after the emulated delay (at once without one). */
    void output(CoreHost<?> owner, Runnable action) {
        if (out == null) action.run();
        else out.add(delay(owner), action);
    }

    /** Runs an input action after the emulated delay (at once without one). */
    void input(CoreHost<?> owner, Runnable action) {
        if (in == null) action.run();
        else in.add(delay(owner), action);
    }

    void clearDelayed() {
        if (out != null) out.clear();
        if (in != null) in.clear();
    }

    /** Closes every connection (and probe connection) whose TLS peer is no longer a member; loop thread. */
    static void cutNonMembers(HostTls hostTls, Iterable<HostConn> conns, EchoProber prober, String where) {
        if (hostTls == null) return;
        io.egoist.security.tls.TlsMembers tls = hostTls.members();
        for (HostConn c : new ArrayList<HostConn>(toList(conns))) {
            if (c.active) io.egoist.security.tls.TlsGate.cutIfNotMember(c.channel, tls, where);
        }
        if (prober != null) prober.cutNonMembers();
    }

    private static List<HostConn> toList(Iterable<HostConn> conns) {
        List<HostConn> l = new ArrayList<>();
        conns.forEach(l::add);
        return l;
    }
}
