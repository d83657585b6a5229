package io.egoist.sim.net;

import io.egoist.core.Core;
import io.egoist.core.Effect;
import io.egoist.core.Event;
import io.egoist.node.NodeConfig;
import io.egoist.node.NodeCore;
import io.egoist.node.NodeEffect;
import io.egoist.node.NodeEvent;
import io.egoist.tracker.TrackerConfig;
import io.egoist.tracker.TrackerCore;
import io.egoist.tracker.TrackerSnapshot;
import io.egoist.wire.NodeId;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.TreeMap;

/**
 * A deterministic discrete-event network that hosts many real {@link NodeCore}s and one real
 * {@link TrackerCore} in one thread, under virtual time.
 *
 * <ul>
 *   <li>Time: microseconds internally (so that sums of fractional one-way delays stay exact to 1 µs), whole
 *       milliseconds for the cores. Events are ordered by time, then by the order they were scheduled.</li>
 *   <li>Latency: a line from node a to node b arrives after half the pair's RTT in the matrix
 *       ({@code rtt[row(a)][row(b)] / 2}); lines between the tracker and a node take a fixed one-way delay.
 *       Lines on one connection keep their order.</li>
 *   <li>Connections by address: a node's main port (its core gets Accepted), its echo port (port + 1,
 *       answered by the network: lines come back unchanged, except a HELLO, answered with the target core's
 *       HELLO when it has one), the tracker's port. Connect takes one RTT (Accepted at the far end after
 *       half of it); Close delivers Closed to both ends (the far end after the lines in flight).</li>
 *   <li>Probe: answered after the pair's RTT, or {@code -1} after the timeout when the target is down.</li>
 *   <li>Failures: {@link #crash} (the process dies: its connections close, the far ends see Closed after the
 *       one-way delay, connects get refused) or a silent crash (the machine vanishes: nothing closes, lines
 *       and connects go unanswered); {@link #restart} runs a fresh core with the same configuration.</li>
 * </ul>
 *
 * Not thread-safe. Every random choice comes from the seed given to the constructor.
 */
public final class VirtualNetwork {

    /** Observes what happens in the network (tests, benchmarks). All methods run on the caller's thread. */
    public interface Listener {
        /** A node core emitted one of its own effects (Deliver, DataAcked, DataFailed). */
        default void nodeEffect(NodeId node, long nowMillis, Effect effect) {}

        /** A line reached the core of {@code to} (a node id or the tracker's address) from {@code from}. */
        default void lineDelivered(String from, String to, String line) {}

        /** A line was lost: its connection's far end had closed or died. */
        default void lineLost(String from, String to, String line) {}
    }

    /** Settings with usable defaults. */
    public static final class Options {
        long trackerOneWayMicros = 10_000;
        long connectTimeoutMs = 3_000;
        boolean measureCpu;
        java.util.function.BiFunction<NodeConfig, Random, NodeCore> cores = NodeCore::new;

        /** One-way delay between the tracker and any node (default 10 ms). */
        public Options trackerOneWayMs(double v) {
            trackerOneWayMicros = Math.round(v * 1000);
            return this;
        }

        /** How long a connect to a silently crashed host takes to fail (default 3 s). */
        public Options connectTimeoutMs(long v) {
            connectTimeoutMs = v;
            return this;
        }

        /** Measure the CPU time spent inside the cores (thread CPU time around every call). */
        public Options measureCpu(boolean v) {
            measureCpu = v;
            return this;
        }
        /** How a node's core is made (default: open mode; secure cores in the io.egoist.security tests). */
        public Options cores(java.util.function.BiFunction<NodeConfig, Random, NodeCore> v) {
            cores = v;
            return this;
        }
    }

    // ---------------------------------------------------------------------------------------- state

    final double[][] rtt;
    private final long seed;
    final Options options;
    private final Transport transport = new Transport(this);
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final PriorityQueue<Scheduled> queue = new PriorityQueue<>();
    long nowUs;
    private long seq;
    final List<Listener> listeners = new ArrayList<>();

    final Map<String, Host> byAddress = new HashMap<>();
    private final Map<NodeId, NodeHost> nodes = new LinkedHashMap<>();
    TrackerHost tracker;
    long nextEphemeralPort = 40_000;
    private long violations;
    private final List<String> violationLog = new ArrayList<>();

    private long nextRequest;
    private final Map<String, DataOutcome> outcomes = new LinkedHashMap<>();

