package io.egoist.wire;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Lines to messages and back. The same line means different things in different places (a tracker-form
 * and a peer-form UPT look alike), so decoding takes the context the line arrived in.
 *
 * <p>Decoding never throws, whatever the input: it returns {@link Decoded.Ok} or {@link Decoded.Err}.
 * It does not catch exceptions either: every check is done before any conversion that could fail.
 * Encoding produces lines (without CR LF) that the v0.2 release parses the same way; costs are written as
 * plain decimals. Encoding a message that could not be decoded back (e.g. a peer update whose links do not
 * start at its source) throws IllegalArgumentException.
 *
 * <p>Field names used in {@link Decoded.Err}: {@code line}, {@code type}, {@code node}, {@code nodes},
 * {@code node[i]}, {@code link[i]}, {@code link[i].src|dst|cost}, {@code hash}, {@code seq}, {@code source},
 * {@code reason}, {@code msgId}, {@code ttl}, {@code src}, {@code dst}, {@code path}, {@code path[i]},
 * {@code payload}, {@code features}, {@code features[i]}, {@code context}, {@code auth}, {@code signature}.
 */
public final class WireCodec {
    private WireCodec() {}

    /** Where a line was received; decides which packet types are legal. */
    public enum Context {
        /** At the tracker, from a node: REG, UPT (tracker form), RMV. */
        TRACKER_INBOUND,
        /** At a node, from the tracker: REG reply (one line or empty), OVER, NET, NACK. */
        TRACKER_REPLY,
        /** On a neighbor link between nodes: UPT (peer form), TRD, and extensions HB, DATA, DACK, NACK. */
        PEER_LINK,
        /** On an echo connection: HELLO (anything else is an echo payload). */
        ECHO
    }

    // ---- extension packet types (egoist) ----
    public static final String HELLO = "HELLO";
    public static final String HEARTBEAT = "HB";
    public static final String DATA = "DATA";
    public static final String DATA_ACK = "DACK";
    /** A signed peer update (secure mode; see {@link SignedUpdateCodec}). */
    public static final String SIGNED_UPDATE = "SUPT";

    /** Largest TTL a DATA/DACK may carry; the default a sender starts with is {@link #DEFAULT_TTL}. */
    public static final int MAX_TTL = 255;

    public static final int DEFAULT_TTL = 32;
    public static final int MAX_HASH_LENGTH = 128;
    public static final int MAX_MSG_ID_LENGTH = 64;

    /** A cost as Python prints a non-negative float: digits, optional fraction, optional decimal exponent. */
    static final Pattern COST = Pattern.compile("[0-9]+(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?");

    static final Pattern HASH = Pattern.compile("[0-9a-fA-F]{1," + MAX_HASH_LENGTH + "}");
    static final Pattern MSG_ID = Pattern.compile("[A-Za-z0-9_-]{1," + MAX_MSG_ID_LENGTH + "}");
    static final Pattern FEATURE = Pattern.compile("[a-z0-9-]+");
    private static final Pattern BASE64 =
            Pattern.compile("(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?");

    // =====================================================================================================
    // decoding
    // =====================================================================================================

