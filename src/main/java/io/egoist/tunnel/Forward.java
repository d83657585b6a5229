package io.egoist.tunnel;

import io.egoist.node.routing.RouteMode;
import io.egoist.wire.NodeId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** A local port forwarded to a service of another node (the source side of a tunnel). Loop-confined. */
public abstract class Forward {
    /**
     * What to forward: a local UDP or TCP address, the destination node and its service's name, and how the two
     * ends route the frames they originate ({@link RouteMode#BEST} unless said otherwise).
     */
    public record Spec(Service.Endpoint listen, NodeId to, String service, RouteMode mode) {
        public Spec {
            if (!Service.NAME.matcher(service).matches())
                throw new IllegalArgumentException("bad service name '" + service + "' (1-32 of A-Z a-z 0-9 . _ -)");
            java.util.Objects.requireNonNull(mode, "mode");
        }

        /** A forward in the default mode, {@link RouteMode#BEST}. */
        public Spec(Service.Endpoint listen, NodeId to, String service) {
            this(listen, to, service, RouteMode.BEST);
        }

        @Override
        public String toString() {
            return listen + " -> " + to + " " + service + " mode " + mode.label();
        }
    }

    /** A forward as the API shows it: id, spec (with its routing mode), the bound listen address and counters. */
    public record Info(
            long id,
            String proto,
            String listen,
            String to,
            String service,
            String mode,
            Map<String, Object> counters) {
        /** The port the forward listens on (the last part of {@link #listen}, "proto:host:port"). */
        public int port() {
            return Integer.parseInt(listen.substring(listen.lastIndexOf(':') + 1));
        }
    }

    final TunnelNode node;
    final long id;
    final Spec spec;
    final AtomicLong packetsIn = new AtomicLong(), bytesIn = new AtomicLong(), packetsOut = new AtomicLong();
    final AtomicLong bytesOut = new AtomicLong(), dropped = new AtomicLong(), refused = new AtomicLong();
    final AtomicLong opened = new AtomicLong();
    /** TCP: stream bytes sent again (after a path change, a gap, or no acknowledgement). */
    final AtomicLong resent = new AtomicLong();

    volatile String lastError;

    Forward(TunnelNode node, long id, Spec spec) {
        this.node = node;
        this.id = id;
        this.spec = spec;
    }

    static Forward open(TunnelNode node, long id, Spec spec) {
        return spec.listen().proto() == Service.Proto.UDP
                ? new UdpForward(node, id, spec)
                : new TcpForward(node, id, spec);
    }

    abstract String boundAddress();

    abstract int active();

    void sweep(long nowNanos) {}

    abstract void close();

    void refused(String why) {
        refused.incrementAndGet();
        lastError = why;
    }

    Info info() {
        Map<String, Object> c = new LinkedHashMap<>();
        boolean udp = spec.listen().proto() == Service.Proto.UDP;
        c.put(udp ? "datagrams_in" : "bytes_in_chunks", packetsIn.get());
        c.put("bytes_in", bytesIn.get());
        c.put(udp ? "datagrams_out" : "bytes_out_chunks", packetsOut.get());
        c.put("bytes_out", bytesOut.get());
        c.put(udp ? "sessions" : "streams", active());
        c.put(udp ? "sessions_opened" : "streams_opened", opened.get());
        c.put("dropped", dropped.get());
        c.put("refused", refused.get());
        if (!udp) c.put("bytes_resent", resent.get());
        if (lastError != null) c.put("last_error", lastError);
        return new Info(
                id,
                spec.listen().proto().label(),
                boundAddress(),
                spec.to().toString(),
                spec.service(),
                spec.mode().label(),
                c);
    }
}