    /**
     * @param rttMs square matrix of round-trip times in ms; node hosts are mapped to its rows
     * @param seed  seed of every random choice (each core gets its own Random derived from it)
     */
    public VirtualNetwork(double[][] rttMs, long seed, Options options) {
        for (double[] row : rttMs) {
            if (row.length != rttMs.length) throw new IllegalArgumentException("latency matrix is not square");
        }
        this.rtt = rttMs;
        this.seed = seed;
        this.options = options;
    }

    public VirtualNetwork(double[][] rttMs, long seed) {
        this(rttMs, seed, new Options());
    }

    public void addListener(Listener l) {
        listeners.add(l);
    }

    /** Virtual time in ms. */
    public long now() {
        return nowUs / 1000;
    }

    /** Virtual time in µs. */
    public long nowMicros() {
        return nowUs;
    }

    // ---------------------------------------------------------------------------------------- hosts

    final class NodeHost extends Host {
        final NodeId id;
        final NodeConfig config;

        NodeHost(NodeId id, NodeConfig config, int row) {
            super(id.ip(), id.port(), row);
            this.id = id;
            this.config = config;
        }

        @Override
        Core newCore() {
            return options.cores.apply(config, new Random(seed * 1_000_003L + id.hashCode() * 31L + incarnation));
        }

        NodeCore node() {
            return (NodeCore) core;
        }

        @Override
        void onOwnEffect(Effect e) {
            if (e instanceof NodeEffect.DataAcked a) {
                DataOutcome o = outcomes.get(a.requestId());
                if (o != null && o.pending()) o.acked(a.path(), a.sentAtMillis(), a.ackedAtMillis());
            } else if (e instanceof NodeEffect.DataFailed f) {
                DataOutcome o = outcomes.get(f.requestId());
                if (o != null && o.pending()) o.failed(f.reason(), now());
            } else if (e instanceof NodeEffect.Deliver d) {
                deliveries++;
            }
            for (Listener l : listeners) l.nodeEffect(id, now(), e);
        }
    }

    private long deliveries;
    long linesLost;

    /** Lines sent on a connection whose far end had closed or died (lost in the network). */
    public long linesLost() {
        return linesLost;
    }

    /** Adds the tracker at {@code ip:port}; started at once. */
    public void addTracker(String ip, int port, TrackerConfig config) {
        if (tracker != null) throw new IllegalStateException("one tracker only");
        TrackerHost t = new TrackerHost(ip, port, config);
        register(t);
        tracker = t;
        startHost(t);
    }

    /**
     * Hosts an arbitrary core at {@code ip:port} on matrix row {@code row} (e.g. a scripted peer), started at once.
     * Its own effects are ignored.
     */
    public void addCore(String ip, int port, int row, Core core) {
        if (row < 0 || row >= rtt.length) throw new IllegalArgumentException("no matrix row " + row);
        OtherHost h = new OtherHost(ip, port, row, core);
        register(h);
        startHost(h);
    }

    /** Adds a node (not started): its core runs {@code config}; its latencies are row {@code matrixRow}. */
    public void addNode(NodeConfig config, int matrixRow) {
        if (matrixRow < 0 || matrixRow >= rtt.length) throw new IllegalArgumentException("no matrix row " + matrixRow);
        NodeHost h = new NodeHost(config.self(), config, matrixRow);
        if (nodes.containsKey(h.id)) throw new IllegalArgumentException("duplicate node " + h.id);
        register(h);
        byAddress.put(h.ip + ":" + (h.port + 1), h); // the echo port
        nodes.put(h.id, h);
    }

    private void register(Host h) {
        if (byAddress.containsKey(h.address())) throw new IllegalArgumentException("address in use: " + h.address());
        byAddress.put(h.address(), h);
    }

    /** Starts (or restarts after a crash) a node at {@code atMillis} (not before now). */
    public void startNode(NodeId id, long atMillis) {
        NodeHost h = node(id);
        at(Math.max(atMillis * 1000, nowUs), () -> {
            if (!h.up) startHost(h);
        });
    }

    private void startHost(Host h) {
        h.incarnation++;
        h.up = true;
        h.silentlyDown = false;
        h.timers.clear();
        h.conns.clear();
        h.core = h.newCore();
        List<Effect> effects = call(h, () -> h.core.start(now()));
        perform(h, effects);
    }

    /** The process of node {@code id} dies now: connections close, connects are refused, probes time out. */
    public void crash(NodeId id) {
        kill(node(id), false);
    }

