package io.egoist.node.wiring;

import io.egoist.core.Effect;
import io.egoist.node.NodeConfig;
import io.egoist.node.NodeContext;
import io.egoist.node.NodeCore.Phase;
import io.egoist.node.NodeTimers;
import io.egoist.node.links.OutLink;
import io.egoist.node.links.OutLinks;
import io.egoist.node.linkstate.LinkStateDb;
import io.egoist.node.probe.Measurements;
import io.egoist.node.probe.Peer;
import io.egoist.node.routing.RoutingView;
import io.egoist.node.routing.View;
import io.egoist.node.tracker.TrackerClient;
import io.egoist.sns.Costs;
import io.egoist.sns.Policies;
import io.egoist.sns.WiringPolicy;
import io.egoist.sns.WiringProblem;
import io.egoist.wire.Link;
import io.egoist.wire.NodeId;
import io.egoist.wire.Seed;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When and how the node wires itself: the first wiring once every known node was measured (or the first round
 * timed out), then the policy every re-wire period (with the noise guard of {@link RewireGuard}), make before
 * break (old links stay up until the new ones are, then one announcement), and a lost neighbor replaced at once
 * (greedy best addition, preferring an orphan of the lost node). A wiring step announces our links, tells the
 * tracker (UPT, RMV of a lost neighbor) and hands the lost link's queued data lines back for re-routing.
 */
public final class Wiring {
    private static final Logger log = LoggerFactory.getLogger(Wiring.class);

    /** Debounce before filling missing neighbors when new candidates get measured. */
    public static final long FILL_DELAY_MS = 200;

    private final NodeContext ctx;
    private final NodeConfig cfg;
    private final NodeId self;
    private final WiringPolicy policy;
    private final Measurements measurements;
    private final LinkStateDb lsdb;
    private final OutLinks links;
    private final RoutingView routing;
    private final TrackerClient tracker;
    /** DATA/DACK lines that waited on a lost link go here, to be sent along the current routes. */
    private final Consumer<ArrayDeque<String>> reroute;

    private Phase phase = Phase.JOINING;
    /** A re-wiring waits for its new links to come up before it is announced. */
    private boolean announceDeferred;

    public Wiring(
            NodeContext ctx,
            Measurements measurements,
            LinkStateDb lsdb,
            OutLinks links,
            RoutingView routing,
            TrackerClient tracker,
            Consumer<ArrayDeque<String>> reroute) {
        this.ctx = ctx;
        this.cfg = ctx.cfg();
        this.self = ctx.self();
        this.policy = policyFor(cfg);
        this.measurements = measurements;
        this.lsdb = lsdb;
        this.links = links;
        this.routing = routing;
        this.tracker = tracker;
        this.reroute = reroute;
    }

    /** The policy object for a configuration ({@code br-eps} takes the configured ε). */
    static WiringPolicy policyFor(NodeConfig cfg) {
        if (cfg.policy().equals("br-eps")) return Policies.brEpsilon(cfg.epsilon());
        return Policies.byName(cfg.policy());
    }

    public Phase phase() {
        return phase;
    }

    // ---- when ----

    /** Joined: measure the known nodes, then wire (at once when there is nobody to measure). */
    public void startMeasuring() {
        phase = Phase.MEASURING;
        if (measurements.isEmpty()) {
            enterRunning();
            return;
        }
        ctx.emit(new Effect.SetTimer(
                NodeTimers.INITIAL_WIRING, ctx.now() + cfg.firstProbeDelayMs() + cfg.pingTimeoutMs() + 100));
    }

    /** In MEASURING: wire as soon as every known node has answered or timed out once. */
    public void afterMeasurement() {
        if (phase != Phase.MEASURING) return;
        if (!measurements.allProbed()) return;
        ctx.emit(new Effect.CancelTimer(NodeTimers.INITIAL_WIRING));
        enterRunning();
    }

