package io.egoist.node.linkstate;

import io.egoist.core.Effect;
import io.egoist.node.NodeConfig;
import io.egoist.node.NodeContext;
import io.egoist.node.NodeTimers;
import io.egoist.wire.Link;
import io.egoist.wire.Message;
import io.egoist.wire.NodeId;
import io.egoist.wire.Seed;
import io.egoist.wire.WireCodec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The link-state database: the latest update of every source (flooded peer UPT, or the tracker's links for a
 * source we have no flooded update of), duplicate suppression by hash (the hashes are erased every
 * {@code eraseHashMs}, as v0.2 does), freshness per source by serial-number arithmetic, and our own
 * announcement with its sequence numbers. Flooding itself (who gets a line) is the composer's: this class says
 * which lines to send.
 */
public final class LinkStateDb {
    private static final Logger log = LoggerFactory.getLogger(LinkStateDb.class);

    /** A re-announcement is due when a link cost moved by more than this fraction. */
    public static final double COST_CHANGE = 0.10;

    /** The latest update we accepted from a source (tracker-derived when seq == null, line == null). */
    public record SourceState(Integer seq, List<Link> links, String line) {
        public SourceState {
            links = List.copyOf(links);
        }
    }

    /** What became of a peer update. */
    public enum Verdict {
        /** Our own, or one we have seen: dropped. */
        DUPLICATE,
        /** Well-formed but unacceptable (see {@link #problem}): dropped and counted; the link stays up. */
        DROPPED,
        /**
         * An announcement of our own id with a sequence number ahead of ours (forged, or from a previous life):
         * our next announcement, due at once, goes out with a higher one.
         */
        OWN_AHEAD,
        /** Not newer than what we hold for its source. */
        STALE,
        /** Stored: flood it on. */
        ACCEPTED
    }

    private final NodeContext ctx;
    private final NodeConfig cfg;
    private final NodeId self;
    private final UpdateSeal seal;
    private final Map<NodeId, SourceState> sources = new HashMap<>();
    private final Set<String> seenHashes = new HashSet<>();
    private int ownSeq = -1;
    private String ownLine;
    private List<Link> ownLinks = List.of();
    private long lastAnnounce = Long.MIN_VALUE;
    /** An announcement of ours is due at once (we saw our own id with a sequence number ahead of ours). */
    private boolean forceAnnounce;
    /** Before our first announcement: the highest sequence number seen under our id, or -1. */
    private int seqFloor = -1;
    /** Whether we have v0.2 peers (warn before our counter wraps), and whether we warned on this approach. */
    private BooleanSupplier hasV02Peers = () -> false;

    private boolean wrapWarned;

    public LinkStateDb(NodeContext ctx) {
        this(ctx, UpdateSeal.OPEN);
    }

    /** {@code seal}: signs our announcements (secure mode) or leaves them as they are ({@link UpdateSeal#OPEN}). */
    public LinkStateDb(NodeContext ctx, UpdateSeal seal) {
        this.ctx = ctx;
        this.cfg = ctx.cfg();
        this.self = ctx.self();
        this.seal = seal;
    }

    /** Arms the periodic erasure of the remembered hashes. */
    public void start() {
        ctx.emit(new Effect.SetTimer(NodeTimers.ERASE, ctx.now() + cfg.eraseHashMs()));
    }

    /** The erase timer: forget the remembered hashes. */
    public void onEraseTimer() {
        seenHashes.clear();
        ctx.emit(new Effect.SetTimer(NodeTimers.ERASE, ctx.now() + cfg.eraseHashMs()));
    }

    public SourceState get(NodeId source) {
        return sources.get(source);
    }

    /** Every source we hold link state of (self excluded). */
    public Map<NodeId, SourceState> sources() {
        return Collections.unmodifiableMap(sources);
    }

    public void remove(NodeId source) {
        sources.remove(source);
    }

    public List<Link> ownLinks() {
        return ownLinks;
    }

    public int ownSeq() {
        return ownSeq;
    }

    /**
     * Our next sequence number: {@link SeqNumbers#FIRST} (0, as v0.2) for the first announcement, unless an update
     * under our own id showed a number ahead of that (then one past it), then +1 per announcement modulo
     * PKT_IDS_LIMIT. A v0.2 receiver (strict {@code seq > last}, never forgetting {@code last}) thus accepts our
     * first 5000 announcements; ours compare by serial arithmetic and follow us across the wrap. A restarted node
     * of ours is told its previous life's number by its neighbors and jumps past it (see {@link #accept}).
     */
    private int nextSeq() {
        if (ownSeq < 0) {
            ownSeq = SeqNumbers.FIRST;
            if (seqFloor >= 0 && !SeqNumbers.newer(ownSeq, seqFloor)) ownSeq = (seqFloor + 1) % Seed.PKT_IDS_LIMIT;
        } else {
            ownSeq = (ownSeq + 1) % Seed.PKT_IDS_LIMIT;
        }
        warnBeforeWrap();
        return ownSeq;
    }

