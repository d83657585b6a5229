package io.egoist.wire;

/**
 * A node's identity on the wire, {@code ip:port}: its IPv4 address and main TCP port. Parsed once at the
 * edge; the cores never juggle id strings. Ordering is by address then port, which gives every node set
 * a stable order.
 */
public record NodeId(String ip, int port) implements Comparable<NodeId> {

    public NodeId {
        String why = checkIp(ip);
        if (why != null) throw new IllegalArgumentException(why);
        if (port < 1 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
    }

    /** Parses {@code a.b.c.d:port}; throws IllegalArgumentException whose message is the precise reason. */
    public static NodeId parse(String text) {
        if (text == null || text.isEmpty()) throw new IllegalArgumentException("empty node id");
        int colon = text.lastIndexOf(':');
        if (colon < 0) throw new IllegalArgumentException("node id without ':' port: " + clip(text));
        String ip = text.substring(0, colon);
        String portText = text.substring(colon + 1);
        if (portText.isEmpty() || portText.length() > 5 || !portText.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("malformed port: " + clip(portText));
        }
        return new NodeId(ip, Integer.parseInt(portText));
    }

    /** The echo port the seed uses for delay probing: main port + 1. */
    public int echoPort() {
        return port + 1;
    }

    @Override
    public String toString() {
        return ip + ":" + port;
    }

    @Override
    public int compareTo(NodeId o) {
        long a = ipValue(), b = o.ipValue();
        if (a != b) return Long.compare(a, b);
        return Integer.compare(port, o.port);
    }

    private long ipValue() {
        long v = 0;
        for (String part : ip.split("\\.")) v = (v << 8) | Integer.parseInt(part);
        return v;
    }

    private static String checkIp(String ip) {
        if (ip == null || ip.isEmpty()) return "empty address";
        String[] parts = ip.split("\\.", -1);
        if (parts.length != 4) return "malformed IPv4 address: " + clip(ip);
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return "malformed IPv4 address: " + clip(ip);
            }
            if (Integer.parseInt(p) > 255) return "IPv4 octet out of range: " + clip(ip);
            if (p.length() > 1 && p.charAt(0) == '0') return "IPv4 octet with leading zero: " + clip(ip);
        }
        return null;
    }

    static String clip(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
