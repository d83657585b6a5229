package io.egoist.tracker;

import io.egoist.wire.Link;
import io.egoist.wire.NodeId;
import io.egoist.wire.Seed;
import io.egoist.wire.WireCodec;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.RandomAccess;

/**
 * The registered nodes (in registration order) and their links, with the encoded REG reply kept up to date.
 *
 * <p>The reply is built from pieces encoded once ({@code @id} per node at registration, {@code @src@dst@cost|} per
 * link at each UPT). The OVER lines of a segmented reply grow as nodes join: a join appends its piece to the last,
 * open OVER line (or closes it with SEG and opens a new one), so a join encodes one piece and copies at most one
 * line, whatever the overlay's size. Completed OVER lines are never changed (a removal builds a new list), so a
 * reply handed out stays valid. The NET lines depend only on links and are rebuilt on the first REG after a UPT.
 *
 * <p>{@link #replyLines()} returns the same immutable list object for every call between two changes.
 */
final class Overlay {
    private static final int OVER_ROOM = Seed.PKT_LIMIT - Seed.SEG.length();
    /** A reverse-index list shorter than this is never compacted. */
    private static final int MIN_COMPACT = 8;

    private final LinkedHashMap<NodeId, NodeEntry> nodes = new LinkedHashMap<>();
    /**
     * The reverse index of links whose destination is not registered: dst -> the nodes linking to it. A registered
     * destination keeps its own ({@link NodeEntry#linkedFrom}), reached through {@link NodeEntry#linkDsts}, and kept
     * lazily: a UPT between registered nodes appends to the new destinations' lists and hashes nothing; a list is
     * compacted (gone links and repeats dropped) when it has doubled since its last compaction, so it stays within
     * twice its live size plus a few, and each UPT pays O(1) amortised. A destination's set moves to its entry when
     * it registers.
     */
    private final HashMap<NodeId, LinkedHashSet<NodeEntry>> unregisteredInbound = new HashMap<>();

    private int linkCount;
    /** The last stamp handed to a walk over a reverse index. */
    private long stamps;
    /** Registered nodes whose suspect flag is set. */
    private int suspects;
    /** Total length of the encoded node pieces and link pieces. */
    private int nodeChars;

    private int linkChars;

    /** Completed OVER lines (each ending in SEG); append-only: a removal replaces the list. */
    private ArrayList<String> overDone = new ArrayList<>();
    /** The last, open OVER line. */
    private final StringBuilder overOpen = new StringBuilder(Seed.PKT_LIMIT).append(Seed.OVERLAY_PACKET);

    private List<String> netCache;
    private List<String> replyCache;
    /** Node pieces appended to OVER lines so far (a test holds a join to O(1) of them). */
    private long nodePiecesEncoded;

    NodeEntry get(NodeId id) {
        return nodes.get(id);
    }

    int size() {
        return nodes.size();
    }

    int linkCount() {
        return linkCount;
    }

    Collection<NodeEntry> entries() {
        return nodes.values();
    }

    /** Kept as flags change (not counted by a walk: /healthz and /metrics read it after every event). */
    int suspectCount() {
        return suspects;
    }

    /** Sets a node's suspect flag: every change of the flag of a registered node goes through here. */
    void setSuspect(NodeEntry e, boolean suspect) {
        if (e.suspect == suspect) return;
        e.suspect = suspect;
        if (nodes.get(e.id) == e) suspects += suspect ? 1 : -1;
    }

    long nodePiecesEncoded() {
        return nodePiecesEncoded;
    }

    TrackerSnapshot snapshot() {
        List<TrackerNode> list = new ArrayList<>(nodes.size());
        for (NodeEntry e : nodes.values()) list.add(e.view());
        return new TrackerSnapshot(list);
    }

    void add(NodeEntry e) {
        nodes.put(e.id, e);
        LinkedHashSet<NodeEntry> from = unregisteredInbound.remove(e.id);
        if (from != null) { // links made before it registered now reach it through its entry
            e.linkedFrom = new ArrayList<>(from);
            e.linkedFromCompactAt = Math.max(MIN_COMPACT, 2 * from.size());
            for (NodeEntry s : from) {
                for (int i = 0; i < s.links.size(); i++) {
                    if (s.linkDsts[i] == null && s.links.get(i).dst().equals(e.id)) s.linkDsts[i] = e;
                }
            }
        }
        if (e.suspect) suspects++;
        nodeChars += e.idPiece.length();
        appendOver(e.idPiece);
        replyCache = null;
    }

