package io.egoist.node;

import io.egoist.core.ConnId;
import io.egoist.core.Core;
import io.egoist.core.Effect;
import io.egoist.core.Event;
import io.egoist.sns.Costs;
import io.egoist.sns.Graph;
import io.egoist.sns.Policies;
import io.egoist.sns.ShortestPaths;
import io.egoist.sns.WiringPolicy;
import io.egoist.sns.WiringProblem;
import io.egoist.wire.Decoded;
import io.egoist.wire.Link;
import io.egoist.wire.Message;
import io.egoist.wire.NodeId;
import io.egoist.wire.Reassembler;
import io.egoist.wire.Seed;
import io.egoist.wire.WireCodec;
import io.egoist.wire.WireCodec.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The EGOIST node's protocol logic as a sans-I/O state machine: events in, effects out; no sockets, no clock,
 * no threads (see docs/DESIGN-NODE.md for the states, timers and messages).
 *
 * <ul>
 *   <li>Join: REG at the tracker over a new connection per request; one-line and segmented (OVER/NET) replies;
 *       back-off while the tracker is unreachable; REG again every {@code trackerRefreshMs} and after any
 *       failed tracker contact, which re-registers us when the tracker restarted and forgot us.</li>
 *   <li>Measurement: {@link Effect.Probe} to every known node every ping period, cost = mean of the last 3
 *       RTTs; the first answer fills the whole history (no 500 ms boot values in the first wiring); an
 *       unanswered probe makes the node dead (not a candidate, not routed through) until it answers again.</li>
 *   <li>Wiring: the sns policy on the current view, once the first measurements are in, then every re-wire
 *       period; a lost neighbor is replaced at once (greedy best addition).</li>
 *   <li>Link state: peer UPT flooded along out-links, duplicate suppression by hash, freshness per source by
 *       serial-number arithmetic modulo PKT_IDS_LIMIT; a new out-link first gets the latest update of every
 *       source we know (so a node nobody linked to before catches up at once).</li>
 *   <li>Extensions (HELLO-detected per peer): HB on out-links, DATA/DACK hop by hop along shortest paths.</li>
 * </ul>
 *
 * Not thread-safe: one thread (the runtime's loop) calls {@link #start}, {@link #handle} and the queries.
 */
public final class NodeCore implements Core {
    private static final Logger log = LoggerFactory.getLogger(NodeCore.class);

    /** How long a REG exchange may take before it is abandoned and retried. */
    static final long REG_TIMEOUT_MS = 10_000;
    /** How long we keep a tracker UPT/RMV connection open waiting for the tracker to close it (or NACK). */
    static final long TRACKER_LINGER_MS = 5_000;
    /** A neighbor link not up within max(this, 3 x the measured RTT) counts as failed. */
    static final long MIN_CONNECT_GRACE_MS = 1_000;
    /** Debounce before filling missing neighbors when new candidates get measured. */
    static final long FILL_DELAY_MS = 200;
    /** A re-announcement is due when a link cost moved by more than this fraction. */
    static final double COST_CHANGE = 0.10;
    /** At most this many lines wait on an out-link that is not connected yet. */
    static final int MAX_PENDING_LINES = 10_000;
    /** Remembered DATA/DACK ids for duplicate suppression. */
    static final int MAX_SEEN_MESSAGES = 100_000;
    /**
     * A link cost at or above this (ms) means "unreachable": the link is down. v0.2 announces such costs for a
     * neighbor whose probes fail (HUGE_DELAY, or the mean of three samples with one HUGE_DELAY among them,
     * about HUGE_DELAY / 3 = 3.07e18); 1e15 ms (31,000 years) is far above any real delay and far below those.
     * Such links are accepted in updates (no NACK) but never routed over.
     */
    public static final double UNREACHABLE_COST = 1e15;

    public enum Phase {
        JOINING,
        MEASURING,
        RUNNING
    }

    private final NodeConfig cfg;
    private final Random random;
    private final NodeId self;
    private final WiringPolicy policy;
    private final boolean useHb;
    private final boolean useData;
    private final String helloLine;

    private List<Effect> out = new ArrayList<>();
    private long now;
    private Phase phase = Phase.JOINING;
    private long nextConnId = 1;

    // ---- tracker ----
    private final Map<ConnId, TrackerRequest> trackerConns = new HashMap<>();
    private boolean regInFlight;
    private long trackerBackoff;
    /** A tracker contact failed since the last successful REG: the next REG counts as a re-registration. */
    private boolean trackerSuspect;

    private boolean everRegistered;

    // ---- peers and measurements (hash order is deterministic; sorted where the order matters) ----
    private final Map<NodeId, Peer> peers = new HashMap<>();
    /** Known nodes without a probe result yet (the first wiring waits for them). */
    private final Set<NodeId> unprobed = new HashSet<>();

    // ---- link state ----
    private final Map<NodeId, SourceState> linkState = new HashMap<>();
    private final Set<String> seenHashes = new HashSet<>();
    private int ownSeq = -1;
    private String ownLine;
    private List<Link> ownLinks = List.of();
    private long lastAnnounce = Long.MIN_VALUE;
    /** A re-wiring waits for its new links to come up before it is announced. */
    private boolean announceDeferred;

    // ---- neighbors and connections ----
    private final LinkedHashMap<NodeId, OutLink> neighbors = new LinkedHashMap<>();
    /** Old out-links kept up until the links replacing them are up (make before break). */
    private final LinkedHashMap<NodeId, OutLink> retiring = new LinkedHashMap<>();

    private final Map<ConnId, OutLink> outConns = new HashMap<>();
    private final Map<ConnId, HelloExchange> helloConns = new HashMap<>();
    /** Accepted connections (in-links): who connected, and whether it has shown it speaks our extensions. */
    private final Map<ConnId, InConn> inConns = new HashMap<>();

    private long hbSeq;

    // ---- routing cache ----
    private View view;

    // ---- data plane ----
    private final Map<String, PendingData> pendingData = new HashMap<>();
    /** DATA/DACK lines waiting for a route (see {@link DataHold}); retried whenever the view changed. */
    private final DataHold hold = new DataHold(MAX_PENDING_LINES);
    /** Bumped by every {@link #invalidate}; the held lines were last tried against view generation holdTriedGen. */
    private long viewGen;

    private long holdTriedGen = -1;
    private final LinkedHashMap<String, Boolean> seenMessages = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> e) {
            return size() > MAX_SEEN_MESSAGES;
        }
    };

    // ---- counters (read by tests and the benchmark) ----
    private final Counters counters = new Counters();

    public NodeCore(NodeConfig cfg, Random random) {
        this.cfg = cfg;
        this.random = random;
        this.self = cfg.self();
        this.policy = policyFor(cfg);
        this.useHb = cfg.supports(NodeConfig.FEATURE_HB);
        this.useData = cfg.supports(NodeConfig.FEATURE_DATA);
        this.helloLine = cfg.features().isEmpty() ? null : WireCodec.encode(new Message.Hello(self, cfg.features()));
        this.trackerBackoff = cfg.trackerRetryMs();
    }

    /** The policy object for a configuration ({@code br-eps} takes the configured ε). */
    static WiringPolicy policyFor(NodeConfig cfg) {
        if (cfg.policy().equals("br-eps")) return Policies.brEpsilon(cfg.epsilon());
        return Policies.byName(cfg.policy());
    }

    // =====================================================================================================
    // Core
    // =====================================================================================================

    @Override
    public List<Effect> start(long nowMillis) {
        begin(nowMillis);
        log.info("event=start node={} k={} policy={} features={}", self, cfg.k(), cfg.policy(), cfg.features());
        register("start");
        out.add(new Effect.SetTimer(Timers.ERASE, now + cfg.eraseHashMs()));
        if (useHb) out.add(new Effect.SetTimer(Timers.HEARTBEAT, now + cfg.heartbeatPeriodMs()));
        return finish();
    }

    @Override
    public List<Effect> handle(long nowMillis, Event event) {
        begin(nowMillis);
        if (event instanceof Event.LineReceived e) onLine(e.conn(), e.line());
        else if (event instanceof Event.TimerFired e) onTimer(e.key());
        else if (event instanceof Event.ProbeResult e) onProbeResult(e.target(), e.rttMs());
        else if (event instanceof Event.Connected e) onConnected(e.conn());
        else if (event instanceof Event.ConnectFailed e) onConnectFailed(e.conn(), e.reason());
        else if (event instanceof Event.Closed e) onClosed(e.conn());
        else if (event instanceof Event.Accepted e)
            inConns.put(e.conn(), new InConn(e.remoteHost() + ":" + e.remotePort()));
        else if (event instanceof Event.LineTooLong e) onLineTooLong(e.conn());
        else if (event instanceof NodeEvent.SendData e) onSendData(e);
        else log.warn("event=unknown_event node={} event={}", self, event);
        return finish();
    }

    private void begin(long nowMillis) {
        now = nowMillis;
        out = new ArrayList<>();
    }

    private List<Effect> finish() {
        if (!hold.isEmpty() && holdTriedGen != viewGen) retryHeld();
        List<Effect> r = out;
        out = new ArrayList<>();
        return r;
    }

    // =====================================================================================================
    // queries
    // =====================================================================================================

    public NodeConfig config() {
        return cfg;
    }

    public NodeId id() {
        return self;
    }

    public Phase phase() {
        return phase;
    }

    /**
     * This node's HELLO line, which its echo server answers a HELLO probe with; empty when the node has no
     * extensions (features = []): then the echo server echoes HELLO lines verbatim, like v0.2.
     */
    public Optional<String> helloLine() {
        return Optional.ofNullable(helloLine);
    }

    public NodeStatus status() {
        View v = view();
        List<NodeStatus.Neighbor> ns = new ArrayList<>();
        for (OutLink l : neighbors.values()) {
            Peer p = peers.get(l.peer);
            ns.add(new NodeStatus.Neighbor(
                    l.peer, p == null ? Double.NaN : p.cost(), l.connected, p == null ? null : p.features));
        }
        WiringProblem pr = problem(v);
        double ownCost = pr.current().length == 0 ? Double.NaN : Costs.cost(pr, pr.current());
        int unreachable = 0;
        for (int j = 0; j < v.ids.size(); j++) {
            if (j != v.selfIdx && !(v.tree.dist()[j] < Double.POSITIVE_INFINITY)) unreachable++;
        }
        return new NodeStatus(
                self, phase.name(), cfg.policy(), cfg.k(), ns, peers.size(), ownCost, unreachable, cfg.features());
    }

    /** The routing table: a shortest path over the link-state view to every reachable known live node. */
    public List<RouteInfo> routes() {
        View v = view();
        List<RouteInfo> r = new ArrayList<>();
        for (int j = 0; j < v.ids.size(); j++) {
            if (j == v.selfIdx) continue;
            RouteInfo ri = v.route(j, v.tree);
            if (ri != null) r.add(ri);
        }
        return r;
    }

    public Optional<RouteInfo> route(NodeId destination) {
        View v = view();
        Integer j = v.index.get(destination);
        if (j == null || j == v.selfIdx) return Optional.empty();
        return Optional.ofNullable(v.route(j, v.tree));
    }

    /** The out-neighbors as chosen (connected or connecting). */
    public List<NodeId> neighbors() {
        return List.copyOf(neighbors.keySet());
    }

    /** The links we last announced (self → neighbor, cost). */
    public List<Link> announcedLinks() {
        return ownLinks;
    }

    /** The links this node currently holds for {@code source} (empty if none). */
    public List<Link> linksOf(NodeId source) {
        if (source.equals(self)) return ownLinks;
        SourceState s = linkState.get(source);
        return s == null ? List.of() : s.links;
    }

    /** Every node this node knows of (self excluded). */
    public Set<NodeId> knownNodes() {
        return Collections.unmodifiableSet(peers.keySet());
    }

    /** Known nodes this node currently believes alive (not dead by its probes), self excluded. */
    public Set<NodeId> liveNodes() {
        Set<NodeId> s = new TreeSet<>(ORDER);
        for (Peer p : peers.values()) if (!p.dead()) s.add(p.id);
        return s;
    }

    /** The measured cost of the direct link to {@code node} (NaN when unmeasured or dead). */
    public double measuredCost(NodeId node) {
        Peer p = peers.get(node);
        return p == null || !p.candidate() ? Double.NaN : p.cost();
    }

    /** The features {@code node} advertised: empty for v0.2, null while unknown. */
    public List<String> featuresOf(NodeId node) {
        Peer p = peers.get(node);
        return p == null ? null : p.features;
    }

    /** The sequence number of our latest announcement, or -1 before the first. */
    public int ownSequence() {
        return ownSeq;
    }

    /** The last sequence number accepted from {@code source}, or -1. */
    public int lastSeq(NodeId source) {
        SourceState s = linkState.get(source);
        return s == null || s.seq == null ? -1 : s.seq;
    }

    public Counters counters() {
        return counters;
    }

    /** Counts of significant events, for tests and the benchmark. */
    public static final class Counters {
        public long replayed, forwarded;
        public long rewires,
                changes,
                repairs,
                aborted,
                neighborsLost,
                updatesAccepted,
                updatesStale,
                updatesDuplicate,
                rejected,
                registrations,
                reRegistrations,
                dataForwarded,
                dataDropped,
                announcements;
        /** Periodic br steps that kept the wiring because the gain was below the noise guard. */
        public long guarded;
        /** DATA/DACK lines that waited for a route (held) and were sent once one appeared. */
        public long held, heldSent;
        /** Dropped DATA/DACK by reason (ttl, loop, no_route, no_route_for_ack, link_lost). */
        public final Map<String, Long> drops = new TreeMap<>();
    }

    // =====================================================================================================
    // tracker
    // =====================================================================================================

    private enum TrackerKind {
        REG,
        UPT,
        RMV
    }

    private static final class TrackerRequest {
        final TrackerKind kind;
        final String line;
        final String reason;
        final Reassembler reassembler = new Reassembler();
        boolean connected;

        TrackerRequest(TrackerKind kind, String line, String reason) {
            this.kind = kind;
            this.line = line;
            this.reason = reason;
        }
    }

    private void register(String reason) {
        if (regInFlight) return;
        regInFlight = true;
        out.add(new Effect.CancelTimer(Timers.REGISTER));
        openTracker(new TrackerRequest(TrackerKind.REG, WireCodec.encode(new Message.Register(self)), reason));
        out.add(new Effect.SetTimer(Timers.REG_TIMEOUT, now + REG_TIMEOUT_MS));
    }

    private void openTracker(TrackerRequest req) {
        ConnId c = newConn();
        trackerConns.put(c, req);
        out.add(new Effect.Connect(c, cfg.trackerHost(), cfg.trackerPort()));
    }

    private void sendTrackerUpdate() {
        openTracker(
                new TrackerRequest(TrackerKind.UPT, WireCodec.encode(new Message.TrackerUpdate(ownLinks)), "announce"));
    }

    private void sendRemove(NodeId dead) {
        openTracker(new TrackerRequest(TrackerKind.RMV, WireCodec.encode(new Message.Remove(dead)), "remove"));
    }

    private void onTrackerConnected(ConnId c, TrackerRequest req) {
        req.connected = true;
        out.add(new Effect.Send(c, req.line));
        if (req.kind != TrackerKind.REG) out.add(new Effect.SetTimer(Timers.linger(c), now + TRACKER_LINGER_MS));
    }

    private void onTrackerLine(ConnId c, TrackerRequest req, String line) {
        if (req.kind != TrackerKind.REG) {
            Decoded d = WireCodec.decode(Context.TRACKER_REPLY, line);
            closeTracker(c);
            if (d instanceof Decoded.Ok ok && ok.message() instanceof Message.Nack n) {
                log.warn("event=tracker_nack node={} request={} reason={}", self, req.kind, n.reason());
                if (req.kind == TrackerKind.UPT) {
                    trackerSuspect = true;
                    register("tracker rejected our update");
                }
            }
            return;
        }
        if (line.isEmpty()) {
            // A v0.2 tracker answers a duplicate REG with an empty line: it knows us already.
            closeTracker(c);
            regDone();
            if (phase == Phase.JOINING) {
                // Only a v0.2 tracker does this (ours always sends the full reply): it still holds our previous
                // life's registration and forgets a node only at a sweep after an RMV. Report ourselves, so its
                // next sweep drops the stale record and a later REG gets the full reply. Sent after every empty
                // reply, so ours is the last event before the sweep even if a duplicate REG counted as one.
                log.warn(
                        "event=join_pending node={} reason=duplicate_registration action=remove_self retry_ms={}",
                        self,
                        trackerBackoff);
                sendRemove(self);
                scheduleRegister(backoff());
            } else {
                log.info("event=register_refresh node={} reply=empty", self);
                onRegistered(false);
            }
            return;
        }
        Reassembler.Result r = req.reassembler.acceptLine(line);
        if (r instanceof Reassembler.NeedMore) return;
        closeTracker(c);
        regDone();
        if (r instanceof Reassembler.Done done) {
            onRegisterReply(done.reply(), req.reason);
        } else {
            String why = ((Reassembler.Failed) r).reason();
            log.warn("event=tracker_bad_reply node={} reason={}", self, why);
            scheduleRegister(backoff());
        }
    }

    private void regDone() {
        regInFlight = false;
        out.add(new Effect.CancelTimer(Timers.REG_TIMEOUT));
    }

    private void closeTracker(ConnId c) {
        TrackerRequest req = trackerConns.remove(c);
        if (req == null) return;
        out.add(new Effect.Close(c));
        if (req.kind != TrackerKind.REG) out.add(new Effect.CancelTimer(Timers.linger(c)));
    }

    private void onTrackerFailed(ConnId c, TrackerRequest req, String reason) {
        trackerConns.remove(c);
        if (req.kind != TrackerKind.REG) out.add(new Effect.CancelTimer(Timers.linger(c)));
        log.warn(
                "event=tracker_unreachable node={} request={} reason={} retry_ms={}",
                self,
                req.kind,
                reason,
                trackerBackoff);
        if (req.kind == TrackerKind.REG) {
            regDone();
        }
        if (everRegistered) trackerSuspect = true;
        if (!regInFlight) scheduleRegister(backoff());
    }

    private long backoff() {
        long b = trackerBackoff;
        trackerBackoff = Math.min(trackerBackoff * 2, cfg.trackerRetryMaxMs());
        return b;
    }

    private void scheduleRegister(long delay) {
        out.add(new Effect.SetTimer(Timers.REGISTER, now + delay));
    }

    private void onRegisterReply(Message.RegisterReply reply, String reason) {
        counters.registrations++;
        boolean first = phase == Phase.JOINING;
        boolean trackerHadOurLinks = false;
        for (Link l : reply.links()) if (l.src().equals(self)) trackerHadOurLinks = true;
        for (NodeId n : reply.nodes()) learn(n);
        // Tracker links have no sequence number: use them only for sources we have no flooded update of.
        Map<NodeId, List<Link>> bySource = new TreeMap<>();
        for (Link l : reply.links()) {
            if (l.src().equals(self) || l.dst().equals(l.src())) continue;
            bySource.computeIfAbsent(l.src(), s -> new ArrayList<>()).add(l);
        }
        for (Map.Entry<NodeId, List<Link>> e : bySource.entrySet()) {
            SourceState s = linkState.get(e.getKey());
            if (s == null || s.seq == null) {
                linkState.put(e.getKey(), new SourceState(null, e.getValue(), null));
                for (Link l : e.getValue()) learn(l.dst());
            }
        }
        invalidate();
        if (first) {
            log.info(
                    "event=join node={} tracker={}:{} nodes={} links={}",
                    self,
                    cfg.trackerHost(),
                    cfg.trackerPort(),
                    reply.nodes().size(),
                    reply.links().size());
            startMeasuring();
        } else if (trackerSuspect || (!ownLinks.isEmpty() && !trackerHadOurLinks)) {
            counters.reRegistrations++;
            log.info(
                    "event=reregister node={} reason={} nodes={} links={}",
                    self,
                    trackerSuspect ? "tracker_was_unreachable" : "tracker_lacked_our_links",
                    reply.nodes().size(),
                    reply.links().size());
            sendTrackerUpdate();
        }
        onRegistered(true);
    }

    private void onRegistered(boolean fullReply) {
        everRegistered = true;
        trackerSuspect = false;
        trackerBackoff = cfg.trackerRetryMs();
        scheduleRegister(cfg.trackerRefreshMs());
    }

    // =====================================================================================================
    // peers and measurement
    // =====================================================================================================

    /** What we know about another node. */
    static final class Peer {
        final NodeId id;
        final double[] samples = {Seed.BOOT_DELAY, Seed.BOOT_DELAY, Seed.BOOT_DELAY};
        int answers;
        boolean probed;
        boolean lastOk = true;
        int failures;
        /** null = unknown; empty = v0.2 peer. */
        List<String> features;

        boolean helloPending;
        /** Lost by heartbeats: RMV it at the tracker only if the probe sent then fails too. */
        boolean removeOnProbeFailure;

        final long learnedAt;

        Peer(NodeId id, long learnedAt) {
            this.id = id;
            this.learnedAt = learnedAt;
        }

        boolean dead() {
            return probed && !lastOk;
        }

        boolean candidate() {
            return lastOk && answers > 0;
        }

        double cost() {
            return (samples[0] + samples[1] + samples[2]) / 3.0;
        }

        boolean supports(String f) {
            return features != null && features.contains(f);
        }

        void sample(double rtt) {
            if (answers == 0 || !lastOk) {
                Arrays.fill(samples, rtt);
            } else {
                samples[0] = samples[1];
                samples[1] = samples[2];
                samples[2] = rtt;
            }
            answers++;
            probed = true;
            lastOk = true;
            failures = 0;
        }

        void fail() {
            samples[0] = samples[1];
            samples[1] = samples[2];
            samples[2] = Seed.HUGE_DELAY;
            probed = true;
            lastOk = false;
            failures++;
        }
    }

    private void learn(NodeId id) {
        if (id.equals(self) || peers.containsKey(id)) return;
        Peer p = new Peer(id, now);
        peers.put(id, p);
        unprobed.add(id);
        out.add(new Effect.SetTimer(Timers.probe(id), now + cfg.firstProbeDelayMs()));
        detectFeatures(p);
        invalidate();
    }

    private void forget(Peer p) {
        log.info("event=forget node={} peer={} failures={}", self, p.id, p.failures);
        peers.remove(p.id);
        unprobed.remove(p.id);
        linkState.remove(p.id);
        out.add(new Effect.CancelTimer(Timers.probe(p.id)));
        invalidate();
    }

    private void onProbeTimer(NodeId id) {
        Peer p = peers.get(id);
        if (p == null) return;
        out.add(new Effect.Probe(id, cfg.pingTimeoutMs()));
        out.add(new Effect.SetTimer(Timers.probe(id), now + cfg.pingPeriodMs()));
    }

    /** Probe now (e.g. to confirm a suspected failure) without moving the periodic schedule. */
    private void probeSoon(Peer p) {
        out.add(new Effect.Probe(p.id, cfg.pingTimeoutMs()));
    }

    private void onProbeResult(NodeId target, double rtt) {
        Peer p = peers.get(target);
        if (p == null) return;
        unprobed.remove(target);
        boolean wasCandidate = p.candidate();
        boolean wasDead = p.dead();
        if (rtt >= 0 && Double.isFinite(rtt)) {
            if (p.removeOnProbeFailure) {
                p.removeOnProbeFailure = false;
                log.info(
                        "event=remove_withheld node={} peer={} reason=probe_answered rtt_ms={}",
                        self,
                        target,
                        fmt(rtt));
            }
            p.sample(rtt);
            if (wasDead) log.info("event=node_alive node={} peer={} rtt_ms={}", self, target, fmt(rtt));
            if (p.features == null && !p.helloPending) detectFeatures(p);
        } else {
            p.fail();
            if (!wasDead) log.info("event=node_dead node={} peer={} cause=probe_timeout", self, target);
            if (p.removeOnProbeFailure) {
                p.removeOnProbeFailure = false;
                sendRemove(target); // heartbeats and the probe both failed: now report it
            }
            if (p.failures >= cfg.forgetAfterFailures() && !neighbors.containsKey(target)) {
                forget(p);
                afterMeasurement();
                return;
            }
            if (neighbors.containsKey(target)) {
                neighborLost(target, "probe_timeout", true);
            }
        }
        if (wasCandidate != p.candidate() || wasDead != p.dead()) invalidate();
        afterMeasurement();
        if (!wasCandidate && p.candidate() && phase == Phase.RUNNING && neighbors.size() < cfg.k()) {
            out.add(new Effect.SetTimer(Timers.FILL, now + FILL_DELAY_MS));
        }
    }

    private void startMeasuring() {
        phase = Phase.MEASURING;
        if (peers.isEmpty()) {
            enterRunning();
            return;
        }
        out.add(new Effect.SetTimer(Timers.INITIAL_WIRING, now + cfg.firstProbeDelayMs() + cfg.pingTimeoutMs() + 100));
    }

    /** In MEASURING: wire as soon as every known node has answered or timed out once. */
    private void afterMeasurement() {
        if (phase != Phase.MEASURING) return;
        if (!unprobed.isEmpty()) return;
        out.add(new Effect.CancelTimer(Timers.INITIAL_WIRING));
        enterRunning();
    }

    private void enterRunning() {
        phase = Phase.RUNNING;
        rewire("initial");
        scheduleRewire();
    }

    private void scheduleRewire() {
        long p = cfg.rewirePeriodMs();
        long jitter = p / 10;
        long delay = p - jitter + (jitter > 0 ? (long) (random.nextDouble() * 2 * jitter) : 0);
        out.add(new Effect.SetTimer(Timers.REWIRE, now + delay));
    }

    // ---- capability detection (HELLO on the peer's echo port) ----

    private static final class HelloExchange {
        final NodeId peer;

        HelloExchange(NodeId peer) {
            this.peer = peer;
        }
    }

    private void detectFeatures(Peer p) {
        if (helloLine == null || p.features != null || p.helloPending) return;
        p.helloPending = true;
        ConnId c = newConn();
        helloConns.put(c, new HelloExchange(p.id));
        out.add(new Effect.Connect(c, p.id.ip(), p.id.echoPort()));
        out.add(new Effect.SetTimer(Timers.hello(c), now + cfg.pingTimeoutMs() * 2));
    }

    private void onHelloLine(ConnId c, HelloExchange h, String line) {
        endHello(c, h);
        Peer p = peers.get(h.peer);
        if (p == null) return;
        List<String> features;
        if (line.equals(helloLine)) {
            features = List.of(); // echoed verbatim: a v0.2 echo port
        } else {
            Decoded d = WireCodec.decode(Context.ECHO, line);
            if (d instanceof Decoded.Ok ok && ok.message() instanceof Message.Hello hello) {
                features = hello.features();
            } else {
                log.warn("event=hello_unexpected node={} peer={} line={}", self, h.peer, clip(line));
                features = List.of();
            }
        }
        boolean changed = !features.equals(p.features);
        p.features = features;
        log.debug("event=features node={} peer={} features={}", self, h.peer, features);
        if (changed) {
            invalidate();
            OutLink l = neighbors.get(p.id);
            if (l != null) l.lastHeard = now;
        }
    }

    private void endHello(ConnId c, HelloExchange h) {
        helloConns.remove(c);
        out.add(new Effect.Close(c));
        out.add(new Effect.CancelTimer(Timers.hello(c)));
        Peer p = peers.get(h.peer);
        if (p != null) p.helloPending = false;
    }

    // =====================================================================================================
    // wiring
    // =====================================================================================================

    /** The problem handed to the policy, over the view's index (self + known live nodes). */
    private WiringProblem problem(View v) {
        int n = v.ids.size();
        double[] direct = new double[n];
        for (int j = 0; j < n; j++) {
            if (j == v.selfIdx) {
                direct[j] = Double.NaN;
                continue;
            }
            Peer p = peers.get(v.ids.get(j));
            direct[j] = p != null && p.candidate() ? p.cost() : Double.NaN;
        }
        return WiringProblem.delay(v.selfIdx, cfg.k(), direct, v.residual, currentIndices(v, direct));
    }

    private int[] currentIndices(View v, double[] direct) {
        List<Integer> cur = new ArrayList<>();
        for (NodeId n : neighbors.keySet()) {
            Integer j = v.index.get(n);
            if (j != null && !Double.isNaN(direct[j])) cur.add(j);
        }
        return cur.stream().mapToInt(Integer::intValue).toArray();
    }

    /** One wiring step: run the policy on the current view and switch to its choice. */
    private void rewire(String reason) {
        View v = view();
        WiringProblem pr = problem(v);
        int[] chosen;
        if (isStatic() && pr.current().length == Math.min(cfg.k(), candidates(pr))) {
            chosen = pr.current(); // a static policy keeps a complete, valid wiring
        } else {
            chosen = policy.choose(pr, random);
            if (reason.equals("period")) chosen = noiseGuard(pr, chosen);
        }
        counters.rewires++;
        apply(v, pr, chosen, reason);
    }

    /**
     * Policy {@code br}: keep a complete current wiring when the policy's choice gains less than the measurement
     * noise ({@link RewireGuard}); otherwise the choice.
     */
    private int[] noiseGuard(WiringProblem pr, int[] chosen) {
        int[] current = pr.current();
        if (!RewireGuard.applies(cfg) || current.length != Math.min(cfg.k(), candidates(pr))) return chosen;
        Set<Integer> a = new HashSet<>(), b = new HashSet<>();
        for (int j : current) a.add(j);
        for (int j : chosen) b.add(j);
        if (a.equals(b)) return chosen;
        double oldCost = Costs.cost(pr, current);
        double newCost = Costs.cost(pr, chosen);
        if (RewireGuard.worthIt(cfg, oldCost, newCost)) return chosen;
        counters.guarded++;
        log.debug(
                "event=rewire_skipped node={} reason=below_noise old_cost={} new_cost={} threshold_ms={}",
                self,
                fmt(oldCost),
                fmt(newCost),
                fmt(RewireGuard.threshold(cfg, oldCost)));
        return current;
    }

    /** Fill missing out-links at once (after a loss, or when new candidates appear while under k). */
    private void repair(String reason) {
        repair(reason, new ArrayList<>(neighbors.keySet()), List.of());
    }

    /**
     * Fills the free out-link slots: first with {@code preferred} nodes that are candidates, then greedily with
     * the candidate that lowers C_i most (k-random: a random one; k-closest: the closest).
     */
    private void repair(String reason, List<NodeId> oldList, List<NodeId> preferred) {
        if (phase != Phase.RUNNING) return;
        View v = view();
        WiringProblem pr = problem(v);
        List<Integer> cur = new ArrayList<>();
        for (int j : pr.current()) cur.add(j);
        int want = Math.min(cfg.k(), candidates(pr));
        for (NodeId n : preferred) {
            Integer j = v.index.get(n);
            if (cur.size() < want && j != null && !Double.isNaN(pr.direct()[j]) && !cur.contains(j)) cur.add(j);
        }
        if (cur.size() >= want) {
            apply(v, pr, toArray(cur), reason, oldList); // e.g. a dead neighbor was dropped, none to replace it
            return;
        }
        while (cur.size() < want) {
            int best = -1;
            double bestCost = Double.POSITIVE_INFINITY;
            List<Integer> options = new ArrayList<>();
            for (int j = 0; j < pr.size(); j++) {
                if (Double.isNaN(pr.direct()[j]) || cur.contains(j)) continue;
                options.add(j);
            }
            if (options.isEmpty()) break;
            if (cfg.policy().equals("k-random")) {
                best = options.get(random.nextInt(options.size()));
            } else if (cfg.policy().equals("k-closest")) {
                for (int j : options)
                    if (pr.direct()[j] < bestCost) {
                        bestCost = pr.direct()[j];
                        best = j;
                    }
            } else {
                best = greedyBest(pr, cur, options);
            }
            cur.add(best);
        }
        counters.repairs++;
        apply(v, pr, toArray(cur), reason, oldList);
    }

    /**
     * The option w minimising C_i(cur + w): with d_w = Dijkstra from w over G − i, a destination j costs
     * min over s in cur + w of direct[s] + d_s[j] (unreachable: the penalty). One Dijkstra per node involved.
     */
    private static int greedyBest(WiringProblem pr, List<Integer> cur, List<Integer> options) {
        int n = pr.size();
        double[] base = new double[n];
        java.util.Arrays.fill(base, Double.POSITIVE_INFINITY);
        for (int s : cur) {
            double[] d = ShortestPaths.distances(pr.residual(), s);
            for (int j = 0; j < n; j++) base[j] = Math.min(base[j], pr.direct()[s] + d[j]);
        }
        int best = -1;
        double bestCost = Double.POSITIVE_INFINITY;
        for (int w : options) {
            double[] d = ShortestPaths.distances(pr.residual(), w);
            double sum = 0;
            for (int j = 0; j < n; j++) {
                if (j == pr.self() || Double.isNaN(pr.direct()[j])) continue; // destinations: the measured live nodes
                double v = Math.min(base[j], pr.direct()[w] + d[j]);
                sum += v < Double.POSITIVE_INFINITY ? v : Costs.UNREACHABLE_PENALTY;
            }
            if (sum < bestCost) {
                bestCost = sum;
                best = w;
            }
        }
        return best;
    }

    private boolean isStatic() {
        return cfg.policy().equals("k-random");
    }

    private static int candidates(WiringProblem pr) {
        int c = 0;
        for (int j = 0; j < pr.size(); j++) if (j != pr.self() && !Double.isNaN(pr.direct()[j])) c++;
        return c;
    }

    private static int[] toArray(List<Integer> l) {
        return l.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Switch to wiring {@code chosen} (indices of view {@code v}), log the change, announce. */
    private void apply(View v, WiringProblem pr, int[] chosen, String reason) {
        apply(v, pr, chosen, reason, new ArrayList<>(neighbors.keySet()));
    }

    private void apply(View v, WiringProblem pr, int[] chosen, String reason, List<NodeId> oldList) {
        List<NodeId> newList = new ArrayList<>();
        for (int j : chosen) newList.add(v.ids.get(j));
        boolean changed = !new HashSet<>(oldList).equals(new HashSet<>(newList));
        if (changed) {
            if (!reason.equals("initial") && !reason.startsWith("fill")) counters.changes++;
            if (log.isInfoEnabled()) {
                double oldCost = pr.current().length == 0 ? Double.NaN : Costs.cost(pr, pr.current());
                double newCost = chosen.length == 0 ? Double.NaN : Costs.cost(pr, chosen);
                log.info(
                        "event=rewire node={} reason={} old={} new={} old_cost={} new_cost={}",
                        self,
                        reason,
                        oldList,
                        newList,
                        fmt(oldCost),
                        fmt(newCost));
            }
            boolean lost = reason.startsWith("lost:");
            boolean adding = false;
            for (NodeId n : newList) if (!neighbors.containsKey(n)) adding = true;
            for (NodeId n : new ArrayList<>(neighbors.keySet())) {
                if (newList.contains(n)) continue;
                if (lost || !adding) dropNeighbor(n);
                else retire(n);
            }
            for (NodeId n : newList) {
                if (neighbors.containsKey(n)) continue;
                OutLink back = retiring.remove(n);
                if (back != null) neighbors.put(n, back);
                else addNeighbor(n);
            }
        }
        // Only links that are up are announced (and routed over): a link to a node that turns out to be dead
        // is never advertised. Make before break: a re-wiring keeps its old links (routed over, announced)
        // until the new ones are up, then switches with one announcement. A loss is announced at once (the
        // lost link must go), and again when the replacement is up.
        boolean pending = false;
        for (OutLink l : neighbors.values()) if (!l.connected) pending = true;
        if (!pending) {
            finishRetiring();
            announce();
            announceDeferred = false;
            reportToTracker();
        } else {
            if (reason.startsWith("lost:")) announce();
            announceDeferred = true;
        }
    }

    /** An old link stays up (routed over, announced) until the links replacing it are up. */
    private void retire(NodeId n) {
        OutLink l = neighbors.remove(n);
        if (l != null) retiring.put(n, l);
    }

    private void finishRetiring() {
        for (NodeId n : new ArrayList<>(retiring.keySet())) {
            OutLink l = retiring.remove(n);
            outConns.remove(l.conn);
            if (l.connected) out.add(new Effect.Send(l.conn, WireCodec.encode(new Message.Teardown())));
            out.add(new Effect.Close(l.conn));
        }
        invalidate();
    }

    /** A link we were about to drop failed first: forget it, report it, announce without it. */
    private void retiringLost(OutLink l, String cause) {
        retiring.remove(l.peer);
        outConns.remove(l.conn);
        out.add(new Effect.Close(l.conn));
        log.warn("event=neighbor_lost node={} neighbor={} cause={} retiring=true", self, l.peer, cause);
        Peer p = peers.get(l.peer);
        if (p != null && p.lastOk && !cause.equals("teardown")) {
            p.probed = true;
            p.lastOk = false;
            probeSoon(p);
            sendRemove(l.peer);
        }
        invalidate();
        announce();
    }

    /**
     * Every wiring step also tells the tracker (a sign of life there); with no links, a REG instead, since a
     * bare UPT cannot name its sender.
     */
    private void reportToTracker() {
        if (ownLinks.isEmpty()) register("no links to report");
        else sendTrackerUpdate();
    }

    // =====================================================================================================
    // out-links
    // =====================================================================================================

    private static final class OutLink {
        final NodeId peer;
        final ConnId conn;
        boolean connected;
        long lastHeard;
        final ArrayDeque<String> pending = new ArrayDeque<>();

        OutLink(NodeId peer, ConnId conn) {
            this.peer = peer;
            this.conn = conn;
        }
    }

    private void addNeighbor(NodeId n) {
        ConnId c = newConn();
        OutLink l = new OutLink(n, c);
        neighbors.put(n, l);
        outConns.put(c, l);
        out.add(new Effect.Connect(c, n.ip(), n.port()));
        Peer p = peers.get(n);
        double rtt = p != null && p.candidate() ? p.cost() : Seed.BOOT_DELAY;
        out.add(new Effect.SetTimer(Timers.connect(c), now + Math.max(MIN_CONNECT_GRACE_MS, (long) (3 * rtt))));
        invalidate();
    }

    /** Deliberate drop: TRD@ then close. */
    private void dropNeighbor(NodeId n) {
        OutLink l = neighbors.remove(n);
        if (l == null) return;
        outConns.remove(l.conn);
        out.add(new Effect.CancelTimer(Timers.connect(l.conn)));
        if (l.connected) out.add(new Effect.Send(l.conn, WireCodec.encode(new Message.Teardown())));
        out.add(new Effect.Close(l.conn));
        invalidate();
    }

    /**
     * A neighbor link failed (closed, connect failed, heartbeats missed, probe timeout): forget the link,
     * report RMV (unless the peer tore it down itself), replace it at once.
     */
    private void neighborLost(NodeId n, String cause, boolean reportRemove) {
        if (!neighbors.containsKey(n)) {
            OutLink r = retiring.get(n);
            if (r != null) retiringLost(r, cause);
            return;
        }
        List<NodeId> oldList = new ArrayList<>(neighbors.keySet());
        OutLink l = neighbors.remove(n);
        List<NodeId> orphans = reportRemove ? orphanShare(n) : List.of();
        outConns.remove(l.conn);
        out.add(new Effect.Close(l.conn));
        out.add(new Effect.CancelTimer(Timers.connect(l.conn)));
        counters.neighborsLost++;
        Peer p = peers.get(n);
        boolean confirmFirst = false;
        if (p != null && reportRemove && p.lastOk) {
            // Not a candidate until it answers a probe again; probe at once to find out.
            p.probed = true;
            p.lastOk = false;
            probeSoon(p);
            // Missed heartbeats may be a stall rather than a death; one RMV removes a live node from a v0.2
            // tracker, so report it only if the probe fails too (the replacement below happens at once anyway).
            if (cause.equals("heartbeat")) confirmFirst = p.removeOnProbeFailure = true;
        }
        log.warn("event=neighbor_lost node={} neighbor={} cause={} dropped_lines={}", self, n, cause, l.pending.size());
        if (reportRemove && !confirmFirst) sendRemove(n);
        invalidate();
        if (!l.connected && !retiring.isEmpty()) {
            // A re-wiring step failed to bring up one of its new links: undo that swap by keeping a link it
            // was about to drop (rather than picking yet another one greedily).
            NodeId back = retiring.keySet().iterator().next();
            neighbors.put(back, retiring.remove(back));
            log.info("event=rewire_aborted node={} failed={} kept={}", self, n, back);
            counters.aborted++;
            boolean pending = false;
            for (OutLink o : neighbors.values()) if (!o.connected) pending = true;
            if (!pending) {
                announceDeferred = false;
                finishRetiring();
                announce();
                reportToTracker();
            }
        } else if (phase == Phase.RUNNING) {
            repair("lost:" + n, oldList, orphans);
        }
        reroute(l.pending);
    }

    /**
     * When {@code dead} fails, the out-neighbors it was the only in-link of become unreachable. Every in-neighbor
     * of {@code dead} sees the same picture, so they split those orphans among themselves by their order
     * (instead of all grabbing the same replacement): ours is orphan[our rank mod #orphans].
     */
    private List<NodeId> orphanShare(NodeId dead) {
        SourceState ds = linkState.get(dead);
        if (ds == null || ds.links.isEmpty()) return List.of();
        List<NodeId> orphans = new ArrayList<>();
        for (Link l : ds.links) {
            if (down(l)) continue;
            NodeId o = l.dst();
            if (o.equals(self) || neighbors.containsKey(o)) continue;
            Peer p = peers.get(o);
            if (p == null || p.dead()) continue;
            boolean otherIn = false;
            for (Map.Entry<NodeId, SourceState> e : linkState.entrySet()) {
                if (e.getKey().equals(dead) || e.getKey().equals(o)) continue;
                Peer sp = peers.get(e.getKey());
                if (sp != null && sp.dead()) continue;
                for (Link x : e.getValue().links)
                    if (x.dst().equals(o) && !down(x)) {
                        otherIn = true;
                        break;
                    }
                if (otherIn) break;
            }
            if (!otherIn) orphans.add(o);
        }
        if (orphans.isEmpty()) return List.of();
        orphans.sort(ORDER);
        List<NodeId> inNeighbors = new ArrayList<>();
        inNeighbors.add(self);
        for (Map.Entry<NodeId, SourceState> e : linkState.entrySet()) {
            if (e.getKey().equals(dead)) continue;
            Peer sp = peers.get(e.getKey());
            if (sp == null || sp.dead()) continue;
            for (Link x : e.getValue().links)
                if (x.dst().equals(dead) && !down(x)) {
                    inNeighbors.add(e.getKey());
                    break;
                }
        }
        inNeighbors.sort(ORDER);
        int rank = inNeighbors.indexOf(self);
        List<NodeId> share = new ArrayList<>();
        for (int i = 0; i < orphans.size(); i++) share.add(orphans.get((rank + i) % orphans.size()));
        log.info(
                "event=orphans node={} dead={} orphans={} in_neighbors={} first_pick={}",
                self,
                dead,
                orphans,
                inNeighbors.size(),
                share.get(0));
        return share.subList(0, 1);
    }

    /** DATA/DACK lines that were waiting on a lost link go out again along the current routes. */
    private void reroute(ArrayDeque<String> lines) {
        for (String line : lines) {
            if (!line.startsWith(WireCodec.DATA + "@") && !line.startsWith(WireCodec.DATA_ACK + "@")) continue;
            Decoded d = WireCodec.decode(Context.PEER_LINK, line);
            if (!(d instanceof Decoded.Ok ok)) continue;
            Message m = ok.message();
            NodeId dst = m instanceof Message.Data data ? data.dst() : ((Message.DataAck) m).dst();
            String msgId = m instanceof Message.Data data ? data.msgId() : ((Message.DataAck) m).msgId();
            sendOrHold(line, dst, msgId, "link_lost");
        }
    }

    private void onOutConnected(OutLink l) {
        out.add(new Effect.CancelTimer(Timers.connect(l.conn)));
        l.connected = true;
        l.lastHeard = now;
        // Catch a newcomer up: the latest update of every source we hold (it drops what it has seen). A node
        // nobody linked to missed the floods so far; one we have known for a while has had them.
        Peer np = peers.get(l.peer);
        if (np == null || now - np.learnedAt <= 2 * cfg.rewirePeriodMs()) {
            List<NodeId> sources = new ArrayList<>(linkState.keySet());
            sources.sort(ORDER);
            for (NodeId src : sources) {
                SourceState s = linkState.get(src);
                if (s.line != null && !src.equals(l.peer)) {
                    out.add(new Effect.Send(l.conn, s.line));
                    counters.replayed++;
                }
            }
        }
        while (!l.pending.isEmpty()) out.add(new Effect.Send(l.conn, l.pending.poll()));
        invalidate();
        if (announceDeferred) {
            for (OutLink o : neighbors.values()) if (!o.connected) return;
            announceDeferred = false;
            finishRetiring();
            announce();
            reportToTracker();
        }
    }

    /** The connected out-link to {@code n} (a neighbor or a retiring one), or null. */
    private OutLink upLink(NodeId n) {
        OutLink l = neighbors.get(n);
        if (l == null) l = retiring.get(n);
        return l != null && l.connected ? l : null;
    }

    private void sendToNeighbor(OutLink l, String line) {
        if (l.connected) {
            out.add(new Effect.Send(l.conn, line));
        } else if (l.pending.size() < MAX_PENDING_LINES) {
            l.pending.add(line);
        }
    }

    private void onOutLine(OutLink l, String line) {
        Decoded d = WireCodec.decode(Context.PEER_LINK, line);
        if (d instanceof Decoded.Ok ok) {
            Message m = ok.message();
            if (m instanceof Message.Heartbeat) {
                l.lastHeard = now;
                return;
            }
            if (m instanceof Message.Nack n) {
                log.warn("event=nack_received node={} neighbor={} reason={}", self, l.peer, n.reason());
                return;
            }
            if (m instanceof Message.Teardown) {
                log.info("event=neighbor_teardown node={} neighbor={}", self, l.peer);
                neighborLost(l.peer, "teardown", false);
                return;
            }
        }
        log.debug("event=ignored_line node={} neighbor={} line={}", self, l.peer, clip(line));
    }

    private void onHeartbeatTimer() {
        out.add(new Effect.SetTimer(Timers.HEARTBEAT, now + cfg.heartbeatPeriodMs()));
        long limit = cfg.heartbeatMisses() * cfg.heartbeatPeriodMs();
        List<NodeId> lost = new ArrayList<>();
        for (OutLink l : neighbors.values()) {
            if (!l.connected) continue;
            Peer p = peers.get(l.peer);
            if (p == null || !p.supports(NodeConfig.FEATURE_HB)) continue;
            if (now - l.lastHeard > limit) {
                lost.add(l.peer);
            } else {
                out.add(new Effect.Send(l.conn, WireCodec.encode(new Message.Heartbeat(++hbSeq))));
            }
        }
        for (NodeId n : lost) neighborLost(n, "heartbeat", true);
    }

    // =====================================================================================================
    // link state
    // =====================================================================================================

    /** The latest update we accepted from a source (tracker-derived when seq == null). */
    private static final class SourceState {
        final Integer seq;
        final List<Link> links;
        final String line;

        SourceState(Integer seq, List<Link> links, String line) {
            this.seq = seq;
            this.links = List.copyOf(links);
            this.line = line;
        }
    }

    /** True iff sequence number {@code s} is newer than {@code r} modulo PKT_IDS_LIMIT (RFC 1982 style). */
    public static boolean seqNewer(int s, int r) {
        int d = Math.floorMod(s - r, Seed.PKT_IDS_LIMIT);
        return d > 0 && d < Seed.PKT_IDS_LIMIT / 2;
    }

    /**
     * The clock unit of our first sequence number: two thirds of the re-wiring period (40 s by default), at
     * least 1 s. We announce about once per wiring step at most (plus one or two per lost neighbor), so this
     * clock runs ahead of our counter and a restarted node's first number lies ahead of its last one.
     */
    public static long seqClockUnitMs(NodeConfig cfg) {
        return Math.max(1_000, cfg.rewirePeriodMs() * 2 / 3);
    }

    /** The first sequence number of a node started at {@code nowMillis}: its clock in seq units, modulo 5000. */
    public static int firstSeq(NodeConfig cfg, long nowMillis) {
        return (int) Math.floorMod(Math.floorDiv(nowMillis, seqClockUnitMs(cfg)), (long) Seed.PKT_IDS_LIMIT);
    }

    /**
     * Our next sequence number: the clock (in {@link #seqClockUnitMs} units, modulo PKT_IDS_LIMIT) for the first
     * announcement only, then +1 per announcement modulo PKT_IDS_LIMIT. A v0.2 receiver (strict {@code seq >
     * last}, no wrap handling) thus accepts 5000 - first announcements in a row, as many as v0.2 nodes send each
     * other between their own wraps; a restarted node starts ahead of where its previous life stopped (serial
     * arithmetic, and strict {@code >} unless the counter wrapped). See docs/DESIGN-NODE.md section 5.
     */
    private int nextSeq() {
        if (ownSeq < 0) ownSeq = firstSeq(cfg, now);
        else ownSeq = (ownSeq + 1) % Seed.PKT_IDS_LIMIT;
        return ownSeq;
    }

    /**
     * Announce our links (those that are up) if they differ from the last announcement (a link more or less,
     * a cost moved by more than 10 %) or a refresh is due: peer UPT to every out-neighbor.
     */
    private void announce() {
        List<Link> links = new ArrayList<>();
        List<OutLink> up = new ArrayList<>(neighbors.values());
        up.addAll(retiring.values());
        for (OutLink l : up) {
            if (!l.connected) continue;
            NodeId n = l.peer;
            Peer p = peers.get(n);
            double c = p != null && p.candidate() ? p.cost() : Seed.BOOT_DELAY;
            links.add(new Link(self, n, c));
        }
        boolean due = ownLine == null || now - lastAnnounce >= cfg.announceRefreshMs() || costsMoved(links);
        if (!due) return;
        int seq = nextSeq();
        String hash = hash(seq);
        ownLinks = List.copyOf(links);
        ownLine = WireCodec.encode(new Message.PeerUpdate(hash, seq, self, ownLinks));
        lastAnnounce = now;
        seenHashes.add(hash);
        counters.announcements++;
        for (OutLink l : neighbors.values()) sendToNeighbor(l, ownLine);
        for (OutLink l : retiring.values()) sendToNeighbor(l, ownLine);
        invalidate();
    }

    private boolean costsMoved(List<Link> links) {
        if (links.size() != ownLinks.size()) return true;
        Map<NodeId, Double> old = new HashMap<>();
        for (Link l : ownLinks) old.put(l.dst(), l.cost());
        for (Link l : links) {
            Double o = old.get(l.dst());
            if (o == null) return true;
            if (Math.abs(l.cost() - o) > COST_CHANGE * Math.max(o, 1.0)) return true;
        }
        return false;
    }

    private String hash(int seq) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-1");
            md.update((self + "@" + now + "@" + seq + "@" + random.nextLong()).getBytes(StandardCharsets.US_ASCII));
            StringBuilder sb = new StringBuilder(40);
            for (byte b : md.digest())
                sb.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
            return sb.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 unavailable", e);
        }
    }

    private void onPeerUpdate(ConnId c, Message.PeerUpdate u, String line) {
        NodeId src = u.source();
        if (src.equals(self)) {
            counters.updatesDuplicate++;
            return; // our own update came back around
        }
        if (seenHashes.contains(u.hash())) {
            counters.updatesDuplicate++;
            return;
        }
        String problem = validate(u);
        if (problem != null) {
            reject(c, problem);
            return;
        }
        SourceState prev = linkState.get(src);
        if (prev != null && prev.seq != null && !seqNewer(u.seq(), prev.seq)) {
            seenHashes.add(u.hash());
            counters.updatesStale++;
            log.debug("event=stale_update node={} source={} seq={} last={}", self, src, u.seq(), prev.seq);
            return;
        }
        seenHashes.add(u.hash());
        counters.updatesAccepted++;
        linkState.put(src, new SourceState(u.seq(), u.links(), line));
        learn(src);
        for (Link l : u.links()) learn(l.dst());
        Peer p = peers.get(src);
        if (p != null && p.dead()) probeSoon(p); // it speaks again: maybe it restarted
        invalidate();
        for (OutLink l : neighbors.values()) {
            if (!l.peer.equals(src)) {
                sendToNeighbor(l, line);
                counters.forwarded++;
            }
        }
        for (OutLink l : retiring.values()) {
            if (!l.peer.equals(src)) {
                sendToNeighbor(l, line);
                counters.forwarded++;
            }
        }
    }

    /** Why a (well-formed) peer update is unacceptable, or null. */
    private static String validate(Message.PeerUpdate u) {
        Set<NodeId> dsts = new HashSet<>();
        for (int i = 0; i < u.links().size(); i++) {
            Link l = u.links().get(i);
            if (!l.src().equals(u.source())) return "link[" + i + "] does not start at the update's source";
            if (l.dst().equals(l.src())) return "link[" + i + "] is a self-link";
            if (!dsts.add(l.dst())) return "link[" + i + "] duplicates destination " + l.dst();
            // a cost >= UNREACHABLE_COST (v0.2's HUGE_DELAY for a neighbor that stopped answering) is a link
            // that is down: accepted, never routed over (see buildView)
            if (!Double.isFinite(l.cost()) || l.cost() < 0) return "link[" + i + "] bad cost";
        }
        return null;
    }

    // =====================================================================================================
    // inbound lines
    // =====================================================================================================

    private void onLine(ConnId c, String line) {
        TrackerRequest tr = trackerConns.get(c);
        if (tr != null) {
            onTrackerLine(c, tr, line);
            return;
        }
        OutLink l = outConns.get(c);
        if (l != null) {
            onOutLine(l, line);
            return;
        }
        HelloExchange h = helloConns.get(c);
        if (h != null) {
            onHelloLine(c, h, line);
            return;
        }
        if (inConns.containsKey(c)) {
            onInLine(c, line);
            return;
        }
        log.debug("event=line_on_unknown_conn node={} conn={}", self, c);
    }

    private void onInLine(ConnId c, String line) {
        // Most flooded updates arrive several times: drop one whose hash we have seen before decoding it.
        if (line.startsWith("UPT@")) {
            int at = line.indexOf('@', 4);
            if (at > 4 && seenHashes.contains(line.substring(4, at))) {
                counters.updatesDuplicate++;
                return;
            }
        }
        Decoded d = WireCodec.decode(Context.PEER_LINK, line);
        if (d instanceof Decoded.Err e) {
            reject(c, e.nackReason());
            return;
        }
        Message m = ((Decoded.Ok) d).message();
        if (m instanceof Message.Heartbeat
                || m instanceof Message.Data
                || m instanceof Message.DataAck
                || m instanceof Message.Nack) {
            // Only an egoist node sends these (and only to a peer whose HELLO listed them): from now on a
            // rejection on this connection may be answered with NACK.
            InConn ic = inConns.get(c);
            if (ic != null) ic.speaksExtensions = true;
        }
        if (m instanceof Message.PeerUpdate u) {
            onPeerUpdate(c, u, line);
        } else if (m instanceof Message.Teardown) {
            inConns.remove(c);
            out.add(new Effect.Close(c));
        } else if (m instanceof Message.Heartbeat) {
            if (useHb) out.add(new Effect.Send(c, line));
        } else if (m instanceof Message.Data data) {
            if (useData) onData(data);
        } else if (m instanceof Message.DataAck ack) {
            if (useData) onDataAck(ack);
        } else if (m instanceof Message.Nack n) {
            log.warn("event=nack_received node={} peer={} reason={}", self, peerName(c), n.reason());
        }
    }

    /** An accepted connection: the connector's address, and whether it has sent an extension line. */
    private static final class InConn {
        final String remote;
        boolean speaksExtensions;

        InConn(String remote) {
            this.remote = remote;
        }

        @Override
        public String toString() {
            return remote;
        }
    }

    private String peerName(ConnId c) {
        InConn ic = inConns.get(c);
        return ic == null ? c.toString() : ic.remote;
    }

    /**
     * Bad input on an accepted connection: close it, state unchanged, one log line. NACK@reason first only if
     * the connector has shown it is an egoist node (it sent HB, DATA, DACK or NACK on this connection): an
     * extension never goes to a v0.2 peer, and the accepting side cannot tell otherwise who connected.
     */
    private void reject(ConnId c, String reason) {
        counters.rejected++;
        String r = reason.replace('@', ' ').replace('\r', ' ').replace('\n', ' ');
        if (r.length() > 200) r = r.substring(0, 200);
        InConn ic = inConns.remove(c);
        boolean nack = ic != null && ic.speaksExtensions;
        log.warn(
                "event=reject node={} peer={} reason=\"{}\" nack={}",
                self,
                ic == null ? c.toString() : ic.remote,
                r,
                nack);
        if (nack) out.add(new Effect.Send(c, WireCodec.encode(new Message.Nack(r))));
        out.add(new Effect.Close(c));
    }

    private void onLineTooLong(ConnId c) {
        if (inConns.containsKey(c)) {
            reject(c, "line longer than " + Seed.MAX_LENGTH);
            return;
        }
        OutLink l = outConns.get(c);
        if (l != null) {
            neighborLost(l.peer, "line_too_long", false);
            return;
        }
        TrackerRequest tr = trackerConns.get(c);
        if (tr != null) {
            closeTracker(c);
            if (tr.kind == TrackerKind.REG) {
                regDone();
                scheduleRegister(backoff());
            }
            return;
        }
        HelloExchange h = helloConns.get(c);
        if (h != null) endHello(c, h);
    }

    private void onConnected(ConnId c) {
        TrackerRequest tr = trackerConns.get(c);
        if (tr != null) {
            onTrackerConnected(c, tr);
            return;
        }
        OutLink l = outConns.get(c);
        if (l != null) {
            onOutConnected(l);
            return;
        }
        HelloExchange h = helloConns.get(c);
        if (h != null) out.add(new Effect.Send(c, helloLine));
    }

    private void onConnectFailed(ConnId c, String reason) {
        TrackerRequest tr = trackerConns.get(c);
        if (tr != null) {
            onTrackerFailed(c, tr, reason);
            return;
        }
        OutLink l = outConns.get(c);
        if (l != null) {
            neighborLost(l.peer, "connect_failed", true);
            return;
        }
        abandonHello(c);
    }

    /** Drops an unfinished HELLO exchange on {@code c}, if any; true when there was one. */
    private boolean abandonHello(ConnId c) {
        HelloExchange h = helloConns.remove(c);
        if (h == null) return false;
        out.add(new Effect.CancelTimer(Timers.hello(c)));
        Peer p = peers.get(h.peer);
        if (p != null) p.helloPending = false;
        return true;
    }

    private void onClosed(ConnId c) {
        TrackerRequest tr = trackerConns.get(c);
        if (tr != null) {
            trackerConns.remove(c);
            if (tr.kind == TrackerKind.REG) {
                regDone();
                log.warn("event=tracker_closed node={} request=REG", self);
                scheduleRegister(backoff());
            } else {
                out.add(new Effect.CancelTimer(Timers.linger(c)));
            }
            return;
        }
        OutLink l = outConns.get(c);
        if (l != null) {
            neighborLost(l.peer, "closed", true);
            return;
        }
        if (abandonHello(c)) return;
        inConns.remove(c);
    }

    // =====================================================================================================
    // timers
    // =====================================================================================================

    /** Timer keys. */
    static final class Timers {
        static final String REGISTER = "register";
        static final String REG_TIMEOUT = "register-timeout";
        static final String INITIAL_WIRING = "initial-wiring";
        static final String REWIRE = "rewire";
        static final String FILL = "fill";
        static final String HEARTBEAT = "heartbeat";
        static final String ERASE = "erase-hash";
        static final String PROBE = "probe:";
        static final String HELLO = "hello:";
        static final String LINGER = "linger:";
        static final String DATA = "data:";
        static final String CONNECT = "connect:";
        static final String HOLD = "data-hold";

        static String probe(NodeId id) {
            return PROBE + id;
        }

        static String hello(ConnId c) {
            return HELLO + c.value();
        }

        static String linger(ConnId c) {
            return LINGER + c.value();
        }

        static String data(String msgId) {
            return DATA + msgId;
        }

        static String connect(ConnId c) {
            return CONNECT + c.value();
        }
    }

    private void onTimer(String key) {
        if (key.startsWith(Timers.PROBE)) {
            onProbeTimer(NodeId.parse(key.substring(Timers.PROBE.length())));
        } else if (key.equals(Timers.HEARTBEAT)) {
            onHeartbeatTimer();
        } else if (key.startsWith(Timers.DATA)) {
            onDataTimeout(key.substring(Timers.DATA.length()));
        } else if (key.equals(Timers.HOLD)) {
            expireHeld();
        } else if (key.equals(Timers.REWIRE)) {
            if (phase == Phase.RUNNING) rewire("period");
            scheduleRewire();
        } else if (key.equals(Timers.FILL)) {
            if (phase == Phase.RUNNING && neighbors.size() < cfg.k()) repair("fill");
        } else if (key.equals(Timers.INITIAL_WIRING)) {
            if (phase == Phase.MEASURING) enterRunning();
        } else if (key.equals(Timers.REGISTER)) {
            register(trackerSuspect ? "tracker was unreachable" : phase == Phase.JOINING ? "retry" : "refresh");
        } else if (key.equals(Timers.REG_TIMEOUT)) {
            for (Map.Entry<ConnId, TrackerRequest> e : new ArrayList<>(trackerConns.entrySet())) {
                if (e.getValue().kind == TrackerKind.REG) closeTracker(e.getKey());
            }
            if (regInFlight) {
                regInFlight = false;
                log.warn("event=tracker_timeout node={} request=REG retry_ms={}", self, trackerBackoff);
                if (everRegistered) trackerSuspect = true;
                scheduleRegister(backoff());
            }
        } else if (key.equals(Timers.ERASE)) {
            seenHashes.clear();
            out.add(new Effect.SetTimer(Timers.ERASE, now + cfg.eraseHashMs()));
        } else if (key.startsWith(Timers.HELLO)) {
            ConnId c = new ConnId(Long.parseLong(key.substring(Timers.HELLO.length())));
            HelloExchange h = helloConns.get(c);
            if (h != null) endHello(c, h);
        } else if (key.startsWith(Timers.CONNECT)) {
            OutLink l = outConns.get(new ConnId(Long.parseLong(key.substring(Timers.CONNECT.length()))));
            if (l != null && !l.connected) neighborLost(l.peer, "connect_timeout", true);
        } else if (key.startsWith(Timers.LINGER)) {
            ConnId c = new ConnId(Long.parseLong(key.substring(Timers.LINGER.length())));
            if (trackerConns.containsKey(c)) closeTracker(c);
        }
    }

    // =====================================================================================================
    // data plane
    // =====================================================================================================

    private record PendingData(String requestId, long sentAt) {}

    private void onSendData(NodeEvent.SendData s) {
        if (!useData) {
            out.add(new NodeEffect.DataFailed(s.requestId(), "data plane disabled (features without 'data')"));
            return;
        }
        if (s.to().equals(self)) {
            out.add(new NodeEffect.Deliver(self, s.payload(), List.of(self)));
            out.add(new NodeEffect.DataAcked(s.requestId(), List.of(self), now, now));
            return;
        }
        OutLink next = dataNextHop(s.to());
        if (next == null && !holdable(s.to(), true)) {
            out.add(new NodeEffect.DataFailed(s.requestId(), "no route to " + s.to()));
            return;
        }
        String msgId = Long.toHexString(random.nextLong() & Long.MAX_VALUE) + Long.toHexString(now);
        seenMessages.put("d/" + self + "/" + msgId + "/" + cfg.dataTtl(), Boolean.TRUE);
        pendingData.put(msgId, new PendingData(s.requestId(), now));
        out.add(new Effect.SetTimer(Timers.data(msgId), now + cfg.dataTimeoutMs()));
        Message.Data d = new Message.Data(msgId, cfg.dataTtl(), self, s.to(), List.of(self), s.payload());
        if (next != null) sendToNeighbor(next, WireCodec.encode(d));
        else holdData(WireCodec.encode(d), s.to(), msgId, "no_route", s.requestId());
    }

    /*
     * Duplicate suppression: a copy of a message reaches a node with the same TTL; a message coming back to a
     * node after a routing change (a transient loop) has a lower TTL and is forwarded again along the now
     * updated routes. TTL bounds loops; the destination delivers and acknowledges only once.
     */
    private void onData(Message.Data d) {
        if (seenMessages.put("d/" + d.src() + "/" + d.msgId() + "/" + d.ttl(), Boolean.TRUE) != null) {
            dropData("duplicate", d.msgId(), d.dst());
            return;
        }
        List<NodeId> path = new ArrayList<>(d.path());
        path.add(self);
        if (d.dst().equals(self)) {
            if (seenMessages.put("delivered/" + d.src() + "/" + d.msgId(), Boolean.TRUE) != null) {
                dropData("duplicate", d.msgId(), d.dst());
                return;
            }
            out.add(new NodeEffect.Deliver(d.src(), d.payload(), path));
            Message.DataAck ack = new Message.DataAck(d.msgId(), cfg.dataTtl(), self, d.src(), path);
            sendOrHold(WireCodec.encode(ack), d.src(), d.msgId(), "no_route_for_ack");
            return;
        }
        if (d.ttl() == 0) {
            dropData("ttl", d.msgId(), d.dst());
            return;
        }
        counters.dataForwarded++;
        sendOrHold(
                WireCodec.encode(new Message.Data(d.msgId(), d.ttl() - 1, d.src(), d.dst(), path, d.payload())),
                d.dst(),
                d.msgId(),
                "no_route");
    }

    private void onDataAck(Message.DataAck a) {
        if (seenMessages.put("a/" + a.src() + "/" + a.msgId() + "/" + a.ttl(), Boolean.TRUE) != null) {
            dropData("duplicate", a.msgId(), a.dst());
            return;
        }
        if (a.dst().equals(self)) {
            PendingData p = pendingData.remove(a.msgId());
            if (p == null) return; // late (after the timeout) or not ours
            out.add(new Effect.CancelTimer(Timers.data(a.msgId())));
            out.add(new NodeEffect.DataAcked(p.requestId(), a.forwardPath(), p.sentAt(), now));
            return;
        }
        if (a.ttl() == 0) {
            dropData("ttl", a.msgId(), a.dst());
            return;
        }
        counters.dataForwarded++;
        sendOrHold(
                WireCodec.encode(new Message.DataAck(a.msgId(), a.ttl() - 1, a.src(), a.dst(), a.forwardPath())),
                a.dst(),
                a.msgId(),
                "no_route");
    }

    /**
     * Sends a DATA/DACK line towards {@code dst} over the current routes; with no route right now, holds it until
     * one appears (at most dataHoldMs) unless {@code dst} is known to be dead or not to speak {@code data}.
     */
    private void sendOrHold(String line, NodeId dst, String msgId, String dropReason) {
        OutLink next = dataNextHop(dst);
        if (next != null) {
            sendToNeighbor(next, line);
            return;
        }
        if (!holdable(dst, false) || !holdData(line, dst, msgId, dropReason, null)) dropData(dropReason, msgId, dst);
    }

    /**
     * Whether a line for {@code dst} may wait for a route: holding is on, and {@code dst} is not known to be dead
     * or a v0.2 node. At the source ({@code mustKnow}) the destination must also be a node we know: an unknown id
     * fails at once.
     */
    private boolean holdable(NodeId dst, boolean mustKnow) {
        if (cfg.dataHoldMs() <= 0 || dst.equals(self)) return false;
        Peer p = peers.get(dst);
        if (p == null) return !mustKnow;
        if (p.dead()) return false;
        return p.features == null || p.features.contains(NodeConfig.FEATURE_DATA);
    }

    private boolean holdData(String line, NodeId dst, String msgId, String dropReason, String requestId) {
        if (!hold.add(line, dst, now + cfg.dataHoldMs(), msgId, dropReason, requestId)) return false;
        counters.held++;
        holdTriedGen = viewGen; // tried against this view just now
        out.add(new Effect.SetTimer(Timers.HOLD, hold.earliestDeadline()));
        log.debug(
                "event=data_held node={} msg={} dst={} reason={} hold_ms={}",
                self,
                msgId,
                dst,
                dropReason,
                cfg.dataHoldMs());
        return true;
    }

    /** The view changed: send every held line that has a route now. */
    private void retryHeld() {
        holdTriedGen = viewGen;
        for (DataHold.Held h : hold.all()) {
            OutLink next = dataNextHop(h.dst());
            if (next == null) continue;
            hold.remove(h);
            counters.heldSent++;
            sendToNeighbor(next, h.line());
        }
        if (hold.isEmpty()) out.add(new Effect.CancelTimer(Timers.HOLD));
        else out.add(new Effect.SetTimer(Timers.HOLD, hold.earliestDeadline()));
    }

    /** Held lines whose time is up: dropped (at the source: the request fails with no route). */
    private void expireHeld() {
        for (DataHold.Held h : hold.expire(now)) {
            if (h.requestId() != null) {
                if (pendingData.remove(h.msgId()) != null) {
                    out.add(new Effect.CancelTimer(Timers.data(h.msgId())));
                    out.add(new NodeEffect.DataFailed(
                            h.requestId(), "no route to " + h.dst() + " within " + cfg.dataHoldMs() + " ms"));
                }
            } else {
                dropData(h.dropReason(), h.msgId(), h.dst());
            }
        }
        if (!hold.isEmpty()) out.add(new Effect.SetTimer(Timers.HOLD, hold.earliestDeadline()));
    }

    private void dropData(String reason, String msgId, NodeId dst) {
        counters.dataDropped++;
        counters.drops.merge(reason, 1L, Long::sum);
        log.debug("event=data_dropped node={} msg={} dst={} reason={}", self, msgId, dst, reason);
    }

    private void onDataTimeout(String msgId) {
        PendingData p = pendingData.remove(msgId);
        if (p != null)
            out.add(new NodeEffect.DataFailed(
                    p.requestId(), "no acknowledgement within " + cfg.dataTimeoutMs() + " ms"));
    }

    /** The out-link of the first hop on the data-plane shortest path to {@code dst}, or null. */
    private OutLink dataNextHop(NodeId dst) {
        View v = view();
        Integer j = v.index.get(dst);
        if (j == null) return null;
        int[] path = v.dataTree().pathTo(j);
        if (path.length < 2) return null;
        return upLink(v.ids.get(path[1]));
    }

    // =====================================================================================================
    // the view: index, residual graph, routing trees
    // =====================================================================================================

    private void invalidate() {
        view = null;
        viewGen++;
    }

    private View view() {
        if (view == null) view = buildView();
        return view;
    }

    private View buildView() {
        List<NodeId> ids = new ArrayList<>();
        ids.add(self);
        for (Peer p : peers.values()) if (!p.dead()) ids.add(p.id);
        ids.sort(ORDER);
        Map<NodeId, Integer> index = new HashMap<>();
        for (int i = 0; i < ids.size(); i++) index.put(ids.get(i), i);
        int selfIdx = index.get(self);
        int n = ids.size();
        Graph residual = new Graph(n);
        for (int i = 0; i < n; i++) {
            if (i == selfIdx) continue;
            SourceState s = linkState.get(ids.get(i));
            if (s == null) continue;
            for (Link l : s.links) {
                if (down(l)) continue;
                Integer d = index.get(l.dst());
                if (d != null && d != i) residual.setEdge(i, d, l.cost());
            }
        }
        Graph full = residual.copy();
        for (Link l : ownLinks) {
            Integer d = index.get(l.dst());
            OutLink ol = upLink(l.dst());
            if (d != null && ol != null) full.setEdge(selfIdx, d, l.cost());
        }
        return new View(ids, index, selfIdx, residual, full, ShortestPaths.tree(full, selfIdx));
    }

    /** A snapshot of the link-state view, rebuilt lazily after any change. */
    private final class View {
        final List<NodeId> ids;
        final Map<NodeId, Integer> index;
        final int selfIdx;
        final Graph residual;
        final Graph full;
        final ShortestPaths.Tree tree;
        ShortestPaths.Tree dataTree;

        View(
                List<NodeId> ids,
                Map<NodeId, Integer> index,
                int selfIdx,
                Graph residual,
                Graph full,
                ShortestPaths.Tree tree) {
            this.ids = ids;
            this.index = index;
            this.selfIdx = selfIdx;
            this.residual = residual;
            this.full = full;
            this.tree = tree;
        }

        RouteInfo route(int j, ShortestPaths.Tree t) {
            int[] p = t.pathTo(j);
            if (p.length < 2) return null;
            List<NodeId> path = new ArrayList<>(p.length);
            for (int x : p) path.add(ids.get(x));
            return new RouteInfo(ids.get(j), path.get(1), path, t.dist()[j]);
        }

        /**
         * Shortest paths for DATA/DACK: like {@link #tree} but never through or to a node that does not speak
         * the data extension, and leaving us only over links whose peer is known to speak it.
         */
        ShortestPaths.Tree dataTree() {
            if (dataTree != null) return dataTree;
            boolean same = true;
            Graph g = null;
            for (int i = 0; i < ids.size() && same; i++) {
                if (i == selfIdx) continue;
                Peer p = peers.get(ids.get(i));
                boolean legacy = p != null && p.features != null && !p.features.contains(NodeConfig.FEATURE_DATA);
                boolean ownUnknown = neighbors.containsKey(ids.get(i)) && (p == null || p.features == null);
                if (legacy || ownUnknown) same = false;
            }
            if (same) {
                dataTree = tree;
                return dataTree;
            }
            g = full.copy();
            for (int i = 0; i < ids.size(); i++) {
                if (i == selfIdx) continue;
                Peer p = peers.get(ids.get(i));
                boolean legacy = p != null && p.features != null && !p.features.contains(NodeConfig.FEATURE_DATA);
                if (legacy) {
                    for (int u = 0; u < ids.size(); u++) g.removeEdge(u, i);
                    g.clearOutEdges(i);
                } else if (p == null || p.features == null) {
                    g.removeEdge(selfIdx, i);
                }
            }
            dataTree = ShortestPaths.tree(g, selfIdx);
            return dataTree;
        }
    }

    // =====================================================================================================
    // helpers
    // =====================================================================================================

    /** NodeId's natural order (address, then port) without parsing strings on every comparison. */
    static final java.util.Comparator<NodeId> ORDER = (a, b) -> {
        int c = Long.compare(ipKey(a.ip()), ipKey(b.ip()));
        return c != 0 ? c : Integer.compare(a.port(), b.port());
    };

    static long ipKey(String ip) {
        long v = 0, part = 0;
        for (int i = 0; i < ip.length(); i++) {
            char ch = ip.charAt(i);
            if (ch == '.') {
                v = (v << 8) | part;
                part = 0;
            } else part = part * 10 + (ch - '0');
        }
        return (v << 8) | part;
    }

    private ConnId newConn() {
        return new ConnId(nextConnId++);
    }

    static String fmt(double v) {
        if (Double.isNaN(v)) return "none";
        return String.format(java.util.Locale.ROOT, "%.1f", v);
    }

    /** A link announced with an "unreachable" cost (v0.2's HUGE_DELAY): down, never routed over. */
    static boolean down(Link l) {
        return l.cost() >= UNREACHABLE_COST;
    }

    private static String clip(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