    /** Decodes one line (CR LF already stripped) received in {@code context}. Never throws. */
    public static Decoded decode(Context context, String line) {
        if (context == null) return err("context", "missing");
        if (line == null) return err("line", "missing");
        if (line.isEmpty()) return err("line", context == Context.TRACKER_REPLY ? "empty reply" : "empty");

        int t = 0;
        while (t < line.length() && line.charAt(t) >= 'A' && line.charAt(t) <= 'Z') t++;
        String type = line.substring(0, t);
        if (type.isEmpty()) return err("type", "missing packet type: " + clip(line));
        String rest = line.substring(t);
        if (!rest.isEmpty()
                && rest.charAt(0) != '@'
                && !(rest.charAt(0) == '#' && type.equals(Seed.REGISTER) && context == Context.TRACKER_REPLY)) {
            return err("type", "malformed packet type: " + clip(line));
        }

        switch (context) {
            case TRACKER_INBOUND:
                switch (type) {
                    case Seed.REGISTER:
                        return single(rest, "node", true);
                    case Seed.UPDATE:
                        return trackerUpdate(rest);
                    case Seed.REMOVE:
                        return single(rest, "node", false);
                    default:
                        return unexpectedType(type, "at the tracker");
                }
            case TRACKER_REPLY:
                switch (type) {
                    case Seed.REGISTER:
                        return registerReply(rest);
                    case Seed.OVERLAY_PACKET:
                        return overlaySegment(rest);
                    case Seed.OVERLAY_PACKET + Seed.SEG:
                        return rest.isEmpty()
                                ? overlaySegment(Seed.SEG)
                                : err("type", "malformed packet type: " + clip(line));
                    case Seed.NET_PACKET:
                        return netSegment(rest);
                    case Seed.NET_PACKET + Seed.SEG:
                        return rest.isEmpty()
                                ? netSegment(Seed.SEG)
                                : err("type", "malformed packet type: " + clip(line));
                    case Seed.NACK:
                        return nack(rest);
                    default:
                        return unexpectedType(type, "in a tracker reply");
                }
            case PEER_LINK:
                switch (type) {
                    case Seed.UPDATE:
                        return peerUpdate(rest);
                    case Seed.TEARDOWN:
                        return rest.isEmpty() || rest.equals("@")
                                ? ok(new Message.Teardown())
                                : err("line", "unexpected content after TRD@");
                    case HEARTBEAT:
                        return heartbeat(rest);
                    case DATA:
                        return data(rest);
                    case DATA_ACK:
                        return dataAck(rest);
                    case SIGNED_UPDATE:
                        return SignedUpdateCodec.decode(rest);
                    case Seed.NACK:
                        return nack(rest);
                    default:
                        return unexpectedType(type, "on a neighbor link");
                }
            case ECHO:
                if (type.equals(HELLO)) return hello(rest);
                return unexpectedType(type, "on an echo connection");
            default:
                return err("context", "unknown");
        }
    }

    /** {@code @ip:port} for REG / RMV. */
    private static Decoded single(String rest, String field, boolean register) {
        if (rest.isEmpty() || rest.equals("@")) return err(field, "missing");
        String body = rest.substring(1);
        if (body.indexOf('@') >= 0) return err("line", "extra field after node id");
        NodeId id = NodeId.tryParse(body);
        if (id == null) return err(field, NodeId.problem(body));
        return ok(register ? new Message.Register(id) : new Message.Remove(id));
    }

    /** {@code UPT@src@dst@cost|...}, bare {@code UPT} or {@code UPT@}: all links from one source. */
    private static Decoded trackerUpdate(String rest) {
        if (rest.isEmpty() || rest.equals("@")) return ok(new Message.TrackerUpdate(List.of()));
        List<Link> links = new ArrayList<>();
        Decoded.Err e = parseLinks(rest, 0, links);
        if (e != null) return e;
        e = sameSource(links, links.get(0).src(), "link[0].src");
        if (e != null) return e;
        return ok(new Message.TrackerUpdate(links));
    }

