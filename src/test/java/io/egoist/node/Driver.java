package io.egoist.node;

import io.egoist.core.ConnId;
import io.egoist.core.Effect;
import io.egoist.core.Event;
import io.egoist.wire.Link;
import io.egoist.wire.Message;
import io.egoist.wire.NodeId;
import io.egoist.wire.WireCodec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Feeds one {@link NodeCore} events by hand and records its effects, with a manual clock and timer table.
 * Optional auto-answers (HELLO exchanges, probes, connects) keep scenario set-up short; tests then assert on
 * the effects of the events they care about. No sockets, no harness.
 */
final class Driver {
    final NodeCore core;
    long now = 1_000_000;
    final List<Effect> all = new ArrayList<>();
    final TreeMap<String, Long> timers = new TreeMap<>();

    /** Features each peer answers a HELLO with (absent: v0.2, echoes the HELLO back). */
    final Map<NodeId, List<String>> features = new HashMap<>();
    /** Probe answers by target (absent: no auto-answer; negative: timeout). */
    final Map<NodeId, Double> rtts = new HashMap<>();

    boolean autoConnectNeighbors = true;
    /** Neighbors that do not echo our heartbeats (everyone else does, automatically). */
    final java.util.Set<NodeId> hbSilent = new java.util.HashSet<>();

    private final List<Effect> queue = new ArrayList<>();

    Driver(NodeConfig cfg) {
        core = new NodeCore(cfg, new Random(42));
    }

    static NodeId id(int i) {
        return new NodeId("10.0.0." + i, 7000);
    }

    static NodeConfig config(int self) {
        return NodeConfig.defaults(id(self), "10.9.9.9", 61223);
    }

    List<Effect> start() {
        return record(core.start(now));
    }

    List<Effect> on(Event e) {
        return record(core.handle(now, e));
    }

    private List<Effect> record(List<Effect> effects) {
        all.addAll(effects);
        for (Effect e : effects) {
            if (e instanceof Effect.SetTimer t) timers.put(t.key(), t.atMillis());
            else if (e instanceof Effect.CancelTimer t) timers.remove(t.key());
        }
        queue.addAll(effects);
        return effects;
    }

    /** Fires due timers in time order up to {@code t}, answering automatically as configured. */
    void advanceTo(long t) {
        settle();
        while (true) {
            String key = null;
            long at = Long.MAX_VALUE;
            for (Map.Entry<String, Long> e : timers.entrySet()) {
                if (e.getValue() < at) {
                    at = e.getValue();
                    key = e.getKey();
                }
            }
            if (key == null || at > t) break;
            now = Math.max(now, at);
            timers.remove(key);
            on(new Event.TimerFired(key));
            settle();
        }
        now = Math.max(now, t);
    }

    void advance(long ms) {
        advanceTo(now + ms);
    }

    /** Performs the automatic answers for everything queued so far (repeatedly, until quiet). */
    void settle() {
        int guard = 0;
        while (!queue.isEmpty() && guard++ < 10_000) {
            Effect e = queue.remove(0);
            if (e instanceof Effect.Connect c) {
                NodeId target = nodeAt(c.host(), c.port());
                if (target != null && c.port() == target.echoPort()) on(new Event.Connected(c.conn()));
                else if (target != null && autoConnectNeighbors && rtts.containsKey(target) && rtts.get(target) >= 0) {
                    on(new Event.Connected(c.conn()));
                }
            } else if (e instanceof Effect.Send s && s.line().startsWith("HELLO@")) {
                NodeId target = helloTarget(s.conn());
                if (target == null) continue;
                List<String> f = features.get(target);
                String answer = f == null ? s.line() : WireCodec.encode(new Message.Hello(target, f));
                on(new Event.LineReceived(s.conn(), answer));
            } else if (e instanceof Effect.Send s && s.line().startsWith("HB@")) {
                NodeId target = helloTarget(s.conn());
                if (target != null && !hbSilent.contains(target)) on(new Event.LineReceived(s.conn(), s.line()));
            } else if (e instanceof Effect.Probe p) {
                Double r = rtts.get(p.target());
                if (r != null) on(new Event.ProbeResult(p.target(), r));
            }
        }
    }

    /** The node a connection we opened goes to (main or echo port), or null. */
    NodeId helloTarget(ConnId conn) {
        for (Effect e : all) {
            if (e instanceof Effect.Connect c && c.conn().equals(conn)) {
                NodeId t = nodeAt(c.host(), c.port());
                return t;
            }
        }
        return null;
    }

    /** The node whose main or echo port is host:port (ports 7000/7001 in these tests). */
    static NodeId nodeAt(String host, int port) {
        if (port == 7000 || port == 7001) return new NodeId(host, 7000);
        return null;
    }

    // ---- finding effects ----

    /** The latest Connect to host:port, or null. */
    Effect.Connect connectTo(String host, int port) {
        Effect.Connect found = null;
        for (Effect e : all) {
            if (e instanceof Effect.Connect c && c.host().equals(host) && c.port() == port) found = c;
        }
        return found;
    }

    Effect.Connect connectTo(NodeId n) {
        return connectTo(n.ip(), n.port());
    }

    /** Every line sent on {@code conn}, in order. */
    List<String> linesOn(ConnId conn) {
        List<String> l = new ArrayList<>();
        for (Effect e : all) if (e instanceof Effect.Send s && s.conn().equals(conn)) l.add(s.line());
        return l;
    }

    static List<String> lines(List<Effect> effects) {
        List<String> l = new ArrayList<>();
        for (Effect e : effects) if (e instanceof Effect.Send s) l.add(s.line());
        return l;
    }

    static <T extends Effect> List<T> ofType(List<Effect> effects, Class<T> type) {
        List<T> l = new ArrayList<>();
        for (Effect e : effects) if (type.isInstance(e)) l.add(type.cast(e));
        return l;
    }

    /** Lines sent to the tracker (on connections to the tracker's address), in order. */
    List<String> trackerLines() {
        List<String> l = new ArrayList<>();
        for (Effect e : all) {
            if (e instanceof Effect.Send s && isTrackerConn(s.conn())) l.add(s.line());
        }
        return l;
    }

    boolean isTrackerConn(ConnId conn) {
        for (Effect e : all) {
            if (e instanceof Effect.Connect c && c.conn().equals(conn)) {
                return c.host().equals(core.config().trackerHost())
                        && c.port() == core.config().trackerPort();
            }
        }
        return false;
    }

    /** The latest tracker connection (a Connect to the tracker), or null. */
    ConnId lastTrackerConn() {
        ConnId found = null;
        for (Effect e : all) {
            if (e instanceof Effect.Connect c
                    && c.host().equals(core.config().trackerHost())
                    && c.port() == core.config().trackerPort()) found = c.conn();
        }
        return found;
    }

    // ---- scenario helpers ----

    /** Start and complete the REG exchange with a one-line reply of {@code nodes} (self added) and {@code links}. */
    void join(List<NodeId> others, List<Link> links) {
        start();
        ConnId t = lastTrackerConn();
        on(new Event.Connected(t));
        List<NodeId> all = new ArrayList<>(others);
        all.add(core.id());
        on(new Event.LineReceived(t, WireCodec.encode(new Message.RegisterReply(all, links))));
        settle();
    }

    /** A peer-form update line from {@code source} with links to {@code dsts} at {@code cost}. */
    static String update(String hash, int seq, NodeId source, double cost, NodeId... dsts) {
        List<Link> l = new ArrayList<>();
        for (NodeId d : dsts) l.add(new Link(source, d, cost));
        return WireCodec.encode(new Message.PeerUpdate(hash, seq, source, l));
    }
}
