package io.egoist.tracker;

import io.egoist.wire.Seed;
import java.util.ArrayList;
import java.util.List;

/**
 * Assembles the lines of a REG reply from pieces the core keeps already encoded ({@code @id} per node,
 * {@code @src@dst@cost|} per link), so that a reply for a large overlay is a concatenation rather than a
 * re-encoding of every cost. The lines are exactly those of {@link io.egoist.wire.Segmenter#replyLines}
 * (a test holds the two against each other): one {@code REG...#...} line while it is shorter than
 * PKT_LIMIT, otherwise OVER lines then NET lines, all but the last of each kind ending in SEG.
 */
final class ReplyLines {
    private ReplyLines() {}

    /**
     * @param nodePieces {@code @ip:port} for every node, in order (at least one)
     * @param linkPieces {@code @src@dst@cost|} for every link, in order
     * @param nodeChars  total length of the node pieces
     * @param linkChars  total length of the link pieces
     */
    static List<String> build(Iterable<String> nodePieces, Iterable<String> linkPieces, int nodeChars, int linkChars) {
        if (fitsOneLine(nodeChars, linkChars)) return oneLine(nodePieces, linkPieces, nodeChars, linkChars);
        List<String> lines = new ArrayList<>(overLines(nodePieces));
        lines.addAll(netLines(linkPieces));
        return lines;
    }

    /** True when the reply is the single {@code REG…#…} line (shorter than PKT_LIMIT). */
    static boolean fitsOneLine(int nodeChars, int linkChars) {
        return Seed.REGISTER.length() + nodeChars + Seed.OVERLAY_DELIMITER.length() + linkChars < Seed.PKT_LIMIT;
    }

    static List<String> oneLine(
            Iterable<String> nodePieces, Iterable<String> linkPieces, int nodeChars, int linkChars) {
        int oneLine = Seed.REGISTER.length() + nodeChars + Seed.OVERLAY_DELIMITER.length() + linkChars;
        {
            StringBuilder sb = new StringBuilder(oneLine).append(Seed.REGISTER);
            for (String p : nodePieces) sb.append(p);
            sb.append(Seed.OVERLAY_DELIMITER);
            for (String p : linkPieces) sb.append(p);
            return List.of(sb.toString());
        }
    }

    /**
     * The OVER lines of a segmented reply: they depend on the nodes only, the NET lines on the links only, so
     * a core may keep each part until what it depends on changes (a join does not touch the NET lines).
     */
    static List<String> overLines(Iterable<String> nodePieces) {
        List<String> lines = new ArrayList<>();
        segment(lines, Seed.OVERLAY_PACKET, nodePieces);
        return List.copyOf(lines);
    }

    static List<String> netLines(Iterable<String> linkPieces) {
        List<String> lines = new ArrayList<>();
        segment(lines, Seed.NET_PACKET, linkPieces);
        return List.copyOf(lines);
    }

    private static void segment(List<String> lines, String type, Iterable<String> pieces) {
        int room = Seed.PKT_LIMIT - Seed.SEG.length();
        StringBuilder cur = new StringBuilder(Seed.PKT_LIMIT).append(type);
        for (String p : pieces) {
            if (cur.length() > type.length() && cur.length() + p.length() >= room) {
                lines.add(cur.append(Seed.SEG).toString());
                cur.setLength(0);
                cur.append(type);
            }
            cur.append(p);
        }
        lines.add(cur.toString());
    }
}
