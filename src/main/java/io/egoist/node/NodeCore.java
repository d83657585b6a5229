package io.egoist.node;

import io.egoist.core.ConnId;
import io.egoist.core.Core;
import io.egoist.core.Effect;
import io.egoist.core.Event;
import io.egoist.node.data.DataPlane;
import io.egoist.node.data.DataSeal;
import io.egoist.node.links.DirectLinks;
import io.egoist.node.links.FeatureProbe;
import io.egoist.node.links.InLinks;
import io.egoist.node.links.LinkIdentities;
import io.egoist.node.links.OutLink;
import io.egoist.node.links.OutLinks;
import io.egoist.node.linkstate.Confirmations;
import io.egoist.node.linkstate.LinkStateDb;
import io.egoist.node.linkstate.UpdateSeal;
import io.egoist.node.probe.Measurements;
import io.egoist.node.probe.Peer;
import io.egoist.node.routing.Route;
import io.egoist.node.routing.RouteMode;
import io.egoist.node.routing.RoutingView;
import io.egoist.node.tracker.TrackerClient;
import io.egoist.node.wiring.Wiring;
import io.egoist.wire.Decoded;
import io.egoist.wire.Link;
import io.egoist.wire.Message;
import io.egoist.wire.NodeId;
import io.egoist.wire.Seed;
import io.egoist.wire.WireCodec;
import io.egoist.wire.WireCodec.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The EGOIST node's protocol logic as one sans-I/O {@link Core} (events in, effects out; no sockets, no clock, no
 * threads), composed of small components that each own their state and timers (docs/DESIGN-NODE.md):
 * {@link TrackerClient} (join, refresh, UPT/RMV), {@link Measurements} (probes, RTT history, dead/alive),
 * {@link LinkStateDb} (announcements, freshness, duplicates), {@link OutLinks}/{@link InLinks}/{@link
 * FeatureProbe} (connections, HELLO, heartbeats), {@link Wiring} (when and how to re-wire), {@link DataPlane}
 * (DATA/DACK) and {@link RoutingView} (the view they all route over). This class routes each event to the
 * component that owns its connection or timer, and carries out what one component's outcome means for the
 * others. Not thread-safe: one thread (the runtime's loop) calls {@link #start}, {@link #handle} and the queries.
 */
public final class NodeCore implements Core {
    private static final Logger log = LoggerFactory.getLogger(NodeCore.class);

    /** A link cost at or above this (ms) means "unreachable" (see {@link RoutingView#UNREACHABLE_COST}). */
    public static final double UNREACHABLE_COST = RoutingView.UNREACHABLE_COST;

    public enum Phase {
        JOINING,
        MEASURING,
        RUNNING
    }

    private final NodeConfig cfg;
    private final NodeId self;
    private final boolean useHb;
    private final boolean useData;
    private final String helloLine;
    private final NodeCounters counters = new NodeCounters();
    private final NodeContext ctx;
    private final TrackerClient tracker;
    private final Measurements measurements;
    private final LinkStateDb lsdb;
    private final OutLinks outLinks;
    private final InLinks inLinks;
    private final FeatureProbe features;
    private final RoutingView routing;
    private final Wiring wiring;
    private final DataPlane data;
    private final UpdateSeal seal;
    private final DataSeal dataSeal;
    private final DirectLinks direct;
    private final Confirmations trust = new Confirmations();
    private final NodeConfirmation confirmation;
    private final LinkIdentities identities;
    private final NodeSequenceHealing healing;

    /** Open (v0.2) mode: nothing signed, payloads as they are. */
    public NodeCore(NodeConfig cfg, java.util.Random random) {
        this(cfg, random, UpdateSeal.OPEN, DataSeal.OPEN);
    }

    /**
     * {@code seal} signs our link state and checks everyone else's, {@code dataSeal} seals DATA end to end (secure
     * mode: io.egoist.security); with {@link UpdateSeal#OPEN} and {@link DataSeal#OPEN} the node is in open mode.
     * In secure mode the node advertises the {@code sig} feature.
     */
    public NodeCore(NodeConfig cfg, java.util.Random random, UpdateSeal seal, DataSeal dataSeal) {
        if (seal.secure() && !cfg.supports(NodeConfig.FEATURE_SIG)) {
            List<String> f = new ArrayList<>(cfg.features());
            f.add(NodeConfig.FEATURE_SIG);
            cfg = cfg.withFeatures(f);
        }
        this.seal = seal;
        this.dataSeal = dataSeal;
        this.cfg = cfg;
        this.self = cfg.self();
        this.useHb = cfg.supports(NodeConfig.FEATURE_HB);
        this.useData = cfg.supports(NodeConfig.FEATURE_DATA);
        this.helloLine = cfg.features().isEmpty() ? null : WireCodec.encode(new Message.Hello(self, cfg.features()));
        this.ctx = new NodeContext(cfg, random, counters);
        this.tracker = new TrackerClient(ctx);
        this.measurements = new Measurements(ctx);
        this.lsdb = new LinkStateDb(ctx, seal);
        this.outLinks = new OutLinks(ctx);
        this.inLinks = new InLinks(ctx);
        this.features = new FeatureProbe(ctx, helloLine, measurements::peer);
        this.confirmation = new NodeConfirmation(self, trust, lsdb, counters, this::learn);
        DataPlane[] dp = new DataPlane[1]; // direct links hand lines they could not send back to the data plane
        this.direct = new DirectLinks(ctx, lines -> dp[0].reroute(lines));
        this.routing = new RoutingView(ctx, measurements, lsdb, outLinks, direct);
        this.data = new DataPlane(ctx, routing, dataSeal, this::canSendBack, id -> trust.isUnconfirmed(id));
        dp[0] = data;
        if (seal.secure()) outLinks.linkStateTo(this::mayGetSignedLinkState);
        this.wiring = new Wiring(ctx, measurements, lsdb, outLinks, routing, tracker, data::reroute);
        this.identities = new LinkIdentities(ctx);
        features.identities(identities);
        this.healing = new NodeSequenceHealing(ctx, lsdb, seal, measurements, inLinks::sentBy, wiring::announceNow);
    }

    // ---- Core ----

    @Override
    public List<Effect> start(long nowMillis) {
        ctx.begin(nowMillis);
        log.info("event=start node={} k={} policy={} features={}", self, cfg.k(), cfg.policy(), cfg.features());
        tracker.register("start");
        lsdb.start();
        outLinks.start();
        return finish();
    }

    @Override
    public List<Effect> handle(long nowMillis, Event event) {
        ctx.begin(nowMillis);
        if (event instanceof Event.LineReceived e) onLine(e.conn(), e.line());
        else if (event instanceof Event.TimerFired e) onTimer(e.key());
        else if (event instanceof Event.ProbeResult e) onProbeResult(e.target(), e.rttMs());
        else if (event instanceof Event.Connected e) onConnected(e.conn());
        else if (event instanceof Event.ConnectFailed e) onConnectFailed(e.conn(), e.reason());
        else if (event instanceof Event.Closed e) onClosed(e.conn());
        else if (event instanceof Event.Accepted e) inLinks.accepted(e.conn(), e.remoteHost(), e.remotePort());
        else if (event instanceof Event.LineTooLong e) onLineTooLong(e.conn());
        else if (event instanceof NodeEvent.SendData e) onSend(e);
        else if (event instanceof NodeEvent.KeepDirectLinks e) direct.keep(e.peers());
        else if (event instanceof Event.Authenticated e) { // secure mode: who the peer is, by its certificate
            identities.authenticated(e.conn(), e.peer());
            inLinks.authenticated(e.conn(), e.peer().node());
        } else log.warn("event=unknown_event node={} event={}", self, event);
        return finish();
    }

    /**
     * A send to a node named only in peers' updates asks the tracker (early, rate-limited) and waits for it; so does
     * a DATA/DACK we are to relay to one.
     */
    private void onSend(NodeEvent.SendData e) {
        if (trust.isUnconfirmed(e.to())) tracker.confirmSoon();
        data.onSend(e);
    }

    private List<Effect> finish() {
        data.afterEvent();
        return ctx.drain();
    }

    // ---- events by owner ----

    private void onLine(ConnId c, String line) {
        if (tracker.owns(c)) {
            Message.RegisterReply reply = tracker.onLine(c, line, wiring.phase() == Phase.JOINING);
            if (reply != null) onRegisterReply(reply);
        } else if (outLinks.byConn(c) != null) {
            OutLink l = outLinks.byConn(c);
            OutLinks.LineKind kind = outLinks.onLine(l, line);
            if (kind == OutLinks.LineKind.TEARDOWN) wiring.neighborLost(l.peer(), "teardown", false);
            else if (kind == OutLinks.LineKind.DATA_ACK && useData) onAckOnOutLink(c, line);
            else if (kind == OutLinks.LineKind.LINK_STATE) healing.onOutLinkLine(line);
        } else if (features.owns(c)) {
            Peer p = features.onLine(c, line);
            if (p != null) {
                ctx.invalidate();
                outLinks.heard(p.id());
            }
        } else if (inLinks.owns(c)) {
            onInLine(c, line);
        } else if (direct.owns(c)) {
            direct.onLine(c, line);
            onAckOnOutLink(c, line); // a DACK written back the way its DATA went
        } else {
            log.debug("event=line_on_unknown_conn node={} conn={}", self, c);
        }
    }

    private void onInLine(ConnId c, String line) {
        if (lsdb.seenBefore(line)) return; // most floods arrive several times: no need to decode
        Decoded d = WireCodec.decode(Context.PEER_LINK, line);
        if (d instanceof Decoded.Err e) {
            inLinks.reject(c, e.nackReason());
            return;
        }
        Message m = ((Decoded.Ok) d).message();
        if (m instanceof Message.Heartbeat
                || m instanceof Message.Data
                || m instanceof Message.DataAck
                || m instanceof Message.SignedUpdate
                || m instanceof Message.Nack) inLinks.speaksExtensions(c);
        if (m instanceof Message.PeerUpdate u) {
            if (!seal.secure()) onPeerUpdate(c, u, line);
            else refuseUpdate(c, u.source(), u.seq(), "unsigned", false);
        } else if (m instanceof Message.SignedUpdate su) onSignedUpdate(c, su, line);
        else if (m instanceof Message.Teardown) inLinks.teardown(c);
        else if (m instanceof Message.Heartbeat) {
            if (useHb) ctx.emit(new Effect.Send(c, line));
        } else if (m instanceof Message.Data dm) {
            if (useData && trust.isUnconfirmed(dm.dst())) tracker.confirmSoon(); // we may have to relay it
            if (useData && identities.dataFromItsPeer(c, dm, inLinks.name(c))) data.onData(dm, c);
        } else if (m instanceof Message.DataAck a) {
            if (useData && trust.isUnconfirmed(a.dst())) tracker.confirmSoon();
            if (useData) data.onDataAck(a, c);
        } else if (m instanceof Message.Nack n) {
            log.warn("event=nack_received node={} peer={} reason={}", self, inLinks.name(c), n.reason());
        }
    }

    /** A DACK written back to us on our out-link: it retraces the way its DATA went. */
    private void onAckOnOutLink(ConnId c, String line) {
        if (WireCodec.decode(Context.PEER_LINK, line) instanceof Decoded.Ok ok
                && ok.message() instanceof Message.DataAck a) data.onDataAck(a, c);
    }

    /** A DACK may go back on an in-link a DATA came in on, while it is open and its peer takes DACKs there. */
    private boolean canSendBack(ConnId c, NodeId prev) {
        // features not known yet (a node we cannot probe yet): with no route back, writing back is the only chance
        Peer p = measurements.peer(prev);
        return inLinks.owns(c) && (p == null || p.features() == null || p.supports(NodeConfig.FEATURE_BACK));
    }

    private void onConnected(ConnId c) {
        if (tracker.owns(c)) tracker.onConnected(c);
        else if (outLinks.byConn(c) != null) onOutConnected(outLinks.byConn(c));
        else if (direct.owns(c)) direct.onConnected(c);
        else features.onConnected(c);
    }

    private void onConnectFailed(ConnId c, String reason) {
        if (tracker.owns(c)) tracker.onConnectFailed(c, reason);
        else if (outLinks.byConn(c) != null)
            wiring.neighborLost(outLinks.byConn(c).peer(), "connect_failed", true);
        else if (direct.owns(c)) direct.onFailed(c, "connect_failed");
        else features.abandon(c);
    }

    private void onClosed(ConnId c) {
        identities.closed(c);
        if (tracker.owns(c)) tracker.onClosed(c);
        else if (outLinks.byConn(c) != null)
            wiring.neighborLost(outLinks.byConn(c).peer(), "closed", true);
        else if (direct.owns(c)) direct.onFailed(c, "closed");
        else if (!features.abandon(c)) inLinks.closed(c);
    }

    private void onLineTooLong(ConnId c) {
        if (inLinks.owns(c)) inLinks.reject(c, "line longer than " + Seed.MAX_LENGTH);
        else if (outLinks.byConn(c) != null)
            wiring.neighborLost(outLinks.byConn(c).peer(), "line_too_long", false);
        else if (tracker.owns(c)) tracker.onLineTooLong(c);
        else if (direct.owns(c)) direct.onFailed(c, "line_too_long");
        else features.onLineTooLong(c);
    }

    private void onTimer(String key) {
        boolean joining = wiring.phase() == Phase.JOINING;
        if (key.startsWith(NodeTimers.PROBE))
            measurements.onProbeTimer(NodeId.parse(key.substring(NodeTimers.PROBE.length())));
        else if (key.equals(NodeTimers.HEARTBEAT)) {
            for (NodeId n : outLinks.onHeartbeatTimer(this::supportsHb)) wiring.neighborLost(n, "heartbeat", true);
        } else if (data.onTimer(key) || direct.onTimer(key) || wiring.onTimer(key) || tracker.onTimer(key, joining))
            return;
        else if (key.equals(NodeTimers.ERASE)) lsdb.onEraseTimer();
        else if (key.startsWith(NodeTimers.HELLO)) features.onTimer(key);
        else if (key.startsWith(NodeTimers.CONNECT)) {
            NodeId late = outLinks.onConnectTimer(key);
            if (late != null) wiring.neighborLost(late, "connect_timeout", true);
        }
    }

    // ---- what one component's outcome means for the others ----

    private boolean supportsHb(NodeId id) {
        Peer p = measurements.peer(id);
        return p != null && p.supports(NodeConfig.FEATURE_HB);
    }

    private void learn(NodeId id) {
        Peer p = measurements.learn(id);
        if (p == null) return;
        features.detect(p);
        ctx.invalidate();
    }

    private void onRegisterReply(Message.RegisterReply reply) {
        counters.registrations++;
        boolean first = wiring.phase() == Phase.JOINING;
        boolean trackerHadOurLinks = false;
        for (Link l : reply.links()) if (l.src().equals(self)) trackerHadOurLinks = true;
        for (NodeId n : reply.nodes()) confirmation.confirm(n);
        for (NodeId n : lsdb.mergeTrackerLinks(reply.links())) confirmation.confirm(n);
        ctx.invalidate();
        if (first) {
            log.info(
                    "event=join node={} tracker={}:{} nodes={} links={}",
                    self,
                    cfg.trackerHost(),
                    cfg.trackerPort(),
                    reply.nodes().size(),
                    reply.links().size());
            wiring.startMeasuring();
        } else if (tracker.suspect() || (!lsdb.ownLinks().isEmpty() && !trackerHadOurLinks)) {
            counters.reRegistrations++;
            log.info(
                    "event=reregister node={} reason={} nodes={} links={}",
                    self,
                    tracker.suspect() ? "tracker_was_unreachable" : "tracker_lacked_our_links",
                    reply.nodes().size(),
                    reply.links().size());
            tracker.sendUpdate(lsdb.ownLinks());
        }
        tracker.registered();
    }

    private void onProbeResult(NodeId target, double rtt) {
        Measurements.Outcome o = measurements.onProbeResult(target, rtt);
        if (o == null) return;
        Peer p = o.peer();
        if (o.answered()) {
            if (p.features() == null && !p.helloPending()) features.detect(p);
        } else {
            if (o.reportRemove()) tracker.sendRemove(target);
            if (p.failures() >= cfg.forgetAfterFailures() && !outLinks.isNeighbor(target)) {
                measurements.forget(p);
                trust.forget(target);
                lsdb.remove(target);
                wiring.afterMeasurement();
                return;
            }
            if (outLinks.isNeighbor(target)) wiring.neighborLost(target, "probe_timeout", true);
        }
        if (o.changed()) ctx.invalidate();
        wiring.afterMeasurement();
        if (!o.wasCandidate() && p.candidate()) wiring.newCandidate();
    }

    /**
     * Secure mode: a signed update is used (and flooded, as received) only if its signature is valid for its origin;
     * then its origin's end-to-end key is learned from it. Anything else is dropped and counted, the link stays up.
     */
    private void onSignedUpdate(ConnId c, Message.SignedUpdate su, String line) {
        Message.PeerUpdate u = su.update();
        if (!seal.secure()) {
            refuseUpdate(c, u.source(), u.seq(), "signed update in open mode", false);
            return;
        }
        UpdateSeal.Check check = seal.check(su, ctx.now());
        if (!check.ok()) {
            refuseUpdate(c, u.source(), u.seq(), check.reason(), true);
            return;
        }
        // a valid signature under a CA certificate is a checkable source: its origin is a member, and it vouches
        confirmation.confirm(u.source());
        if (onPeerUpdate(c, u, line) && check.e2eKey().length > 0) dataSeal.learn(u.source(), check.e2eKey());
    }

    private void refuseUpdate(ConnId c, NodeId source, int seq, String reason, boolean signed) {
        if (signed) counters.updatesBadSignature++;
        else counters.updatesUnsigned++;
        log.info(
                "event=update_refused node={} peer={} source={} seq={} reason=\"{}\"",
                self,
                inLinks.name(c),
                source,
                seq,
                reason);
    }

    /** Secure mode: link state goes to peers that speak {@code sig}, or whose features we do not know yet. */
    private boolean mayGetSignedLinkState(NodeId id) {
        List<String> f = measurements.featuresOf(id);
        return f == null || f.contains(NodeConfig.FEATURE_SIG);
    }

    /** Returns whether the update was accepted (stored and flooded). */
    private boolean onPeerUpdate(ConnId c, Message.PeerUpdate u, String line) {
        LinkStateDb.Verdict v = lsdb.accept(u, line);
        if (v == LinkStateDb.Verdict.DROPPED) inLinks.refuse(c, LinkStateDb.problem(u));
        if (v == LinkStateDb.Verdict.OWN_AHEAD) wiring.announceNow();
        if (v == LinkStateDb.Verdict.STALE) healing.onStale(c, u);
        if (v != LinkStateDb.Verdict.ACCEPTED) return false;
        NodeId src = u.source();
        confirmation.onAcceptedUpdate(src, u.links(), () -> inLinks.sentBy(c, src));
        Peer p = measurements.peer(u.source());
        if (p != null && p.dead()) measurements.probeSoon(p); // it speaks again: maybe it restarted
        counters.forwarded += outLinks.flood(line, u.source());
        return true;
    }

    private void onOutConnected(OutLink l) {
        // Catch a newcomer up: the latest update of every source we hold (it drops what it has seen). A node
        // nobody linked to missed the floods so far; one we have known for a while has had them.
        Peer np = measurements.peer(l.peer());
        boolean newcomer = np == null || ctx.now() - np.learnedAt() <= 2 * cfg.rewirePeriodMs();
        List<String> catchUp = newcomer ? lsdb.catchUpLines(l.peer()) : List.of();
        counters.replayed += catchUp.size();
        outLinks.connected(l, catchUp);
        wiring.linkUp();
    }

    // ---- queries ----

    public NodeConfig config() {
        return cfg;
    }

    public NodeId id() {
        return self;
    }

    public Phase phase() {
        return wiring.phase();
    }

    /**
     * This node's HELLO line, which its echo server answers a HELLO probe with; empty when the node has no
     * extensions (features = []): then the echo server echoes HELLO lines verbatim, like v0.2.
     */
    public Optional<String> helloLine() {
        return Optional.ofNullable(helloLine);
    }

    public NodeStatus status() {
        List<NodeStatus.Neighbor> ns = new ArrayList<>();
        for (OutLink l : outLinks.neighborLinks()) {
            Peer p = measurements.peer(l.peer());
            ns.add(new NodeStatus.Neighbor(
                    l.peer(), p == null ? Double.NaN : p.cost(), l.connected(), p == null ? null : p.features()));
        }
        String phase = wiring.phase().name();
        int n = measurements.size();
        return new NodeStatus(
                self, phase, cfg.policy(), cfg.k(), ns, n, routing.ownCost(), routing.unreachable(), cfg.features());
    }

    /** The routing table: the path DATA takes to every reachable known live node ({@link RoutingView#routes}). */
    public List<RouteInfo> routes() {
        return routing.routes();
    }

    /** Shortest paths over the whole link-state view, through nodes without the data extension too. */
    public List<RouteInfo> overlayRoutes() {
        return routing.overlayRoutes();
    }

    public Optional<RouteInfo> route(NodeId destination) {
        return routing.route(destination);
    }

    /**
     * The route for traffic this node originates to {@code destination} in {@code mode}: next hop, full path, cost,
     * the direct RTT, and whether the first hop is one of our out-links or a direct link (see {@link RouteMode}).
     * Relays forward along their overlay routes whatever the source's mode.
     */
    public Optional<Route> route(NodeId destination, RouteMode mode) {
        return routing.route(destination, mode);
    }

    /** The nodes this node holds a direct link to (best-mode first hops that are not neighbors). */
    public List<NodeId> directLinks() {
        return direct.peers();
    }

    /** The connection of the up direct link to {@code peer} (for tunnel frames), if there is one. */
    public Optional<ConnId> directLinkConn(NodeId peer) {
        return direct.connOf(peer);
    }

    /** The out-neighbors as chosen (connected or connecting). */
    public List<NodeId> neighbors() {
        return List.copyOf(outLinks.neighbors());
    }

    /** The links we last announced (self → neighbor, cost). */
    public List<Link> announcedLinks() {
        return lsdb.ownLinks();
    }

    /** The links this node currently holds for {@code source} (empty if none). */
    public List<Link> linksOf(NodeId source) {
        return lsdb.linksOf(source);
    }

    /** Every node this node knows of (self excluded). */
    public Set<NodeId> knownNodes() {
        return measurements.ids();
    }

    /** Known nodes this node currently believes alive (not dead by its probes), self excluded. */
    public Set<NodeId> liveNodes() {
        return measurements.liveIds();
    }

    /** The measured cost of the direct link to {@code node} (NaN when unmeasured or dead). */
    public double measuredCost(NodeId node) {
        return measurements.measuredCost(node);
    }

    /** The features {@code node} advertised: empty for v0.2, null while unknown. */
    public List<String> featuresOf(NodeId node) {
        return measurements.featuresOf(node);
    }

    /** The sequence number of our latest announcement, or -1 before the first. */
    public int ownSequence() {
        return lsdb.ownSeq();
    }

    /** The last sequence number accepted from {@code source}, or -1. */
    public int lastSeq(NodeId source) {
        return lsdb.lastSeq(source);
    }

    /** The first hop of the data plane's path to {@code dst} (it avoids nodes that cannot forward), if any. */
    public Optional<NodeId> dataNextHop(NodeId dst) {
        OutLink l = routing.dataNextHop(dst);
        return l == null ? Optional.empty() : Optional.of(l.peer());
    }

    /** The connection of our up (connected) out-link to {@code neighbor}, if there is one. */
    public Optional<io.egoist.core.ConnId> upLinkConn(NodeId neighbor) {
        OutLink l = outLinks.upLink(neighbor);
        return l == null ? Optional.empty() : Optional.of(l.conn());
    }

    public NodeCounters counters() {
        return counters;
    }

    /** Whether link state is signed and DATA sealed (secure mode). */
    public boolean secure() {
        return seal.secure();
    }

    /** The CA bundle or revocation list was reloaded: check announcers' certificates again; returns {@link #secure}. */
    public boolean forgetCredentials() {
        seal.forgetCredentials();
        return seal.secure();
    }

    /** Bytes a DATA payload grows by when sealed (0 in open mode): fragments leave room for it. */
    public int dataSealOverhead() {
        return dataSeal.overhead();
    }

    /** Nodes named only in peers' updates, not probed until confirmed ({@link Confirmations}). */
    public int unconfirmedCount() {
        return trust.unconfirmedCount();
    }
}
