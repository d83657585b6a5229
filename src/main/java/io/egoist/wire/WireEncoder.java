package io.egoist.wire;

import java.math.BigDecimal;
import java.util.Base64;
import java.util.List;

/**
 * Messages to lines (the encoding half of {@link WireCodec}): lines (without CR LF) that the v0.2 release parses
 * the same way; costs as plain decimals. A message that could not be decoded back throws
 * IllegalArgumentException.
 */
final class WireEncoder {
    private WireEncoder() {}

    /**
     * The line (without CR LF) for {@code message}; {@code decode(context, encode(m))} gives {@code m} back in
     * the context the message belongs to. Throws IllegalArgumentException for a message that has no valid
     * line (e.g. links from different sources in one update, a hash that is not hex, a reason with a line
     * break).
     */
    public static String encode(Message message) {
        if (message == null) throw new IllegalArgumentException("null message");
        StringBuilder sb = new StringBuilder(64);
        if (message instanceof Message.Register m) {
            sb.append(Seed.REGISTER).append('@').append(m.node());
        } else if (message instanceof Message.Remove m) {
            sb.append(Seed.REMOVE).append('@').append(m.node());
        } else if (message instanceof Message.TrackerUpdate m) {
            if (!m.links().isEmpty())
                requireSameSource(m.links(), m.links().get(0).src());
            sb.append(Seed.UPDATE);
            appendLinks(sb, m.links());
        } else if (message instanceof Message.PeerUpdate m) {
            if (m.hash() == null || !WireCodec.HASH.matcher(m.hash()).matches()) {
                throw new IllegalArgumentException(
                        "hash must be 1-" + WireCodec.MAX_HASH_LENGTH + " hex digits: " + m.hash());
            }
            if (m.seq() < 0 || m.seq() >= Seed.PKT_IDS_LIMIT)
                throw new IllegalArgumentException("seq out of range: " + m.seq());
            if (m.source() == null) throw new IllegalArgumentException("peer update without source");
            requireSameSource(m.links(), m.source());
            sb.append(Seed.UPDATE).append('@').append(m.hash()).append('@').append(m.seq());
            if (m.links().isEmpty()) sb.append('@').append(m.source());
            else appendLinks(sb, m.links());
        } else if (message instanceof Message.RegisterReply m) {
            appendRegisterReply(sb, m);
        } else if (message instanceof Message.OverlaySegment m) {
            if (m.nodes().isEmpty()) throw new IllegalArgumentException("OVER segment without nodes");
            sb.append(Seed.OVERLAY_PACKET);
            for (NodeId id : m.nodes()) sb.append('@').append(id);
            if (m.more()) sb.append(Seed.SEG);
        } else if (message instanceof Message.NetSegment m) {
            sb.append(Seed.NET_PACKET);
            appendLinks(sb, m.links());
            if (m.more()) sb.append(Seed.SEG);
        } else if (message instanceof Message.Teardown) {
            sb.append(Seed.TEARDOWN).append('@');
        } else if (message instanceof Message.Nack m) {
            String r = m.reason() == null ? "" : m.reason();
            if (r.indexOf('\r') >= 0 || r.indexOf('\n') >= 0)
                throw new IllegalArgumentException("NACK reason with a line break");
            sb.append(Seed.NACK).append('@').append(r);
        } else if (message instanceof Message.Hello m) {
            sb.append(WireCodec.HELLO).append('@').append(m.node()).append('@');
            for (int i = 0; i < m.features().size(); i++) {
                String f = m.features().get(i);
                if (f == null || !WireCodec.FEATURE.matcher(f).matches())
                    throw new IllegalArgumentException("bad feature: " + f);
                if (i > 0) sb.append(',');
                sb.append(f);
            }
        } else if (message instanceof Message.Heartbeat m) {
            if (m.seq() < 0) throw new IllegalArgumentException("negative heartbeat seq: " + m.seq());
            sb.append(WireCodec.HEARTBEAT).append('@').append(m.seq());
        } else if (message instanceof Message.Data m) {
            sb.append(WireCodec.DATA);
            appendRouted(sb, m.msgId(), m.ttl(), m.src(), m.dst(), m.path());
            if (m.payload() == null) throw new IllegalArgumentException("DATA without payload");
            sb.append('@').append(Base64.getEncoder().encodeToString(m.payload()));
        } else if (message instanceof Message.DataAck m) {
            sb.append(WireCodec.DATA_ACK);
            appendRouted(sb, m.msgId(), m.ttl(), m.src(), m.dst(), m.forwardPath());
            if (m.auth() != null) {
                if (m.auth().length == 0 || m.auth().length > 192)
                    throw new IllegalArgumentException("DACK auth must be 1-192 bytes");
                sb.append('@').append(Base64.getEncoder().encodeToString(m.auth()));
            }
        } else if (message instanceof Message.SignedUpdate m) {
            return SignedUpdateCodec.encode(m);
        } else {
            throw new IllegalArgumentException(
                    "unknown message: " + message.getClass().getName());
        }
        return sb.toString();
    }

