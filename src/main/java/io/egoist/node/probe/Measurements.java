package io.egoist.node.probe;

import io.egoist.core.Effect;
import io.egoist.node.NodeConfig;
import io.egoist.node.NodeContext;
import io.egoist.node.NodeTimers;
import io.egoist.wire.NodeId;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The known nodes and their measurements: an {@link Effect.Probe} to every known node every ping period, cost =
 * mean of the last 3 RTTs (the first answer fills the whole history, so no 500 ms boot values reach the first
 * wiring); an unanswered probe makes the node dead (not a candidate, not routed through) until it answers again.
 * Hash order is deterministic; callers sort where the order matters.
 *
 * <p>Bounded, so that a large overlay or a flood of learned ids cannot turn a node into a port scanner: at most
 * {@link #MAX_MEASURED} nodes are measured (a further id is ignored and counted, {@link #refused()}), each probed
 * once per ping period (plus the warm-up re-take and failure confirmations), and newly learned nodes get their
 * first probe at most {@link #MAX_FIRST_PROBES} at once and {@link #MAX_FIRST_PROBES} per ping period after that
 * (the others are scheduled later, a token bucket).
 */
public final class Measurements {
    private static final Logger log = LoggerFactory.getLogger(Measurements.class);

    /** At most this many nodes are known and measured at once. */
    public static final int MAX_MEASURED = 1024;
    /** First probes of newly learned nodes: this many at once, and this many per ping period after that. */
    public static final int MAX_FIRST_PROBES = 256;

    /** What one probe result changed, for the composer to act on. */
    public record Outcome(Peer peer, boolean answered, boolean wasCandidate, boolean wasDead, boolean reportRemove) {
        /** Whether the node's standing (candidate, dead) changed. */
        public boolean changed() {
            return wasCandidate != peer.candidate() || wasDead != peer.dead();
        }
    }

    private final NodeContext ctx;
    private final NodeConfig cfg;
    private final Map<NodeId, Peer> peers = new HashMap<>();
    /** Known nodes without a probe result yet (the first wiring waits for them). */
    private final Set<NodeId> unprobed = new HashSet<>();
    /** First-probe tokens (may go negative: reserved ahead) and when they were last refilled. */
    private double firstProbeTokens = MAX_FIRST_PROBES;

    private long tokensAt = Long.MIN_VALUE;
    private long refused;

    public Measurements(NodeContext ctx) {
        this.ctx = ctx;
        this.cfg = ctx.cfg();
    }

    /** Starts measuring {@code id}; returns the new peer, or null when it is us or already known. */
    public Peer learn(NodeId id) {
        if (id.equals(ctx.self()) || peers.containsKey(id)) return null;
        if (peers.size() >= MAX_MEASURED) {
            if (refused++ % 1000 == 0)
                log.warn(
                        "event=learn_refused node={} peer={} measured={} refused={}",
                        ctx.self(),
                        id,
                        peers.size(),
                        refused);
            return null;
        }
        Peer p = new Peer(id, ctx.now());
        peers.put(id, p);
        unprobed.add(id);
        ctx.emit(new Effect.SetTimer(NodeTimers.probe(id), ctx.now() + cfg.firstProbeDelayMs() + firstProbeWait()));
        return p;
    }

    /** Takes a first-probe token; returns how long to wait for it (0 while the bucket has tokens). */
    private long firstProbeWait() {
        double perMs = (double) MAX_FIRST_PROBES / Math.max(1, cfg.pingPeriodMs());
        if (tokensAt != Long.MIN_VALUE)
            firstProbeTokens = Math.min(MAX_FIRST_PROBES, firstProbeTokens + (ctx.now() - tokensAt) * perMs);
        tokensAt = ctx.now();
        firstProbeTokens -= 1;
        return firstProbeTokens >= 0 ? 0 : (long) Math.ceil(-firstProbeTokens / perMs);
    }

    /** How many learned ids were ignored because {@link #MAX_MEASURED} nodes were measured already. */
    public long refused() {
        return refused;
    }

    /** Stops measuring {@code p} (too many failed probes). */
    public void forget(Peer p) {
        log.info("event=forget node={} peer={} failures={}", ctx.self(), p.id(), p.failures());
        peers.remove(p.id());
        unprobed.remove(p.id());
        ctx.emit(new Effect.CancelTimer(NodeTimers.probe(p.id())));
        ctx.invalidate();
    }

    public Peer peer(NodeId id) {
        return peers.get(id);
    }

    public Collection<Peer> all() {
        return peers.values();
    }

    public Set<NodeId> ids() {
        return Collections.unmodifiableSet(peers.keySet());
    }

    /** Known nodes not dead by our probes, in node order. */
    public Set<NodeId> liveIds() {
        Set<NodeId> s = new TreeSet<>(NodeContext.ORDER);
        for (Peer p : peers.values()) if (!p.dead()) s.add(p.id());
        return s;
    }

    /** The measured cost of the direct link to {@code node} (NaN when unmeasured or dead). */
    public double measuredCost(NodeId node) {
        Peer p = peers.get(node);
        return p == null || !p.candidate() ? Double.NaN : p.cost();
    }

    /** The features {@code node} advertised: empty for v0.2, null while unknown. */
    public java.util.List<String> featuresOf(NodeId node) {
        Peer p = peers.get(node);
        return p == null ? null : p.features();
    }

    public int size() {
        return peers.size();
    }

    public boolean isEmpty() {
        return peers.isEmpty();
    }

    /** Every known node has answered or timed out at least once. */
    public boolean allProbed() {
        return unprobed.isEmpty();
    }

    /** The periodic probe of {@code id} is due. */
    public void onProbeTimer(NodeId id) {
        if (!peers.containsKey(id)) return;
        ctx.emit(new Effect.Probe(id, cfg.pingTimeoutMs()));
        ctx.emit(new Effect.SetTimer(NodeTimers.probe(id), ctx.now() + cfg.pingPeriodMs()));
    }

    /** Probe now (e.g. to confirm a suspected failure) without moving the periodic schedule. */
    public void probeSoon(Peer p) {
        ctx.emit(new Effect.Probe(p.id(), cfg.pingTimeoutMs()));
    }

    /**
     * A link to {@code p} failed: it is not a candidate until it answers a probe again; probe at once to find out.
     * With {@code confirmFirst} (missed heartbeats, which may be a stall) an RMV is due only if that probe fails.
     */
    public void linkFailed(Peer p, boolean confirmFirst) {
        p.markDown();
        probeSoon(p);
        if (confirmFirst) p.removeOnProbeFailure(true);
    }

    /** A probe result ({@code rtt} negative or not finite: no answer); null when the target is not known. */
    public Outcome onProbeResult(NodeId target, double rtt) {
        Peer p = peers.get(target);
        if (p == null) return null;
        boolean wasCandidate = p.candidate();
        boolean wasDead = p.dead();
        boolean reportRemove = false;
        boolean answered = rtt >= 0 && Double.isFinite(rtt);
        // the first answer is re-taken at once (see Peer.sample); the first wiring waits for the re-take
        boolean retake = answered && p.answers() == 0;
        if (retake) probeSoon(p);
        else unprobed.remove(target);
        if (answered) {
            if (p.removeOnProbeFailure()) {
                p.removeOnProbeFailure(false);
                log.info(
                        "event=remove_withheld node={} peer={} reason=probe_answered rtt_ms={}",
                        ctx.self(),
                        target,
                        NodeContext.fmt(rtt));
            }
            p.sample(rtt);
            if (wasDead)
                log.info("event=node_alive node={} peer={} rtt_ms={}", ctx.self(), target, NodeContext.fmt(rtt));
        } else {
            p.fail();
            if (!wasDead) log.info("event=node_dead node={} peer={} cause=probe_timeout", ctx.self(), target);
            if (p.removeOnProbeFailure()) {
                p.removeOnProbeFailure(false);
                reportRemove = true; // heartbeats and the probe both failed: now report it
            }
        }
        return new Outcome(p, answered, wasCandidate, wasDead, reportRemove);
    }
}