    /** {@code UPT@hash@seq@src@dst@cost|...} or {@code UPT@hash@seq@src} (a source without links). */
    private static Decoded peerUpdate(String rest) {
        if (rest.isEmpty()) return err("hash", "missing");
        int a = rest.indexOf('@', 1);
        String hash = a < 0 ? rest.substring(1) : rest.substring(1, a);
        Decoded.Err e = checkHash(hash);
        if (e != null) return e;
        if (a < 0) return err("seq", "missing");
        int b = rest.indexOf('@', a + 1);
        String seqText = b < 0 ? rest.substring(a + 1) : rest.substring(a + 1, b);
        long seq = parseUnsigned(seqText, Seed.PKT_IDS_LIMIT - 1);
        if (seq < 0) return err("seq", rangeReason(seqText, Seed.PKT_IDS_LIMIT - 1));
        if (b < 0) return err("source", "missing");
        String tail = rest.substring(b); // "@src" or "@src@dst@cost|..."
        if (tail.indexOf('@', 1) < 0 && tail.indexOf('|') < 0) {
            NodeId source = NodeId.tryParse(tail.substring(1));
            if (source == null) return err("source", NodeId.problem(tail.substring(1)));
            return ok(new Message.PeerUpdate(hash, (int) seq, source, List.of()));
        }
        List<Link> links = new ArrayList<>();
        e = parseLinks(rest, b, links);
        if (e != null) return e;
        NodeId source = links.get(0).src();
        e = sameSource(links, source, "the update's source (field 3)");
        if (e != null) return e;
        return ok(new Message.PeerUpdate(hash, (int) seq, source, links));
    }

    /** {@code REG@id@id...#@src@dst@cost|...}: the one-line reply to REG. */
    private static Decoded registerReply(String rest) {
        int h = rest.indexOf('#');
        if (h < 0) return err("nodes", "missing '#' after the node list");
        List<NodeId> nodes = new ArrayList<>();
        Decoded.Err e = parseNodes(rest.substring(0, h), nodes);
        if (e != null) return e;
        List<Link> links = new ArrayList<>();
        e = parseLinks(rest, h + 1, links);
        if (e != null) return e;
        return ok(new Message.RegisterReply(nodes, links));
    }

    /** {@code OVER@id@id...} with {@code SEG} right after the last id when more segments follow. */
    private static Decoded overlaySegment(String rest) {
        boolean more = rest.endsWith(Seed.SEG);
        String body = more ? rest.substring(0, rest.length() - Seed.SEG.length()) : rest;
        List<NodeId> nodes = new ArrayList<>();
        Decoded.Err e = parseNodes(body, nodes);
        if (e != null) return e;
        return ok(new Message.OverlaySegment(nodes, more));
    }

    /** {@code NET@src@dst@cost|...} with {@code SEG} after the last '|' when more segments follow; may be bare. */
    private static Decoded netSegment(String rest) {
        boolean more = rest.endsWith(Seed.SEG);
        String body = more ? rest.substring(0, rest.length() - Seed.SEG.length()) : rest;
        List<Link> links = new ArrayList<>();
        Decoded.Err e = parseLinks(body, 0, links);
        if (e != null) return e;
        return ok(new Message.NetSegment(links, more));
    }

    private static Decoded nack(String rest) {
        if (rest.isEmpty()) return err("reason", "missing");
        if (rest.indexOf('\r') >= 0 || rest.indexOf('\n') >= 0) return err("reason", "contains a line break");
        return ok(new Message.Nack(rest.substring(1)));
    }

    private static Decoded heartbeat(String rest) {
        if (rest.isEmpty()) return err("seq", "missing");
        String text = rest.substring(1);
        long seq = parseUnsigned(text, Long.MAX_VALUE);
        if (seq < 0) return err("seq", rangeReason(text, Long.MAX_VALUE));
        return ok(new Message.Heartbeat(seq));
    }

    private static final String[] DATA_FIELDS = {"msgId", "ttl", "src", "dst", "path", "payload"};
    private static final String[] DACK_AUTH_FIELDS = {"msgId", "ttl", "src", "dst", "path", "auth"};

    /** {@code DATA@msgId@ttl@src@dst@hop,hop,...@payloadBase64}. */
    private static Decoded data(String rest) {
        List<String> f = new ArrayList<>();
        Decoded.Err e = fields(rest, DATA_FIELDS, f);
        if (e != null) return e;
        Routed r = new Routed();
        e = routed(f, r);
        if (e != null) return e;
        String payload = f.get(5);
        if (!BASE64.matcher(payload).matches()) return err("payload", "not standard Base64");
        byte[] bytes = Base64.getDecoder().decode(payload);
        if (!Base64.getEncoder().encodeToString(bytes).equals(payload)) {
            return err("payload", "non-canonical Base64 (unused bits set)");
        }
        return ok(new Message.Data(r.msgId, r.ttl, r.src, r.dst, r.path, bytes));
    }

