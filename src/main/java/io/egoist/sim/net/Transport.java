package io.egoist.sim.net;

import io.egoist.core.ConnId;
import io.egoist.core.Effect;
import io.egoist.core.Event;
import io.egoist.wire.Decoded;
import io.egoist.wire.Message;
import io.egoist.wire.Seed;
import io.egoist.wire.WireCodec;
import java.util.Map;

/**
 * The wires of the {@link VirtualNetwork}: connections (connect, accept, refuse, FIFO lines with the matrix's
 * one-way delays, close, reset), echo ports, and probes. Everything happens through the network's event queue.
 */
final class Transport {
    private final VirtualNetwork net;

    Transport(VirtualNetwork net) {
        this.net = net;
    }

    long delayUs(Host a, Host b) {
        if (a == null || b == null) return 0;
        if (a.row < 0 || b.row < 0) return net.options.trackerOneWayMicros;
        return Math.round(net.rtt[a.row][b.row] * 500.0);
    }

    double rttMs(Host a, Host b) {
        if (a.row < 0 || b.row < 0) return net.options.trackerOneWayMicros * 2 / 1000.0;
        return net.rtt[a.row][b.row];
    }

    // ---------------------------------------------------------------------------------------- connections

    void connect(Host h, Effect.Connect c) {
        if (c.conn().value() <= 0 || h.conns.containsKey(c.conn())) {
            net.violation(h, "Connect with an id that is not positive or in use: " + c.conn());
            int inc = h.incarnation;
            net.at(net.nowUs, () -> net.deliver(h, inc, new Event.ConnectFailed(c.conn(), "bad connection id")));
            return;
        }
        End mine = new End(h, c.conn());
        h.conns.put(c.conn(), mine);
        Host target = net.byAddress.get(c.host() + ":" + c.port());
        boolean echo = target != null && target.row >= 0 && c.port() == target.port + 1;
        int inc = h.incarnation;
        if (target == null || !target.up) {
            long after = target != null && target.silentlyDown
                    ? net.options.connectTimeoutMs * 1000
                    : target == null ? 1000 : 2 * delayUs(h, target);
            net.at(net.nowUs + after, () -> {
                if (h.conns.get(c.conn()) != mine) return;
                h.conns.remove(c.conn());
                net.deliver(
                        h,
                        inc,
                        new Event.ConnectFailed(c.conn(), target == null ? "no such host" : "connection refused"));
            });
            return;
        }
        long owl = delayUs(h, target);
        if (echo) {
            mine.echoOf = target;
            mine.echoIncarnation = target.incarnation;
            net.at(net.nowUs + 2 * owl, () -> {
                if (h.conns.get(c.conn()) != mine || !mine.open) return;
                if (!target.up || target.incarnation != mine.echoIncarnation) {
                    h.conns.remove(c.conn());
                    net.deliver(h, inc, new Event.ConnectFailed(c.conn(), "connection refused"));
                    return;
                }
                mine.established = true;
                net.deliver(h, inc, new Event.Connected(c.conn()));
            });
            return;
        }
        int targetInc = target.incarnation;
        net.at(net.nowUs + owl, () -> {
            if (h.conns.get(c.conn()) != mine || !mine.open) return; // cancelled or our side died
            if (!target.up || target.incarnation != targetInc) {
                // refused on arrival; the answer comes back after another one-way delay
                net.at(net.nowUs + owl, () -> {
                    if (h.conns.get(c.conn()) != mine) return;
                    h.conns.remove(c.conn());
                    net.deliver(h, inc, new Event.ConnectFailed(c.conn(), "connection refused"));
                });
                return;
            }
            ConnId theirs = new ConnId(target.nextConnSeq--);
            End far = new End(target, theirs);
            far.peer = mine;
            mine.peer = far;
            far.established = true;
            target.conns.put(theirs, far);
            int port = (int) (net.nextEphemeralPort++ % 20_000 + 40_000);
            net.deliver(target, targetInc, new Event.Accepted(theirs, h.ip, port));
            net.at(net.nowUs + owl, () -> {
                if (h.conns.get(c.conn()) != mine || !mine.open) return;
                if (mine.established) return;
                mine.established = true;
                net.deliver(h, inc, new Event.Connected(c.conn()));
            });
        });
    }

    void send(Host h, ConnId id, String line) {
        End mine = h.conns.get(id);
        if (mine == null) return; // closed already (by us or the peer): the line is lost, like a write after close
        if (!mine.established) {
            net.violation(h, "Send before Connected on " + id + ": " + clip(line));
            return;
        }
        String kind = mine.echoOf != null
                ? "echo"
                : mine.peer != null && mine.peer.host == net.tracker ? "net.tracker" : "node";
        count(h.sent, kind + ":" + type(line), line.length() + 2);
        if (mine.echoOf != null) {
            sendToEcho(h, mine, line);
            return;
        }
        End far = mine.peer;
        if (far == null) return;
        long owl = delayUs(h, far.host);
        long arrive = Math.max(net.nowUs + owl, far.lastArrivalUs);
        far.lastArrivalUs = arrive;
        if (!far.alive()) {
            if (far.host.up && far.host.incarnation != far.incarnation) {
                // the far host restarted: its OS answers with a reset
                net.at(net.nowUs + 2 * owl, () -> closedByPeer(mine));
            }
            net.linesLost++;
            for (VirtualNetwork.Listener x : net.listeners) x.lineLost(h.address(), far.host.address(), line);
            return; // the far host is gone: the line vanishes
        }
        String fromName = h.address();
        net.at(arrive, () -> {
            if (!far.alive()) {
                net.linesLost++;
                for (VirtualNetwork.Listener x : net.listeners) x.lineLost(fromName, far.host.address(), line);
                return;
            }
            String fromKind = h == net.tracker ? "net.tracker" : "node";
            count(far.host.received, fromKind + ":" + type(line), line.length() + 2);
            for (VirtualNetwork.Listener l : net.listeners) l.lineDelivered(fromName, far.host.address(), line);
            if (line.length() > Seed.MAX_LENGTH) net.deliver(far.host, far.incarnation, new Event.LineTooLong(far.id));
            else net.deliver(far.host, far.incarnation, new Event.LineReceived(far.id, line));
        });
    }