    /**
     * Removes a node, its links and every link to it.
     *
     * @return the nodes whose links changed because they pointed to it
     */
    List<NodeEntry> remove(NodeEntry e) {
        setLinks(e, List.of());
        if (nodes.remove(e.id) == e && e.suspect) suspects--;
        nodeChars -= e.idPiece.length();
        rebuildOver();
        List<NodeEntry> changed = new ArrayList<>();
        ArrayList<NodeEntry> srcs = e.linkedFrom;
        e.linkedFrom = null;
        if (srcs != null) {
            long walk = ++stamps;
            for (NodeEntry se : srcs) {
                if (se.stamp == walk) continue; // listed again
                se.stamp = walk;
                if (!linksTo(se, e) || nodes.get(se.id) != se) continue; // its link has gone since
                List<Link> kept = new ArrayList<>(se.links.size());
                for (Link l : se.links) if (!l.dst().equals(e.id)) kept.add(l);
                setLinks(se, List.copyOf(kept));
                changed.add(se);
            }
        }
        replyCache = null;
        return changed;
    }

    /**
     * Replaces e's links, keeping the reverse index, the encoded pieces and the counts in step. Per link this is
     * one lookup of its destination (for the canonical id and its encoded piece); a link whose destination and
     * cost are those of one of e's current links keeps that link's piece, and a destination e already linked to
     * leaves the reverse index alone (a UPT costs the links that changed, not all of them).
     */
    void setLinks(NodeEntry e, List<Link> links) {
        List<Link> old = e.links;
        String[] oldPieces = e.linkPieces;
        NodeEntry[] oldDsts = e.linkDsts;
        int n = links.size();
        Link[] canon = new Link[n];
        String[] pieces = n == 0 ? NodeEntry.NO_PIECES : new String[n];
        NodeEntry[] dsts = n == 0 ? NodeEntry.NO_DSTS : new NodeEntry[n];
        StringBuilder sb = null;
        for (int i = 0; i < n; i++) {
            Link l = links.get(i);
            int same = indexOfSame(old, l);
            if (same >= 0) { // unchanged link: its canonical form and piece are already made
                canon[i] = old.get(same);
                pieces[i] = oldPieces[same];
                dsts[i] = oldDsts[same];
                continue;
            }
            NodeEntry d = nodes.get(l.dst());
            dsts[i] = d;
            NodeId dst = d == null ? l.dst() : d.id;
            canon[i] = l.src() == e.id && dst == l.dst() ? l : new Link(e.id, dst, l.cost());
            if (sb == null) sb = new StringBuilder(48);
            sb.setLength(0);
            sb.append(e.idPiece);
            if (d != null) sb.append(d.idPiece); // "@ip:port", encoded once at registration
            else sb.append(Seed.PACK_DELIMITER).append(dst);
            sb.append(Seed.PACK_DELIMITER)
                    .append(WireCodec.formatCost(l.cost()))
                    .append(Seed.NEIGHBOR_DELIMITER);
            pieces[i] = sb.toString();
        }
        List<Link> now = n == 0 ? List.of() : List.of(canon);
        for (int i = 0; i < old.size(); i++) {
            // a registered destination's list is cleaned lazily (compact): only an unregistered one is unindexed
            if (oldDsts[i] != null) continue;
            NodeId dst = old.get(i).dst();
            if (!hasDst(now, dst)) unindex(e, null, dst); // still linked: the index stays as it is
        }
        e.linkDsts = dsts; // before indexing: a compaction checks the new links
        for (int i = 0; i < n; i++) {
            NodeEntry d = dsts[i];
            // already linked to it: indexed already (a registered destination is compared by its entry, no hashing)
            if (d != null ? !hasEntry(oldDsts, d) : !hasDst(old, canon[i].dst())) index(e, d, canon[i].dst());
        }
        linkCount += n - old.size();
        int chars = 0;
        for (String p : pieces) chars += p.length();
        linkChars += chars - e.linkPiecesChars; // the old pieces are not read again (one less cache miss each)
        e.linkPiecesChars = chars;
        e.links = now;
        e.linkPieces = pieces;
        replyCache = null;
        netCache = null;
    }

    /** Records that {@code src} links to {@code dst} (its entry {@code d}, or null when not registered). */
    private void index(NodeEntry src, NodeEntry d, NodeId dst) {
        if (d != null) {
            if (d.linkedFrom == null) {
                d.linkedFrom = new ArrayList<>(4);
                d.linkedFromCompactAt = MIN_COMPACT;
            }
            d.linkedFrom.add(src);
            if (d.linkedFrom.size() >= d.linkedFromCompactAt) compact(d);
        } else {
            unregisteredInbound
                    .computeIfAbsent(dst, k -> new LinkedHashSet<>(4))
                    .add(src);
        }
    }