    /** The machine of node {@code id} vanishes now: nothing closes, lines and connects go unanswered. */
    public void crashSilently(NodeId id) {
        kill(node(id), true);
    }

    /** Restart node {@code id} now with a fresh core (same configuration). */
    public void restart(NodeId id) {
        NodeHost h = node(id);
        if (h.up) throw new IllegalStateException(id + " is running");
        startHost(h);
    }

    /** The tracker process dies now; {@link #restartTracker} brings it back with an empty state (or a snapshot). */
    public void crashTracker() {
        kill(tracker, false);
    }

    public void restartTracker(TrackerSnapshot state) {
        if (tracker.up) throw new IllegalStateException("tracker is running");
        tracker.restartState = state;
        startHost(tracker);
    }

    private void kill(Host h, boolean silent) {
        if (!h.up) return;
        h.up = false;
        h.silentlyDown = silent;
        h.timers.clear();
        List<End> ends = new ArrayList<>(h.conns.values());
        h.conns.clear();
        if (!silent) {
            for (End e : ends) transport.closeFarEnd(e, transport.delayUs(h, e.peer == null ? e.echoOf : e.peer.host));
        }
        if (!silent) {
            // echo connections other nodes hold to this node's echo port close too
            for (Host other : allHosts()) {
                for (End e : new ArrayList<>(other.conns.values())) {
                    if (e.echoOf == h && e.alive()) {
                        End far = e;
                        at(nowUs + transport.delayUs(h, other), () -> transport.closedByPeer(far));
                    }
                }
            }
        }
    }

    private Collection<Host> allHosts() {
        return new java.util.LinkedHashSet<>(byAddress.values());
    }

    // ---------------------------------------------------------------------------------------- queries

    public NodeCore core(NodeId id) {
        return node(id).node();
    }

    public boolean isUp(NodeId id) {
        return node(id).up;
    }

    public List<NodeId> nodeIds() {
        return List.copyOf(nodes.keySet());
    }

    public List<NodeId> liveNodes() {
        List<NodeId> l = new ArrayList<>();
        for (NodeHost h : nodes.values()) if (h.up) l.add(h.id);
        return l;
    }

    public TrackerCore tracker() {
        return tracker.tracker();
    }

    /** The matrix RTT between two nodes (ms). */
    public double rtt(NodeId a, NodeId b) {
        return rtt[node(a).row][node(b).row];
    }

    public int row(NodeId id) {
        return node(id).row;
    }

    /** Things the harness refused: a Send on a connection that was never connected, a reused ConnId, ... */
    public long violations() {
        return violations;
    }

    public List<String> violationLog() {
        return List.copyOf(violationLog);
    }

    public long deliveries() {
        return deliveries;
    }

    /** Lines and bytes (CR LF included) node {@code id} sent, by "peerKind:TYPE" (peerKind node|tracker|echo). */
    public Map<String, long[]> sentBy(NodeId id) {
        return copy(node(id).sent);
    }

    public Map<String, long[]> receivedBy(NodeId id) {
        return copy(node(id).received);
    }

    public long probesBy(NodeId id) {
        return node(id).probes;
    }

    /** CPU time (ns) spent inside node {@code id}'s cores (when measured) and how many calls. */
    public long cpuNanos(NodeId id) {
        return node(id).cpuNanos;
    }

    public long coreCalls(NodeId id) {
        return node(id).calls;
    }

    private static Map<String, long[]> copy(Map<String, long[]> m) {
        Map<String, long[]> c = new TreeMap<>();
        m.forEach((k, v) -> c.put(k, v.clone()));
        return c;
    }

    private NodeHost node(NodeId id) {
        NodeHost h = nodes.get(id);
        if (h == null) throw new IllegalArgumentException("no node " + id);
        return h;
    }

    // ---------------------------------------------------------------------------------------- data

    /** The outcome of one {@link #sendData} request. */
    public static final class DataOutcome {
        public final String requestId;
        public final NodeId from;
        public final NodeId to;
        public final long sentAtMillis;
        private String state = "pending";
        private List<NodeId> path = List.of();
        private long rttMillis = -1;
        private String reason;
        private long doneAtMillis = -1;

        DataOutcome(String requestId, NodeId from, NodeId to, long sentAtMillis) {
            this.requestId = requestId;
            this.from = from;
            this.to = to;
            this.sentAtMillis = sentAtMillis;
        }

        void acked(List<NodeId> p, long sent, long acked) {
            state = "acked";
            path = p;
            rttMillis = acked - sent;
            doneAtMillis = acked;
        }