    void sendToEcho(Host h, End mine, String line) {
        Host target = mine.echoOf;
        long owl = delayUs(h, target);
        long back = Math.max(net.nowUs + 2 * owl, mine.lastArrivalUs);
        mine.lastArrivalUs = back;
        int targetInc = mine.echoIncarnation;
        net.at(net.nowUs + owl, () -> {
            if (!target.up || target.incarnation != targetInc) return;
            String answer = line;
            if (target instanceof VirtualNetwork.NodeHost nh
                    && line.startsWith(WireCodec.HELLO + Seed.PACK_DELIMITER)) {
                Decoded d = WireCodec.decode(WireCodec.Context.ECHO, line);
                if (d instanceof Decoded.Ok ok && ok.message() instanceof Message.Hello) {
                    answer = nh.node().helloLine().orElse(line);
                }
            }
            String a = answer;
            net.at(back, () -> {
                if (h.conns.get(mine.id) != mine || !mine.alive()) return;
                count(h.received, "echo:" + type(a), a.length() + 2);
                net.deliver(h, mine.incarnation, new Event.LineReceived(mine.id, a));
            });
        });
    }

    void close(Host h, ConnId id) {
        End mine = h.conns.remove(id);
        if (mine == null) return;
        mine.open = false;
        int inc = h.incarnation;
        if (!mine.established) {
            net.at(net.nowUs, () -> net.deliver(h, inc, new Event.ConnectFailed(id, "cancelled")));
        } else {
            net.at(net.nowUs, () -> net.deliver(h, inc, new Event.Closed(id)));
        }
        if (mine.peer != null) closeFarEnd(mine, delayUs(h, mine.peer.host));
    }

    /** The peer of {@code mine} learns that the connection closed, after the lines in flight. */
    void closeFarEnd(End mine, long owl) {
        End far = mine.peer;
        if (far == null) return;
        long when = Math.max(net.nowUs + owl, far.lastArrivalUs);
        far.lastArrivalUs = when;
        net.at(when, () -> closedByPeer(far));
    }

    void closedByPeer(End e) {
        Host h = e.host;
        if (h.conns.get(e.id) != e || !e.alive()) return;
        h.conns.remove(e.id);
        e.open = false;
        if (e.established) net.deliver(h, e.incarnation, new Event.Closed(e.id));
        else net.deliver(h, e.incarnation, new Event.ConnectFailed(e.id, "connection reset"));
    }

    // ---------------------------------------------------------------------------------------- probes

    void probe(Host h, Effect.Probe p) {
        h.probes++;
        Host target = net.byAddress.get(p.target().toString());
        int inc = h.incarnation;
        long timeoutUs = p.timeoutMs() * 1000;
        if (target == null || !target.up) {
            net.at(net.nowUs + timeoutUs, () -> net.deliver(h, inc, new Event.ProbeResult(p.target(), -1)));
            return;
        }
        double r = rttMs(h, target);
        long rUs = Math.round(r * 1000);
        int targetInc = target.incarnation;
        if (rUs > timeoutUs) {
            net.at(net.nowUs + timeoutUs, () -> net.deliver(h, inc, new Event.ProbeResult(p.target(), -1)));
            return;
        }
        long owl = rUs / 2;
        // The target must still be up when the probe reaches it.
        net.at(net.nowUs + owl, () -> {
            boolean ok = target.up && target.incarnation == targetInc;
            if (ok) net.at(net.nowUs + (rUs - owl), () -> net.deliver(h, inc, new Event.ProbeResult(p.target(), r)));
            else
                net.at(net.nowUs + (timeoutUs - owl), () -> net.deliver(h, inc, new Event.ProbeResult(p.target(), -1)));
        });
    }

    // ---------------------------------------------------------------------------------------- line accounting

    /** Counts one line of {@code bytes} under {@code key}: {lines, bytes}. */
    static void count(Map<String, long[]> m, String key, long bytes) {
        long[] c = m.computeIfAbsent(key, k -> new long[2]);
        c[0]++;
        c[1] += bytes;
    }

    /** The packet type of a line: the leading capitals (REG, UPT, HB, DATA, ...), or "EMPTY"/"OTHER". */
    static String type(String line) {
        if (line.isEmpty()) return "EMPTY";
        int t = 0;
        while (t < line.length() && t < 8 && line.charAt(t) >= 'A' && line.charAt(t) <= 'Z') t++;
        return t == 0 ? "OTHER" : line.substring(0, t);
    }

    static String clip(String s) {
        return s.length() <= 60 ? s : s.substring(0, 60) + "...";
    }
}
