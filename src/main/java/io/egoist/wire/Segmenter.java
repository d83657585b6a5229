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
        StringBuilder one = new StringBuilder(64 + 24 * reply.nodes().size() + 56 * reply.links().size());
        WireCodec.appendRegisterReply(one, reply);
        if (one.length() < Seed.PKT_LIMIT) return List.of(one.toString());

        List<String> lines = new ArrayList<>();
        // Room left for SEG: a line is closed before adding a piece would bring it (with SEG) to PKT_LIMIT.
        int room = Seed.PKT_LIMIT - Seed.SEG.length();
        StringBuilder cur = new StringBuilder(Seed.PKT_LIMIT).append(Seed.OVERLAY_PACKET);
        StringBuilder piece = new StringBuilder(64);
        for (NodeId id : reply.nodes()) {
            piece.setLength(0);
            piece.append('@').append(id);
            if (cur.length() > Seed.OVERLAY_PACKET.length() && cur.length() + piece.length() >= room) {
                lines.add(cur.append(Seed.SEG).toString());
                cur.setLength(0);
                cur.append(Seed.OVERLAY_PACKET);
            }
            cur.append(piece);
        }
        lines.add(cur.toString());

        cur.setLength(0);
        cur.append(Seed.NET_PACKET);
        for (Link l : reply.links()) {
            piece.setLength(0);
            WireCodec.appendLink(piece, l);
            if (cur.length() > Seed.NET_PACKET.length() && cur.length() + piece.length() >= room) {
                lines.add(cur.append(Seed.SEG).toString());
                cur.setLength(0);
                cur.append(Seed.NET_PACKET);
            }
            cur.append(piece);
        }
        lines.add(cur.toString());
        return lines;
    }
}
