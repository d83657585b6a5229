package io.egoist.tracker;

import io.egoist.core.Effect;
import io.egoist.core.Event;
import io.egoist.wire.NodeId;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When the tracker removes a node: the suspect / probe / sweep / expiry flow, on its own.
 *
 * <ul>
 *   <li>An RMV report makes a registered node a <b>suspect</b>, probed at once (one probe in flight at a time).
 *   <li>Every sweep probes each suspect again; a suspect whose probes of that round all failed is removed
 *       ({@code dead-after-rmv}).
 *   <li>A node silent (no REG/UPT) longer than expire-after is <b>not</b> removed for that alone (a v0.2 node
 *       re-sends UPT only when it re-wires): the sweep probes it like a suspect, and it is removed
 *       ({@code expired}) only if that probe fails. An answer counts as a sign of life (last-seen moves on).
 *   <li>A REG or UPT ({@link #signOfLife}) or an answered probe clears all of it; results of probes sent before
 *       are ignored when they come.
 * </ul>
 *
 * Sans-I/O like the core: effects are appended to the list it is given.
 */
final class Removals {
    private static final Logger log = LoggerFactory.getLogger(Removals.class);

    static final String CAUSE_EXPIRED = "expired";
    static final String CAUSE_DEAD_AFTER_RMV = "dead-after-rmv";

    private final Overlay overlay;
    private final TrackerConfig config;
    private final TrackerStats.Counts removalCounts;

    Removals(Overlay overlay, TrackerConfig config, TrackerStats.Counts removalCounts) {
        this.removalCounts = removalCounts;
        this.overlay = overlay;
        this.config = config;
    }

    /** An RMV of {@code e} from {@code reporter}: suspect and probe. */
    void report(NodeEntry e, String reporter, List<Effect> out) {
        if (!e.suspect) {
            overlay.setSuspect(e, true);
            out.add(new TrackerEffect.PersistNode(e.view()));
        }
        // A node leaving reports itself from its own main port (a source no other host can use): one failed
        // probe of its echo port then removes it at once, without waiting for the next sweep.
        if (reporter.equals(e.id.toString())) e.sweepRound = true;
        log.info("event=suspect node={} reporter={} probes_in_flight={}", e.id, reporter, e.probesInFlight);
        if (e.probesInFlight == 0) probe(e, out);
    }

    /** A REG or UPT from the node: it is alive; pending probes say nothing about it after this. */
    void signOfLife(NodeEntry e, long now) {
        e.lastSeen = Math.max(e.lastSeen, now);
        overlay.setSuspect(e, false);
        e.expiring = false;
        e.sweepRound = false;
        e.staleResults += e.probesInFlight;
        e.probesInFlight = 0;
    }

    void onProbeResult(long now, Event.ProbeResult r, List<Effect> out) {
        NodeEntry e = overlay.get(r.target());
        if (e == null || e.staleResults > 0 || !e.underProbe()) {
            if (e != null && e.staleResults > 0) e.staleResults--;
            log.debug("event=probe-late node={} answered={}", r.target(), r.answered());
            return;
        }
        e.probesInFlight = Math.max(0, e.probesInFlight - 1);
        if (r.answered()) {
            boolean wasExpiring = e.expiring && !e.suspect;
            overlay.setSuspect(e, false);
            e.sweepRound = false;
            e.staleResults += e.probesInFlight;
            e.probesInFlight = 0;
            if (e.expiring) {
                // silent but alive: its answer is a sign of life, so it is not probed again before expire-after
                e.expiring = false;
                e.lastSeen = Math.max(e.lastSeen, now);
            }
            out.add(new TrackerEffect.PersistNode(e.view()));
            log.info(
                    "event=probe node={} answered=true rtt_ms={} suspect=false{}",
                    e.id,
                    String.format("%.3f", r.rttMs()),
                    wasExpiring ? " silent=true kept=true" : "");
        } else if (e.sweepRound && e.probesInFlight == 0) {
            log.info("event=probe node={} answered=false suspect={} silent={}", e.id, e.suspect, e.expiring);
            remove(e, e.suspect ? CAUSE_DEAD_AFTER_RMV : CAUSE_EXPIRED, out);
        } else {
            log.info(
                    "event=probe node={} answered=false suspect=true waiting_for={}",
                    e.id,
                    e.sweepRound ? "other-probes" : "next-sweep");
        }
    }

    /** The periodic sweep: silent nodes start being probed, every node under probe is probed again. */
    void sweep(long now, List<Effect> out) {
        int silent = 0, probed = 0;
        for (NodeEntry e : overlay.entries()) {
            if (!e.underProbe() && now - e.lastSeen > config.expireAfterMs()) {
                e.expiring = true;
                silent++;
            }
            if (!e.underProbe()) continue;
            if (e.sweepRound) {
                // a whole period and the previous round's results never came (not with our runtimes): start over
                e.probesInFlight = 0;
                e.staleResults = 0;
            }
            e.sweepRound = true;
            probe(e, out);
            probed++;
        }
        if (silent > 0 || probed > 0) {
            log.info(
                    "event=sweep nodes={} links={} newly_silent={} probed={}",
                    overlay.size(),
                    overlay.linkCount(),
                    silent,
                    probed);
        } else {
            log.debug("event=sweep nodes={} links={} newly_silent=0 probed=0", overlay.size(), overlay.linkCount());
        }
    }

    private void probe(NodeEntry e, List<Effect> out) {
        e.probesInFlight++;
        out.add(new Effect.Probe(e.id, config.pingTimeoutMs()));
    }

    private void remove(NodeEntry e, String cause, List<Effect> out) {
        NodeId id = e.id;
        List<NodeEntry> changed = overlay.remove(e);
        for (NodeEntry se : changed) out.add(new TrackerEffect.PersistNode(se.view()));
        out.add(new TrackerEffect.DeleteNode(id));
        removalCounts.inc(cause);
        log.info("event=remove node={} cause={} nodes={}", id, cause, overlay.size());
    }

    /** Nodes currently probed because they were silent too long (for tests and metrics). */
    List<NodeId> expiring() {
        List<NodeId> ids = new ArrayList<>();
        for (NodeEntry e : overlay.entries()) if (e.expiring) ids.add(e.id);
        return ids;
    }
}