    private void unindex(NodeEntry src, NodeEntry d, NodeId dst) {
        if (d == null) { // a registered destination's list is cleaned lazily (compact)
            LinkedHashSet<NodeEntry> s = unregisteredInbound.get(dst);
            if (s != null && s.remove(src) && s.isEmpty()) unregisteredInbound.remove(dst);
        }
    }

    /** Drops the entries of d's reverse index whose link has gone, and repeats; keeps the order of first listing. */
    private void compact(NodeEntry d) {
        ArrayList<NodeEntry> l = d.linkedFrom;
        long walk = ++stamps;
        int w = 0;
        for (int r = 0; r < l.size(); r++) {
            NodeEntry s = l.get(r);
            if (s.stamp == walk || !linksTo(s, d)) continue;
            s.stamp = walk;
            l.set(w++, s);
        }
        l.subList(w, l.size()).clear();
        d.linkedFromCompactAt = Math.max(MIN_COMPACT, 2 * w);
    }

    /** Live reverse-index entries of d (tests: the lazy list stays within its bound). */
    int linkedFromSize(NodeEntry d) {
        return d.linkedFrom == null ? 0 : d.linkedFrom.size();
    }

    private static boolean linksTo(NodeEntry s, NodeEntry d) {
        for (NodeEntry x : s.linkDsts) if (x == d) return true;
        return false;
    }

    /** The index of a link in {@code links} to the same destination with the same cost, or -1 (a few links: a scan). */
    private static int indexOfSame(List<Link> links, Link l) {
        for (int i = 0; i < links.size(); i++) {
            Link o = links.get(i);
            if (Double.compare(o.cost(), l.cost()) == 0 && o.dst().equals(l.dst())) return i;
        }
        return -1;
    }

    private static boolean hasEntry(NodeEntry[] dsts, NodeEntry d) {
        for (NodeEntry x : dsts) if (x == d) return true;
        return false;
    }

    private static boolean hasDst(List<Link> links, NodeId dst) {
        for (int i = 0; i < links.size(); i++) if (links.get(i).dst().equals(dst)) return true;
        return false;
    }

    /** The REG reply for the current overlay: the same immutable list until nodes or links change. */
    List<String> replyLines() {
        if (replyCache != null) return replyCache;
        if (ReplyLines.fitsOneLine(nodeChars, linkChars)) {
            // shorter than PKT_LIMIT: bounded work whatever happens
            List<String> ids = new ArrayList<>(nodes.size());
            for (NodeEntry e : nodes.values()) ids.add(e.idPiece);
            replyCache = ReplyLines.oneLine(ids, linkPieces(), nodeChars, linkChars);
        } else {
            if (netCache == null) netCache = ReplyLines.netLines(linkPieces());
            replyCache = new Reply(overDone, overDone.size(), overOpen.toString(), netCache);
        }
        return replyCache;
    }

    private List<String> linkPieces() {
        List<String> links = new ArrayList<>(linkCount);
        for (NodeEntry e : nodes.values()) for (String p : e.linkPieces) links.add(p);
        return links;
    }

    /** Greedy segmentation, one piece at a time: the same lines as {@link ReplyLines#overLines}. */
    private void appendOver(String piece) {
        int typeLen = Seed.OVERLAY_PACKET.length();
        if (overOpen.length() > typeLen && overOpen.length() + piece.length() >= OVER_ROOM) {
            overDone.add(overOpen.append(Seed.SEG).toString());
            overOpen.setLength(0);
            overOpen.append(Seed.OVERLAY_PACKET);
        }
        overOpen.append(piece);
        nodePiecesEncoded++;
    }

    private void rebuildOver() {
        overDone = new ArrayList<>(); // replies handed out keep the old list
        overOpen.setLength(0);
        overOpen.append(Seed.OVERLAY_PACKET);
        for (NodeEntry n : nodes.values()) appendOver(n.idPiece);
    }

    /**
     * A segmented reply as a view: the first {@code doneCount} completed OVER lines (a prefix of an append-only
     * list, so later joins do not change it), the open OVER line as it was, then the NET lines. O(1) to make.
     */
    private static final class Reply extends AbstractList<String> implements RandomAccess {
        private final List<String> done;
        private final int doneCount;
        private final String open;
        private final List<String> net;

        Reply(List<String> done, int doneCount, String open, List<String> net) {
            this.done = done;
            this.doneCount = doneCount;
            this.open = open;
            this.net = net;
        }

        @Override
        public String get(int i) {
            if (i < doneCount) return done.get(i);
            if (i == doneCount) return open;
            return net.get(i - doneCount - 1);
        }

        @Override
        public int size() {
            return doneCount + 1 + net.size();
        }
    }
}
