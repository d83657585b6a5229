package io.egoist.node.runtime;

import io.egoist.wire.NodeId;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Two steady streams of round trips, one over each demo tunnel, kept up while a relay of theirs is crashed: a round
 * trip every {@link #PERIOD_MS}. The UDP stream just goes on (a lost datagram is a round trip that does not count);
 * the TCP stream keeps its one connection as long as it works, and when the connection is closed (or gets no
 * answer for {@link #TCP_STUCK_MS}) notes that and opens a new one through the same forward, so that the tunnel's
 * stall is measured either way. Each stream's stall is the longest gap between two successful round trips that
 * ends after the crash.
 */
public final class DemoTunnelStreams {
    /** Pause between round trips. */
    static final long PERIOD_MS = 20;
    /** Successful round trips after the crash that show a stream flows again. */
    static final int AFTER_CRASH = 10;
    /** How long after the crash the streams are given to flow again. */
    static final long MAX_AFTER_CRASH_MS = 15_000;
    /** A TCP connection that answers nothing for this long is taken as broken (tunnel streams resume within 3 s). */
    static final int TCP_STUCK_MS = 5_000;

    /** One stream around the crash. {@code connectionSurvived}: TCP only, the first connection lasted throughout. */
    public record Stall(
            String proto,
            int roundTrips,
            int exact,
            int corrupt,
            double stallMs,
            boolean recovered,
            boolean connectionSurvived,
            int reopened,
            String note) {}

    /** The crash as the tunnels saw it; {@code victim} null when their path had no relay to crash. */
    /**
     * The stalls around a crash. {@code tunnelMode}: the routing mode of the forwards that carried the streams
     * ({@code best}, the demo's tunnels; {@code overlay} when their best routes had no relay to crash, see {@link
     * DemoTunnels#victim}); {@code relays}: the relays of those forwards' routes.
     */
    public record CrashStall(
            String victim, NodeId victimId, Stall udp, Stall tcp, String tunnelMode, java.util.List<String> relays) {
        CrashStall with(String mode, java.util.List<String> rs) {
            return new CrashStall(victim, victimId, udp, tcp, mode, rs);
        }
    }

    private final Runner udp, tcp;

    private DemoTunnelStreams(Runner udp, Runner tcp) {
        this.udp = udp;
        this.tcp = tcp;
    }

    static DemoTunnelStreams start(int udpPort, int tcpPort, double expectedRttMs) {
        // a lost datagram costs the client this wait before its next round trip, and that wait is part of the gap
        // it reports: just above the round trip, so the gap shows the path's stall, not the client's patience (a
        // later answer to an earlier datagram is skipped)
        int udpTimeout = (int) Math.max(250, 1.3 * expectedRttMs + 50);
        Runner u = new Runner("udp", () -> DemoRoundTrips.udp(udpPort, udpTimeout, 11));
        Runner t = new Runner("tcp", () -> DemoRoundTrips.tcp(tcpPort, TCP_STUCK_MS, 12));
        u.start();
        t.start();
        return new DemoTunnelStreams(u, t);
    }

    /** Waits (at most {@code ms}) until both streams have had a few successful round trips. */
    public void awaitFlowing(long ms) {
        long deadline = System.currentTimeMillis() + ms;
        while (System.currentTimeMillis() < deadline && (udp.exactCount() < 5 || tcp.exactCount() < 5)) pause(20);
    }

    /**
     * Lets both streams run until each has had {@link #AFTER_CRASH} successful round trips after the crash (at most
     * until {@link #MAX_AFTER_CRASH_MS} after it), then stops them and measures their stalls around it.
     */
    public CrashStall stop(String victim, NodeId victimId, long crashAtNanos) {
        long deadline = crashAtNanos + MAX_AFTER_CRASH_MS * 1_000_000L;
        while (System.nanoTime() < deadline
                && (udp.exactAfter(crashAtNanos) < AFTER_CRASH || tcp.exactAfter(crashAtNanos) < AFTER_CRASH))
            pause(50);
        udp.halt();
        tcp.halt();
        return new CrashStall(
                victim, victimId, udp.stall(crashAtNanos), tcp.stall(crashAtNanos), "best", java.util.List.of());
    }

    private interface Opener {
        DemoRoundTrips.Client open() throws IOException;
    }

    private static final class Runner extends Thread {
        private final String proto;
        private final Opener opener;
        private final List<Long> okAt = new ArrayList<>();
        private volatile boolean stopping;
        /** The client in use, closed by {@link #halt} to end a blocked round trip. */
        private volatile DemoRoundTrips.Client current;

        private int roundTrips, corrupt, reopened;
        /** How and when the first TCP connection broke (null: it did not). */
        private DemoRoundTrips.Outcome breakKind;

        private long breakAt, endedAt;

        Runner(String proto, Opener opener) {
            super("demo-tunnel-" + proto);
            setDaemon(true);
            this.proto = proto;
            this.opener = opener;
        }

        @Override
        public void run() {
            DemoRoundTrips.Client c = null;
            long seq = 0;
            boolean first = true;
            while (!stopping) {
                if (c == null) {
                    try {
                        c = opener.open();
                        current = c;
                        if (!first) reopened++;
                        first = false;
                    } catch (IOException e) {
                        pause(PERIOD_MS);
                        continue;
                    }
                }
                DemoRoundTrips.Outcome r = c.roundTrip(seq++);
                if (stopping) break; // a round trip cut short by halt() is not the tunnel's doing
                synchronized (this) {
                    roundTrips++;
                    if (r == DemoRoundTrips.Outcome.EXACT) okAt.add(System.nanoTime());
                    if (r == DemoRoundTrips.Outcome.CORRUPT) corrupt++;
                }
                boolean broken = proto.equals("tcp") && r != DemoRoundTrips.Outcome.EXACT;
                if (broken) {
                    synchronized (this) {
                        if (breakKind == null) {
                            breakKind = r;
                            breakAt = System.nanoTime();
                        }
                    }
                    c.close();
                    c = null;
                }
                pause(PERIOD_MS);
            }
            if (c != null) c.close();
            synchronized (this) {
                endedAt = System.nanoTime();
            }
        }

        synchronized int exactCount() {
            return okAt.size();
        }

        synchronized int exactAfter(long t) {
            int n = 0;
            for (int i = okAt.size() - 1; i >= 0 && okAt.get(i) > t; i--) n++;
            return n;
        }

        void halt() {
            stopping = true;
            DemoRoundTrips.Client c = current;
            if (c != null) c.close();
            try {
                join(TCP_STUCK_MS + 2_000L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** The longest gap between successful round trips that ends after the crash (or runs to the end). */
        synchronized Stall stall(long crashAt) {
            long end = endedAt != 0 ? endedAt : System.nanoTime();
            long longest = 0, prev = Long.MIN_VALUE;
            boolean recovered = false;
            for (long t : okAt) {
                if (t > crashAt) {
                    recovered = true;
                    if (prev != Long.MIN_VALUE) longest = Math.max(longest, t - prev);
                }
                prev = t;
            }
            if (prev == Long.MIN_VALUE) longest = end - crashAt;
            else if (!recovered) longest = end - prev; // nothing after the crash: the stall lasts to the end
            boolean tcp = proto.equals("tcp");
            String note = null;
            if (tcp && breakKind == null) note = "TCP connection survived the relay crash";
            else if (tcp) {
                String when = breakAt < crashAt ? "before the relay crash" : "after relay crash";
                note = switch (breakKind) {
                    case CLOSED -> "TCP tunnel closed " + when;
                    case LOST -> "TCP tunnel stuck " + when + " (no answer for " + TCP_STUCK_MS + " ms)";
                    default -> "TCP tunnel answered wrong bytes " + when;
                };
                note += "; re-opened a TCP forward connection " + reopened + " time(s)";
            }
            return new Stall(
                    proto,
                    roundTrips,
                    okAt.size(),
                    corrupt,
                    longest / 1e6,
                    recovered,
                    tcp && breakKind == null,
                    reopened,
                    note);
        }
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