    /** {@code DACK@msgId@ttl@src@dst@hop,hop,...[@authBase64]} (the last field in secure mode only). */
    private static Decoded dataAck(String rest) {
        List<String> f = new ArrayList<>();
        Decoded.Err e = fields(rest, DACK_AUTH_FIELDS, f);
        if (e != null && !"auth".equals(e.field())) return e;
        Routed r = new Routed();
        e = routed(f, r);
        if (e != null) return e;
        byte[] auth = null;
        if (f.size() == DACK_AUTH_FIELDS.length) {
            String a = f.get(5);
            if (a.isEmpty() || a.length() > 256 || !BASE64.matcher(a).matches())
                return err("auth", "not standard Base64 of at most 192 bytes");
            auth = Base64.getDecoder().decode(a);
            if (!Base64.getEncoder().encodeToString(auth).equals(a))
                return err("auth", "non-canonical Base64 (unused bits set)");
        }
        return ok(new Message.DataAck(r.msgId, r.ttl, r.src, r.dst, r.path, auth));
    }

    private static final class Routed {
        String msgId;
        int ttl;
        NodeId src, dst;
        List<NodeId> path;
    }

    private static Decoded.Err routed(List<String> f, Routed r) {
        if (!MSG_ID.matcher(f.get(0)).matches()) {
            return err("msgId", "must be 1-" + MAX_MSG_ID_LENGTH + " of [A-Za-z0-9_-]: " + clip(f.get(0)));
        }
        r.msgId = f.get(0);
        long ttl = parseUnsigned(f.get(1), MAX_TTL);
        if (ttl < 0) return err("ttl", rangeReason(f.get(1), MAX_TTL));
        r.ttl = (int) ttl;
        r.src = NodeId.tryParse(f.get(2));
        if (r.src == null) return err("src", NodeId.problem(f.get(2)));
        r.dst = NodeId.tryParse(f.get(3));
        if (r.dst == null) return err("dst", NodeId.problem(f.get(3)));
        r.path = new ArrayList<>();
        return parseList(f.get(4), "path", r.path);
    }

    /** {@code HELLO@ip:port@feature,feature} (the feature list may be empty). */
    private static Decoded hello(String rest) {
        List<String> f = new ArrayList<>();
        Decoded.Err e = fields(rest, new String[] {"node", "features"}, f);
        if (e != null) return e;
        NodeId node = NodeId.tryParse(f.get(0));
        if (node == null) return err("node", NodeId.problem(f.get(0)));
        List<String> features = new ArrayList<>();
        if (!f.get(1).isEmpty()) {
            String[] parts = f.get(1).split(",", -1);
            for (int i = 0; i < parts.length; i++) {
                if (!FEATURE.matcher(parts[i]).matches()) {
                    return err("features[" + i + "]", "must be [a-z0-9-]+: " + clip(parts[i]));
                }
                features.add(parts[i]);
            }
        }
        return ok(new Message.Hello(node, features));
    }

    // ---- decoding helpers ----

    /** Splits {@code rest} ("@f1@f2...") into exactly {@code names.length} fields. */
    private static Decoded.Err fields(String rest, String[] names, List<String> out) {
        if (rest.isEmpty() || rest.equals("@")) return err(names[0], "missing");
        int start = 1;
        while (true) {
            int at = rest.indexOf('@', start);
            if (out.size() == names.length) return err("line", "extra field after " + names[names.length - 1]);
            if (at < 0) {
                out.add(rest.substring(start));
                break;
            }
            out.add(rest.substring(start, at));
            start = at + 1;
        }
        if (out.size() < names.length) return err(names[out.size()], "missing");
        return null;
    }