    /**
     * Near the wrap, with v0.2 peers: one WARN line (once per approach to the wrap) that they will ignore our
     * updates after it until they restart; v0.2's receivers never accept a smaller number again.
     */
    private void warnBeforeWrap() {
        if (!SeqNumbers.nearWrap(ownSeq)) {
            wrapWarned = false;
            return;
        }
        if (wrapWarned || !hasV02Peers.getAsBoolean()) return;
        wrapWarned = true;
        ctx.counters().wrapWarnings++;
        log.warn(
                "event=seq_wrap_near node={} seq={} limit={} reason=\"v0.2 peers will ignore our updates after the"
                        + " wrap to 0 until they restart\"",
                self,
                ownSeq,
                Seed.PKT_IDS_LIMIT);
    }

    /** Tells the database whether we have v0.2 (extension-less) peers, for the warning before the wrap. */
    public void v02PeersWhen(BooleanSupplier hasV02Peers) {
        this.hasV02Peers = hasV02Peers;
    }

    /**
     * The line we hold of {@code source} when it is newer than {@code seq} (a stale update of it just arrived):
     * sent back to a source that announced itself with an old number, it tells a restarted node where its previous
     * life stopped (as OSPF sends back the newer database copy). Null when we hold none.
     */
    public String newerCopy(NodeId source, int seq) {
        SourceState s = sources.get(source);
        return s == null || s.line() == null || s.seq() == null || !SeqNumbers.newer(s.seq(), seq) ? null : s.line();
    }