    /** A node became a candidate: fill a free slot soon. */
    public void newCandidate() {
        if (phase == Phase.RUNNING && links.neighbors().size() < cfg.k())
            ctx.emit(new Effect.SetTimer(NodeTimers.FILL, ctx.now() + FILL_DELAY_MS));
    }

    /** Handles a wiring timer; false if {@code key} is not one. */
    public boolean onTimer(String key) {
        if (key.equals(NodeTimers.REWIRE)) {
            if (phase == Phase.RUNNING) rewire("period");
            scheduleRewire();
        } else if (key.equals(NodeTimers.FILL)) {
            if (phase == Phase.RUNNING && links.neighbors().size() < cfg.k()) repair("fill");
        } else if (key.equals(NodeTimers.INITIAL_WIRING)) {
            if (phase == Phase.MEASURING) enterRunning();
        } else {
            return false;
        }
        return true;
    }

    private void enterRunning() {
        phase = Phase.RUNNING;
        rewire("initial");
        scheduleRewire();
    }

    private void scheduleRewire() {
        long p = cfg.rewirePeriodMs();
        long jitter = p / 10;
        long delay = p - jitter + (jitter > 0 ? (long) (ctx.random().nextDouble() * 2 * jitter) : 0);
        ctx.emit(new Effect.SetTimer(NodeTimers.REWIRE, ctx.now() + delay));
    }

    // ---- how ----

    /** One wiring step: run the policy on the current view and switch to its choice. */
    private void rewire(String reason) {
        View v = routing.view();
        WiringProblem pr = routing.problem();
        int[] chosen;
        if (cfg.policy().equals("k-random") && pr.current().length == Math.min(cfg.k(), Choices.candidates(pr))) {
            chosen = pr.current(); // a static policy keeps a complete, valid wiring
        } else {
            chosen = forData(v, pr, policy.choose(pr, ctx.random()), true);
            if (reason.equals("period")) chosen = noiseGuard(pr, chosen);
        }
        chosen = forData(v, pr, chosen, false);
        ctx.counters().rewires++;
        apply(v, pr, chosen, reason, new ArrayList<>(links.neighbors()));
    }

    /**
     * Policy {@code br}: keep a complete current wiring when the policy's choice gains less than the measurement
     * noise ({@link RewireGuard}); otherwise the choice.
     */
    private int[] noiseGuard(WiringProblem pr, int[] chosen) {
        int[] current = pr.current();
        if (!RewireGuard.applies(cfg) || current.length != Math.min(cfg.k(), Choices.candidates(pr))) return chosen;
        Set<Integer> a = new HashSet<>(), b = new HashSet<>();
        for (int j : current) a.add(j);
        for (int j : chosen) b.add(j);
        if (a.equals(b)) return chosen;
        double oldCost = Costs.cost(pr, current);
        double newCost = Costs.cost(pr, chosen);
        if (RewireGuard.worthIt(cfg, oldCost, newCost)) return chosen;
        ctx.counters().guarded++;
        log.debug(
                "event=rewire_skipped node={} reason=below_noise old_cost={} new_cost={} threshold_ms={}",
                self,
                NodeContext.fmt(oldCost),
                NodeContext.fmt(newCost),
                NodeContext.fmt(RewireGuard.threshold(cfg, oldCost)));
        return current;
    }

    /** Fill missing out-links at once (after a loss, or when new candidates appear while under k). */
    private void repair(String reason) {
        repair(reason, new ArrayList<>(links.neighbors()), List.of());
    }