    /** A comma-separated list of node ids (may be empty) into {@code out}; fields named name[i]. */
    private static Decoded.Err parseList(String text, String name, List<NodeId> out) {
        if (text.isEmpty()) return null;
        int start = 0;
        for (int i = 0; ; i++) {
            int comma = text.indexOf(',', start);
            String item = comma < 0 ? text.substring(start) : text.substring(start, comma);
            NodeId id = NodeId.tryParse(item);
            if (id == null) return err(name + "[" + i + "]", NodeId.problem(item));
            out.add(id);
            if (comma < 0) return null;
            start = comma + 1;
        }
    }

    /** "@id@id..." (at least one id) into {@code out}. */
    private static Decoded.Err parseNodes(String body, List<NodeId> out) {
        if (body.isEmpty()) return err("nodes", "empty node list");
        if (body.charAt(0) != '@') return err("nodes", "expected '@' before the first node id");
        int start = 1;
        for (int i = 0; ; i++) {
            int at = body.indexOf('@', start);
            String item = at < 0 ? body.substring(start) : body.substring(start, at);
            NodeId id = NodeId.tryParse(item);
            if (id == null) return err("node[" + i + "]", NodeId.problem(item));
            out.add(id);
            if (at < 0) return null;
            start = at + 1;
        }
    }

    /** Links {@code (@src@dst@cost|)*} from {@code s.substring(from)} to the end of {@code s}, into {@code out}. */
    private static Decoded.Err parseLinks(String s, int from, List<Link> out) {
        int i = from;
        int n = s.length();
        NodeId lastSrc = null; // a UPT's links share their source: its text is parsed once
        int lastSrcFrom = 0;
        int lastSrcLen = -1;
        for (int k = 0; i < n; k++) {
            if (s.charAt(i) != '@') {
                String f = "link[" + k + "]";
                return err(
                        f,
                        k == 0
                                ? "expected '@' to start a link: " + clip(s.substring(i))
                                : "unexpected text after the '|' of link[" + (k - 1) + "]: " + clip(s.substring(i)));
            }
            int bar = s.indexOf('|', i);
            if (bar < 0) return err(link(k), "missing '|' at the end of the link");
            int a = s.indexOf('@', i + 1);
            int b = a < 0 || a > bar ? -1 : s.indexOf('@', a + 1);
            if (a < 0 || a > bar || b < 0 || b > bar) return err(link(k), "expected @src@dst@cost|");
            int c = s.indexOf('@', b + 1);
            if (c >= 0 && c < bar) return err(link(k), "too many fields (missing '|' after the cost?)");
            NodeId src;
            int srcLen = a - i - 1;
            if (lastSrc != null && srcLen == lastSrcLen && s.regionMatches(i + 1, s, lastSrcFrom, srcLen)) {
                src = lastSrc; // the same text as the previous link's source, already checked
            } else {
                String srcText = s.substring(i + 1, a);
                src = NodeId.tryParse(srcText);
                if (src == null) return err(link(k) + ".src", NodeId.problem(srcText));
                lastSrc = src;
                lastSrcFrom = i + 1;
                lastSrcLen = srcLen;
            }
            String dstText = s.substring(a + 1, b);
            NodeId dst = NodeId.tryParse(dstText);
            if (dst == null) return err(link(k) + ".dst", NodeId.problem(dstText));
            String costText = s.substring(b + 1, bar);
            // parsed once: the same check as costProblem (plain decimal, finite), whose message an error gets
            double cost = plainCost(costText) ? Double.parseDouble(costText) : Double.NaN;
            if (!Double.isFinite(cost)) return err(link(k) + ".cost", costProblem(costText));
            out.add(new Link(src, dst, cost));
            i = bar + 1;
        }
        return null;
    }

    /** The field name of link k in an error (made only for an error). */
    private static String link(int k) {
        return "link[" + k + "]";
    }

    private static Decoded.Err sameSource(List<Link> links, NodeId source, String what) {
        for (int k = 0; k < links.size(); k++) {
            if (!links.get(k).src().equals(source)) {
                return err("link[" + k + "].src", links.get(k).src() + " differs from " + what + " " + source);
            }
        }
        return null;
    }

