package io.egoist.wire;

import java.util.ArrayList;
import java.util.List;

/**
 * The tracker's reply to REG as lines: one REG line while it stays under PKT_LIMIT, otherwise OVER lines
 * then NET lines, each under PKT_LIMIT, all but the last of each kind marked with SEG. {@link Reassembler}
 * is the receiving side.
 */
public final class Segmenter {
    private Segmenter() {}

    /**
     * The lines (without CR LF) that answer a REG: {@code [REG@id...#links]} if that line is shorter than
     * PKT_LIMIT, else {@code OVER@id@id...SEG ... OVER@id...} followed by {@code NET@links|SEG ... NET@links|}
     * (the last NET line may be just {@code NET}). Every line is shorter than {@link Seed#PKT_LIMIT}.
     * Throws IllegalArgumentException for a reply without nodes.
     */
    public static List<String> replyLines(Message.RegisterReply reply) {
        if (reply.nodes().isEmpty()) throw new IllegalArgumentException("REG reply without nodes");
        // Every node and link is formatted once; the pieces then make either the one line or the segments.
        String[] nodePieces = new String[reply.nodes().size()];
        String[] linkPieces = new String[reply.links().size()];
        StringBuilder sb = new StringBuilder(96);
        long length = Seed.REGISTER.length() + Seed.OVERLAY_DELIMITER.length();
        for (int i = 0; i < nodePieces.length; i++) {
            nodePieces[i] = "@" + reply.nodes().get(i);
            length += nodePieces[i].length();
        }
        for (int i = 0; i < linkPieces.length; i++) {
            sb.setLength(0);
            WireCodec.appendLink(sb, reply.links().get(i));
            linkPieces[i] = sb.toString();
            length += linkPieces[i].length();
        }
        if (length < Seed.PKT_LIMIT) {
            StringBuilder one = new StringBuilder((int) length).append(Seed.REGISTER);
            for (String p : nodePieces) one.append(p);
            one.append(Seed.OVERLAY_DELIMITER);
            for (String p : linkPieces) one.append(p);
            return List.of(one.toString());
        }
        List<String> lines = new ArrayList<>();
        pack(Seed.OVERLAY_PACKET, nodePieces, lines);
        pack(Seed.NET_PACKET, linkPieces, lines);
        return lines;
    }

    /**
     * Appends lines {@code type piece piece ... [SEG]} to {@code out}: every line but the last gets SEG, and a
     * line is closed before the next piece would bring it (SEG included) to PKT_LIMIT. With no pieces, one bare
     * {@code type} line.
     */
    private static void pack(String type, String[] pieces, List<String> out) {
        int room = Seed.PKT_LIMIT - Seed.SEG.length();
        StringBuilder cur = new StringBuilder(Seed.PKT_LIMIT).append(type);
        for (String piece : pieces) {
            if (cur.length() > type.length() && cur.length() + piece.length() >= room) {
                out.add(cur.append(Seed.SEG).toString());
                cur.setLength(0);
                cur.append(type);
            }
            cur.append(piece);
        }
        out.add(cur.toString());
    }
}
