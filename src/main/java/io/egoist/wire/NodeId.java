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
        NodeId id = tryParse(text);
        if (id == null) throw new IllegalArgumentException(problem(text));
        return id;
    }

    /** Parses {@code a.b.c.d:port}, or returns null if the text is not a valid node id (see {@link #problem}). */
    public static NodeId tryParse(String text) {
        // the same rules as problem(), scanned in place: one substring (the address), no message built
        if (text == null) return null;
        int colon = text.lastIndexOf(':');
        int n = text.length();
        if (colon < 0 || n - colon - 1 < 1 || n - colon - 1 > 5 || text.charAt(colon + 1) == '0') return null;
        int port = 0;
        for (int i = colon + 1; i < n; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') return null;
            port = port * 10 + (c - '0');
        }
        if (port > 65535) return null;
        String ip = text.substring(0, colon);
        return checkIp(ip) == null ? new NodeId(ip, port) : null;
    }

    /**
     * Why {@code text} is not a valid node id, or null if it is one. Valid: an IPv4 dotted quad (octets 0-255,
     * no leading zeros), ':', a port 1-65535 without leading zeros. Never throws.
     */
    public static String problem(String text) {
        if (text == null || text.isEmpty()) return "empty node id";
        int colon = text.lastIndexOf(':');
        if (colon < 0) return "node id without ':' port: " + clip(text);
        String portText = text.substring(colon + 1);
        if (portText.isEmpty() || portText.length() > 5 || !allDigits(portText)) {
            return "malformed port: " + clip(portText);
        }
        String why = checkIp(text.substring(0, colon));
        if (why != null) return why;
        int port = Integer.parseInt(portText);
        if (port < 1 || port > 65535) return "port out of range: " + port;
        if (portText.charAt(0) == '0') return "port with leading zero: " + portText;
        return null;
    }

    private static boolean allDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return false;
        }
        return true;
    }

    /** The echo port the seed uses for delay probing: main port + 1. */
    public int echoPort() {
        return port + 1;
    }

    /** The record's own hash (31 * ip's + port), written out: the tracker hashes ids on every UPT. */
    @Override
    public int hashCode() {
        return ip.hashCode() * 31 + port;
    }

    @Override
    public boolean equals(Object o) {
        return o == this || (o instanceof NodeId n && port == n.port && ip.equals(n.ip));
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

    /** The address as a number, scanned in place: ids are compared often (sorted sets, tie-breaks). */
    private long ipValue() {
        long v = 0;
        int octet = 0;
        for (int i = 0; i < ip.length(); i++) {
            char c = ip.charAt(i);
            if (c == '.') {
                v = (v << 8) | octet;
                octet = 0;
            } else {
                octet = octet * 10 + (c - '0');
            }
        }
        return (v << 8) | octet;
    }

    /** Why {@code ip} is not a dotted quad, or null. Scans in place (no split): it runs for every id decoded. */
    private static String checkIp(String ip) {
        if (ip == null || ip.isEmpty()) return "empty address";
        int dots = 0;
        for (int i = 0; i < ip.length(); i++) if (ip.charAt(i) == '.') dots++;
        if (dots != 3) return "malformed IPv4 address: " + clip(ip);
        int start = 0;
        for (int k = 0; k < 4; k++) {
            int end = ip.indexOf('.', start);
            if (end < 0) end = ip.length();
            int len = end - start;
            if (len == 0 || len > 3) return "malformed IPv4 address: " + clip(ip);
            int v = 0;
            for (int i = start; i < end; i++) {
                char c = ip.charAt(i);
                if (c < '0' || c > '9') return "malformed IPv4 address: " + clip(ip);
                v = v * 10 + (c - '0');
            }
            if (v > 255) return "IPv4 octet out of range: " + clip(ip);
            if (len > 1 && ip.charAt(start) == '0') return "IPv4 octet with leading zero: " + clip(ip);
            start = end + 1;
        }
        return null;
    }

    static String clip(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