    /**
     * Why {@code text} is not a cost the way the original writes one (non-negative plain decimal or decimal
     * exponent), or null if it is. Never throws.
     */
    public static String costProblem(String text) {
        if (text == null || text.isEmpty()) return "empty cost";
        if (!plainCost(text)) {
            String lower = text.toLowerCase(java.util.Locale.ROOT);
            if (text.startsWith("-")) return "negative cost: " + clip(text);
            if (lower.contains("nan")) return "cost is not a number: " + clip(text);
            if (lower.contains("inf")) return "infinite cost: " + clip(text);
            if (lower.startsWith("0x") || lower.startsWith("+0x")) return "hex float not allowed: " + clip(text);
            return "not a plain decimal number: " + clip(text);
        }
        if (!Double.isFinite(Double.parseDouble(text))) return "cost overflows to infinity: " + clip(text);
        return null;
    }

    /**
     * True when {@code text} matches {@link #COST} ({@code [0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?}), scanned by hand: a
     * tracker checks every link's cost of every UPT, and the regex matcher cost more than the rest of the decode.
     */
    static boolean plainCost(String text) {
        int n = text.length(), i = digits(text, 0);
        if (i == 0) return false;
        if (i < n && text.charAt(i) == '.') {
            int j = digits(text, i + 1);
            if (j == i + 1) return false;
            i = j;
        }
        if (i < n && (text.charAt(i) == 'e' || text.charAt(i) == 'E')) {
            int k = i + 1;
            if (k < n && (text.charAt(k) == '+' || text.charAt(k) == '-')) k++;
            int j = digits(text, k);
            if (j == k) return false;
            i = j;
        }
        return i == n;
    }

    /** The index after the run of ASCII digits starting at {@code from}. */
    private static int digits(String text, int from) {
        int i = from;
        while (i < text.length() && text.charAt(i) >= '0' && text.charAt(i) <= '9') i++;
        return i;
    }

    /** Parses a canonical non-negative decimal integer (no sign, no leading zeros) up to max; -1 if invalid. */
    private static long parseUnsigned(String text, long max) {
        if (text.isEmpty() || text.length() > 19) return -1;
        if (text.length() > 1 && text.charAt(0) == '0') return -1;
        long v = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') return -1;
            int d = c - '0';
            if (v > (max - d) / 10) return -1;
            v = v * 10 + d;
        }
        return v;
    }

    private static String rangeReason(String text, long max) {
        if (text.isEmpty()) return "missing";
        return "must be an integer 0.." + max + " without sign or leading zeros: " + clip(text);
    }

    private static Decoded.Err checkHash(String hash) {
        if (hash.isEmpty()) return err("hash", "missing");
        if (!HASH.matcher(hash).matches()) {
            return err("hash", "must be 1-" + MAX_HASH_LENGTH + " hex digits: " + clip(hash));
        }
        return null;
    }

    private static Decoded unexpectedType(String type, String where) {
        return err("type", "unexpected packet type " + clip(type) + " " + where);
    }

    private static Decoded.Ok ok(Message m) {
        return new Decoded.Ok(m);
    }

    private static Decoded.Err err(String field, String reason) {
        return new Decoded.Err(field, reason);
    }

    private static String clip(String s) {
        return NodeId.clip(s);
    }

    // ---- encoding (see WireEncoder) ----

    /**
     * The line (without CR LF) for {@code message}; {@code decode(context, encode(m))} gives {@code m} back in
     * the context the message belongs to. Throws IllegalArgumentException for a message that has no valid line.
     */
    public static String encode(Message message) {
        return WireEncoder.encode(message);
    }

    /** A cost as the original prints it and parses it back (see {@link WireEncoder#formatCost}). */
    public static String formatCost(double cost) {
        return WireEncoder.formatCost(cost);
    }

    static void appendLink(StringBuilder sb, Link l) {
        WireEncoder.appendLink(sb, l);
    }
}