    /**
     * Our links (those that are up) as they are now: returns the peer UPT line to send every out-neighbor when an
     * announcement is due (a link more or less, a cost moved by more than 10 %, the first one, or a refresh), else
     * null.
     */
    public String announce(List<Link> links) {
        boolean due = forceAnnounce
                || ownLine == null
                || ctx.now() - lastAnnounce >= cfg.announceRefreshMs()
                || costsMoved(links);
        if (!due) return null;
        forceAnnounce = false;
        int seq = nextSeq();
        String hash = hash(seq);
        ownLinks = List.copyOf(links);
        ownLine = seal.seal(WireCodec.encode(new Message.PeerUpdate(hash, seq, self, ownLinks)));
        lastAnnounce = ctx.now();
        seenHashes.add(hash);
        ctx.counters().announcements++;
        ctx.invalidate();
        return ownLine;
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
            md.update((self + "@" + ctx.now() + "@" + seq + "@" + ctx.random().nextLong())
                    .getBytes(StandardCharsets.US_ASCII));
            StringBuilder sb = new StringBuilder(40);
            for (byte b : md.digest())
                sb.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
            return sb.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 unavailable", e);
        }
    }

    /**
     * Cheap pre-check on a raw line: a peer UPT (or signed SUPT) whose hash we have seen (most floods arrive several
     * times). Safe before a signature check: a hash is remembered only once its update was accepted (signature
     * valid in secure mode), and the hash is signed, so a line reusing a seen hash is a copy or a forgery.
     */
    public boolean seenBefore(String line) {
        int from = line.startsWith("UPT@") ? 4 : line.startsWith("SUPT@") ? 5 : -1; // plain or signed (same field 1)
        if (from < 0) return false;
        int at = line.indexOf('@', from);
        if (at > from && seenHashes.contains(line.substring(from, at))) {
            ctx.counters().updatesDuplicate++;
            return true;
        }
        return false;
    }

    /**
     * Takes in a decoded peer update (raw {@code line}); ACCEPTED means stored, to be flooded on. Self-links (v0.2
     * announces one after losing a neighbor) are left out of what is stored; the rest of the update is used.
     */
    public Verdict accept(Message.PeerUpdate u, String line) {
        NodeId src = u.source();
        if (src.equals(self)) return ownAnnouncement(u);
        if (seenHashes.contains(u.hash())) {
            ctx.counters().updatesDuplicate++;
            return Verdict.DUPLICATE;
        }
        String problem = problem(u);
        if (problem != null) {
            ctx.counters().updatesDropped++;
            log.info("event=update_dropped node={} source={} seq={} reason=\"{}\"", self, src, u.seq(), problem);
            return Verdict.DROPPED;
        }
        SourceState prev = sources.get(src);
        if (prev != null && prev.seq() != null && !SeqNumbers.newer(u.seq(), prev.seq())) {
            seenHashes.add(u.hash());
            ctx.counters().updatesStale++;
            log.debug("event=stale_update node={} source={} seq={} last={}", self, src, u.seq(), prev.seq());
            return Verdict.STALE;
        }
        seenHashes.add(u.hash());
        ctx.counters().updatesAccepted++;
        List<Link> links = new ArrayList<>(u.links().size());
        for (Link l : u.links()) {
            if (l.dst().equals(src)) {
                ctx.counters().selfLinksIgnored++;
                log.debug("event=self_link_ignored node={} source={} seq={}", self, src, u.seq());
            } else {
                links.add(l);
            }
        }
        sources.put(src, new SourceState(u.seq(), links, line));
        ctx.invalidate();
        return Verdict.ACCEPTED;
    }

    /**
     * An update under our own id: normally ours coming back around (a duplicate). One we did not send with a
     * sequence number ahead of ours would make every node drop our announcements until our counter passed it
     * (a forged update, or our previous life's): so we jump past it and announce at once, as OSPF does.
     */
    private Verdict ownAnnouncement(Message.PeerUpdate u) {
        if (seenHashes.contains(u.hash())) {
            ctx.counters().updatesDuplicate++;
            return Verdict.DUPLICATE;
        }
        seenHashes.add(u.hash());
        if (ownSeq < 0) {
            // not announced yet: our first number will lie ahead of it
            if (seqFloor < 0 || SeqNumbers.newer(u.seq(), seqFloor)) seqFloor = u.seq();
            ctx.counters().updatesDuplicate++;
            return Verdict.DUPLICATE;
        }
        if (!SeqNumbers.newer(u.seq(), ownSeq)) {
            ctx.counters().updatesDuplicate++;
            return Verdict.DUPLICATE;
        }
        log.warn("event=own_update_ahead node={} seq={} own_seq={} action=reannounce", self, u.seq(), ownSeq);
        ctx.counters().ownSeqAhead++;
        ownSeq = u.seq();
        forceAnnounce = true;
        return Verdict.OWN_AHEAD;
    }

    /** Why a (well-formed) peer update is unacceptable, or null. */
    public static String problem(Message.PeerUpdate u) {
        Set<NodeId> dsts = new HashSet<>();
        for (int i = 0; i < u.links().size(); i++) {
            Link l = u.links().get(i);
            if (!l.src().equals(u.source())) return "link[" + i + "] does not start at the update's source";
            if (l.dst().equals(l.src())) continue; // a self-link: ignored (v0.2 sends them), not a problem
            if (!dsts.add(l.dst())) return "link[" + i + "] duplicates destination " + l.dst();
            // a cost >= UNREACHABLE_COST (v0.2's HUGE_DELAY for a neighbor that stopped answering) is a link
            // that is down: accepted, never routed over (see the routing view)
            if (!Double.isFinite(l.cost()) || l.cost() < 0) return "link[" + i + "] bad cost";
        }
        return null;
    }

    /**
     * The tracker's links (no sequence numbers): used only for sources we have no flooded update of. Returns the
     * destinations of the links taken, in order, for the caller to learn.
     */
    public List<NodeId> mergeTrackerLinks(List<Link> links) {
        Map<NodeId, List<Link>> bySource = new TreeMap<>();
        for (Link l : links) {
            if (l.src().equals(self) || l.dst().equals(l.src())) continue;
            bySource.computeIfAbsent(l.src(), s -> new ArrayList<>()).add(l);
        }
        List<NodeId> named = new ArrayList<>();
        for (Map.Entry<NodeId, List<Link>> e : bySource.entrySet()) {
            SourceState s = sources.get(e.getKey());
            if (s == null || s.seq() == null) {
                sources.put(e.getKey(), new SourceState(null, e.getValue(), null));
                for (Link l : e.getValue()) named.add(l.dst());
            }
        }
        return named;
    }

    /** The latest update line of every source we hold, except {@code except}'s, in node order (catch-up). */
    public List<String> catchUpLines(NodeId except) {
        List<NodeId> ids = new ArrayList<>(sources.keySet());
        ids.sort(NodeContext.ORDER);
        List<String> lines = new ArrayList<>();
        for (NodeId src : ids) {
            SourceState s = sources.get(src);
            if (s.line() != null && !src.equals(except)) lines.add(s.line());
        }
        return lines;
    }

    /** The links we hold for {@code source} (ours for self; empty if none). */
    public List<Link> linksOf(NodeId source) {
        if (source.equals(self)) return ownLinks;
        SourceState s = sources.get(source);
        return s == null ? List.of() : s.links();
    }

    /** The last sequence number accepted from {@code source}, or -1. */
    public int lastSeq(NodeId source) {
        SourceState s = sources.get(source);
        return s == null || s.seq() == null ? -1 : s.seq();
    }
}