    /** Fills the free out-link slots: first with {@code preferred} nodes that are candidates, then greedily. */
    private void repair(String reason, List<NodeId> oldList, List<NodeId> preferred) {
        if (phase != Phase.RUNNING) return;
        View v = routing.view();
        WiringProblem pr = routing.problem();
        List<Integer> cur = new ArrayList<>();
        for (int j : pr.current()) cur.add(j);
        int want = Math.min(cfg.k(), Choices.candidates(pr));
        for (NodeId n : preferred) {
            Integer j = v.indexOf(n);
            if (cur.size() < want && j != null && !Double.isNaN(pr.direct()[j]) && !cur.contains(j)) cur.add(j);
        }
        if (cur.size() >= want) {
            // e.g. a dead neighbor was dropped, none to replace it
            apply(v, pr, forData(v, pr, toArray(cur), false), reason, oldList);
            return;
        }
        Choices.fill(pr, cur, want, cfg.policy(), ctx.random());
        ctx.counters().repairs++;
        apply(v, pr, forData(v, pr, toArray(cur), false), reason, oldList);
    }

    /**
     * {@code chosen}, adjusted so that the overlay stays usable for DATA where some nodes lack the data extension
     * ({@link DataPreference}); unchanged when this node has no data plane.
     */
    private int[] forData(View v, WiringProblem pr, int[] chosen, boolean withMargin) {
        if (!cfg.supports(NodeConfig.FEATURE_DATA)) return chosen;
        int n = v.ids().size();
        boolean[] dataCapable = new boolean[n], legacy = new boolean[n];
        for (int j = 0; j < n; j++) {
            if (j == v.selfIdx()) continue;
            Peer p = measurements.peer(v.ids().get(j));
            legacy[j] = RoutingView.legacy(p);
            dataCapable[j] = p != null && p.candidate() && p.supports(NodeConfig.FEATURE_DATA);
        }
        int[] r = DataPreference.apply(pr, chosen, dataCapable, legacy, withMargin);
        if (r != chosen && !java.util.Arrays.equals(r, chosen)) {
            ctx.counters().dataPreferred++;
            log.debug("event=data_preference node={} margin={} swapped_in={}", self, withMargin, names(v, r, chosen));
        }
        return r;
    }

    private static List<NodeId> names(View v, int[] now, int[] before) {
        List<NodeId> in = new ArrayList<>();
        outer:
        for (int j : now) {
            for (int b : before) if (b == j) continue outer;
            in.add(v.ids().get(j));
        }
        return in;
    }