        void failed(String why, long at) {
            state = "failed";
            reason = why;
            doneAtMillis = at;
        }

        public boolean pending() {
            return state.equals("pending");
        }

        public boolean acked() {
            return state.equals("acked");
        }

        public boolean failed() {
            return state.equals("failed");
        }

        public List<NodeId> path() {
            return path;
        }

        public long rttMillis() {
            return rttMillis;
        }

        public String reason() {
            return reason;
        }

        public long doneAtMillis() {
            return doneAtMillis;
        }

        @Override
        public String toString() {
            return requestId + " " + from + "->" + to + " " + state
                    + (acked() ? " path=" + path + " rtt=" + rttMillis : "") + (failed() ? " reason=" + reason : "");
        }
    }

    /** Asks node {@code from} to send {@code payload} to {@code to} now; the outcome is filled in as time runs. */
    public DataOutcome sendData(NodeId from, NodeId to, byte[] payload) {
        return sendData(from, to, payload, null);
    }

    /** As {@link #sendData(NodeId, NodeId, byte[])}, routed at the source in {@code mode} (null: the default). */
    public DataOutcome sendData(NodeId from, NodeId to, byte[] payload, io.egoist.node.routing.RouteMode mode) {
        NodeHost h = node(from);
        String id = "r" + (++nextRequest);
        DataOutcome o = new DataOutcome(id, from, to, now());
        outcomes.put(id, o);
        if (!h.up) {
            o.failed("sender down", now());
            return o;
        }
        deliver(h, h.incarnation, new NodeEvent.SendData(id, to, payload, mode));
        return o;
    }

    // ---------------------------------------------------------------------------------------- running

    /** Runs every event up to and including time {@code ms}; afterwards {@link #now()} == ms. */
    public void runUntil(long ms) {
        long limit = ms * 1000;
        while (!queue.isEmpty() && queue.peek().atUs <= limit) {
            Scheduled s = queue.poll();
            nowUs = s.atUs;
            s.action.run();
        }
        if (limit > nowUs) nowUs = limit;
    }

    public void runFor(long ms) {
        runUntil(now() + ms);
    }

    /** Runs an action at virtual time {@code ms} (e.g. a crash in the middle of a run). */
    public void schedule(long ms, Runnable action) {
        at(Math.max(ms * 1000, nowUs), action);
    }

    private record Scheduled(long atUs, long seq, Runnable action) implements Comparable<Scheduled> {
        @Override
        public int compareTo(Scheduled o) {
            int c = Long.compare(atUs, o.atUs);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    void at(long us, Runnable r) {
        queue.add(new Scheduled(us, seq++, r));
    }

    // ---------------------------------------------------------------------------------------- core calls

    private interface CoreCall {
        List<Effect> run();
    }

    private List<Effect> call(Host h, CoreCall c) {
        h.calls++;
        if (!options.measureCpu) return c.run();
        long t0 = threads.getCurrentThreadCpuTime();
        List<Effect> r = c.run();
        h.cpuNanos += threads.getCurrentThreadCpuTime() - t0;
        return r;
    }

    void deliver(Host h, int incarnation, Event ev) {
        if (!h.up || h.incarnation != incarnation) return;
        List<Effect> effects = call(h, () -> h.core.handle(now(), ev));
        perform(h, effects);
    }

    private void perform(Host h, List<Effect> effects) {
        for (Effect e : effects) {
            if (!h.up) return;
            if (e instanceof Effect.Send s) transport.send(h, s.conn(), s.line());
            else if (e instanceof Effect.Close c) transport.close(h, c.conn());
            else if (e instanceof Effect.Connect c) transport.connect(h, c);
            else if (e instanceof Effect.SetTimer t) setTimer(h, t.key(), t.atMillis());
            else if (e instanceof Effect.CancelTimer t) h.timers.remove(t.key());
            else if (e instanceof Effect.Probe p) transport.probe(h, p);
            else h.onOwnEffect(e);
        }
    }

    void violation(Host h, String what) {
        violations++;
        if (violationLog.size() < 100) violationLog.add(h.address() + ": " + what);
    }

    private void setTimer(Host h, String key, long atMillis) {
        long gen = seq; // unique
        h.timers.put(key, gen);
        int inc = h.incarnation;
        at(Math.max(atMillis * 1000, nowUs), () -> {
            Long g = h.timers.get(key);
            if (g == null || g != gen || h.incarnation != inc) return;
            h.timers.remove(key);
            deliver(h, inc, new Event.TimerFired(key));
        });
    }
}