    static void appendRegisterReply(StringBuilder sb, Message.RegisterReply m) {
        if (m.nodes().isEmpty()) throw new IllegalArgumentException("REG reply without nodes");
        sb.append(Seed.REGISTER);
        for (NodeId id : m.nodes()) sb.append('@').append(id);
        sb.append(Seed.OVERLAY_DELIMITER);
        appendLinks(sb, m.links());
    }

    private static void appendRouted(
            StringBuilder sb, String msgId, int ttl, NodeId src, NodeId dst, List<NodeId> path) {
        if (msgId == null || !WireCodec.MSG_ID.matcher(msgId).matches())
            throw new IllegalArgumentException("bad msgId: " + msgId);
        if (ttl < 0 || ttl > WireCodec.MAX_TTL) throw new IllegalArgumentException("ttl out of range: " + ttl);
        if (src == null || dst == null) throw new IllegalArgumentException("missing src or dst");
        sb.append('@')
                .append(msgId)
                .append('@')
                .append(ttl)
                .append('@')
                .append(src)
                .append('@')
                .append(dst)
                .append('@');
        for (int i = 0; i < path.size(); i++) {
            if (i > 0) sb.append(',');
            sb.append(path.get(i));
        }
    }

    /** Appends {@code @src@dst@cost|} for every link. */
    static void appendLinks(StringBuilder sb, List<Link> links) {
        for (Link l : links) appendLink(sb, l);
    }

    static void appendLink(StringBuilder sb, Link l) {
        sb.append('@')
                .append(l.src())
                .append('@')
                .append(l.dst())
                .append('@')
                .append(formatCost(l.cost()))
                .append('|');
    }

    private static void requireSameSource(List<Link> links, NodeId source) {
        for (Link l : links) {
            if (!l.src().equals(source)) {
                throw new IllegalArgumentException("link " + l + " does not start at the update's source " + source);
            }
        }
    }

    /**
     * A cost as the original prints it and parses it back: plain decimal, no exponent, no trailing zeros, no
     * trailing ".0" (500.0 is written {@code 500}); {@code Double.parseDouble} and Python's {@code float()}
     * read it back as the very same double. Throws IllegalArgumentException for a negative or non-finite cost.
     */
    public static String formatCost(double cost) {
        if (!Double.isFinite(cost) || cost < 0) throw new IllegalArgumentException("bad cost: " + cost);
        if (cost == 0) return "0";
        if (cost < 0x1p53 && cost == Math.rint(cost)) return Long.toString((long) cost);
        String s = Double.toString(cost);
        if (s.indexOf('E') >= 0) return new BigDecimal(s).stripTrailingZeros().toPlainString();
        // plain form "123.4500" (Java 17 may print superfluous trailing zeros): strip them
        int end = s.length();
        while (s.charAt(end - 1) == '0') end--;
        if (s.charAt(end - 1) == '.') end--;
        return s.substring(0, end);
    }
}