    private static int[] toArray(List<Integer> l) {
        return l.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Switch to wiring {@code chosen} (indices of view {@code v}), log the change, announce. */
    private void apply(View v, WiringProblem pr, int[] chosen, String reason, List<NodeId> oldList) {
        List<NodeId> newList = new ArrayList<>();
        for (int j : chosen) newList.add(v.ids().get(j));
        boolean changed = !new HashSet<>(oldList).equals(new HashSet<>(newList));
        if (changed) {
            if (!reason.equals("initial") && !reason.startsWith("fill")) ctx.counters().changes++;
            if (log.isInfoEnabled()) {
                double oldCost = pr.current().length == 0 ? Double.NaN : Costs.cost(pr, pr.current());
                double newCost = chosen.length == 0 ? Double.NaN : Costs.cost(pr, chosen);
                log.info(
                        "event=rewire node={} reason={} old={} new={} old_cost={} new_cost={}",
                        self,
                        reason,
                        oldList,
                        newList,
                        NodeContext.fmt(oldCost),
                        NodeContext.fmt(newCost));
            }
            boolean lost = reason.startsWith("lost:");
            boolean adding = false;
            for (NodeId n : newList) if (!links.isNeighbor(n)) adding = true;
            for (NodeId n : new ArrayList<>(links.neighbors())) {
                if (newList.contains(n)) continue;
                if (lost || !adding) links.drop(n);
                else links.retire(n);
            }
            for (NodeId n : newList) {
                if (links.isNeighbor(n)) continue;
                if (!links.restore(n)) {
                    Peer p = measurements.peer(n);
                    links.add(n, p != null && p.candidate() ? p.cost() : Seed.BOOT_DELAY);
                }
            }
        }
        // Only links that are up are announced (and routed over): a link to a node that turns out to be dead
        // is never advertised. Make before break: a re-wiring keeps its old links (routed over, announced)
        // until the new ones are up, then switches with one announcement. A loss is announced at once (the
        // lost link must go), and again when the replacement is up.
        if (links.allConnected()) {
            links.finishRetiring();
            announce();
            announceDeferred = false;
            tracker.report(lsdb.ownLinks());
        } else {
            if (reason.startsWith("lost:")) announce();
            announceDeferred = true;
        }
    }

    /** An out-link came up: a deferred announcement goes out once every new link is up. */
    public void linkUp() {
        if (!announceDeferred || !links.allConnected()) return;
        announceDeferred = false;
        links.finishRetiring();
        announce();
        tracker.report(lsdb.ownLinks());
    }

    /** Our announcement must go out now (with a sequence number past one seen under our id). */
    public void announceNow() {
        announce();
    }

    /** Announces our links that are up (if due: a change, a moved cost, a refresh) on every out-link. */
    private void announce() {
        List<Link> up = new ArrayList<>();
        for (OutLink l : links.upLinks()) {
            Peer p = measurements.peer(l.peer());
            up.add(new Link(self, l.peer(), p != null && p.candidate() ? p.cost() : Seed.BOOT_DELAY));
        }
        String line = lsdb.announce(up);
        if (line != null) links.flood(line, null);
    }

    // ---- losses ----

    /**
     * A neighbor link failed (closed, connect failed, heartbeats missed, probe timeout): forget the link, report
     * RMV (unless the peer tore it down itself, {@code reportRemove} false), replace it at once.
     */
    public void neighborLost(NodeId n, String cause, boolean reportRemove) {
        if (!links.isNeighbor(n)) {
            OutLink r = links.retiringLink(n);
            if (r != null) retiringLost(r, cause);
            return;
        }
        List<NodeId> oldList = new ArrayList<>(links.neighbors());
        OutLink l = links.removeFailed(n);
        List<NodeId> orphans =
                reportRemove ? Choices.orphanShare(self, n, lsdb, links.neighbors(), measurements::peer) : List.of();
        ctx.counters().neighborsLost++;
        Peer p = measurements.peer(n);
        boolean confirmFirst = false;
        if (p != null && reportRemove && p.lastOk()) {
            // A lost link is not a dead node: missed heartbeats may be a stall, a close may answer one bad message
            // or a local error. One RMV removes a live node from a v0.2 tracker, so report it only if the probe
            // sent now fails too (the replacement below happens at once anyway).
            confirmFirst = true;
            measurements.linkFailed(p, true);
        }
        log.warn(
                "event=neighbor_lost node={} neighbor={} cause={} dropped_lines={}",
                self,
                n,
                cause,
                l.pending().size());
        if (reportRemove && !confirmFirst) tracker.sendRemove(n);
        ctx.invalidate();
        if (!l.connected() && !links.retiringEmpty()) {
            // A re-wiring step failed to bring up one of its new links: undo that swap by keeping a link it
            // was about to drop (rather than picking yet another one greedily).
            NodeId back = links.restoreOldestRetiring();
            log.info("event=rewire_aborted node={} failed={} kept={}", self, n, back);
            ctx.counters().aborted++;
            if (links.allConnected()) {
                announceDeferred = false;
                links.finishRetiring();
                announce();
                tracker.report(lsdb.ownLinks());
            }
        } else if (phase == Phase.RUNNING) {
            repair("lost:" + n, oldList, orphans);
        }
        reroute.accept(l.pending());
    }

    /** A link we were about to drop failed first: forget it, report it, announce without it. */
    private void retiringLost(OutLink l, String cause) {
        links.removeRetiring(l);
        log.warn("event=neighbor_lost node={} neighbor={} cause={} retiring=true", self, l.peer(), cause);
        Peer p = measurements.peer(l.peer());
        if (p != null && p.lastOk() && !cause.equals("teardown")) {
            measurements.linkFailed(p, true); // RMV only if the probe fails too
        }
        ctx.invalidate();
        announce();
    }
}
