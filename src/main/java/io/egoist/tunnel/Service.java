package io.egoist.tunnel;

import java.util.regex.Pattern;

/** A local service a node exposes to the overlay: {@code NAME=udp:HOST:PORT} or {@code NAME=tcp:HOST:PORT}. */
public record Service(String name, Proto proto, String host, int port) {
    public enum Proto {
        UDP,
        TCP;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** "udp" or "tcp", else IllegalArgumentException. */
        public static Proto parse(String s) {
            return switch (s) {
                case "udp" -> UDP;
                case "tcp" -> TCP;
                default -> throw new IllegalArgumentException("protocol must be udp or tcp, not '" + s + "'");
            };
        }
    }

    /** Service names: 1-32 letters, digits, '.', '_', '-'. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,32}");

    public Service {
        if (!NAME.matcher(name).matches())
            throw new IllegalArgumentException("bad service name '" + name + "' (1-32 of A-Z a-z 0-9 . _ -)");
        if (port < 1) throw new IllegalArgumentException("service '" + name + "' needs a port 1..65535");
    }

    /** Parses {@code NAME=PROTO:HOST:PORT}; IllegalArgumentException with the reason. */
    public static Service parse(String text) {
        int eq = text.indexOf('=');
        if (eq <= 0)
            throw new IllegalArgumentException("expected NAME=udp:HOST:PORT or NAME=tcp:HOST:PORT, got '" + text + "'");
        Endpoint e = Endpoint.parse(text.substring(eq + 1));
        return new Service(text.substring(0, eq), e.proto(), e.host(), e.port());
    }

    /** Parses {@code --expose} values; IllegalArgumentException ("--expose: ...") for a bad one or a name twice. */
    public static java.util.List<Service> parseAll(java.util.List<String> texts) {
        java.util.List<Service> r = new java.util.ArrayList<>();
        java.util.Set<String> names = new java.util.HashSet<>();
        for (String t : texts) {
            Service s;
            try {
                s = parse(t);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--expose: " + e.getMessage());
            }
            if (!names.add(s.name()))
                throw new IllegalArgumentException("--expose: service '" + s.name() + "' given twice");
            r.add(s);
        }
        return r;
    }

    /** {@code PROTO:HOST:PORT}. */
    public record Endpoint(Proto proto, String host, int port) {
        public static Endpoint parse(String text) {
            int a = text.indexOf(':'), b = text.lastIndexOf(':');
            if (a <= 0 || b == a)
                throw new IllegalArgumentException("expected udp:HOST:PORT or tcp:HOST:PORT, got '" + text + "'");
            Proto p = Proto.parse(text.substring(0, a));
            String host = text.substring(a + 1, b);
            if (host.isEmpty()) throw new IllegalArgumentException("empty host in '" + text + "'");
            int port;
            try {
                port = Integer.parseInt(text.substring(b + 1));
            } catch (NumberFormatException ex) {
                port = -1;
            }
            if (port < 0 || port > 65535) throw new IllegalArgumentException("bad port in '" + text + "'");
            return new Endpoint(p, host, port);
        }

        @Override
        public String toString() {
            return proto.label() + ":" + host + ":" + port;
        }
    }

    @Override
    public String toString() {
        return name + "=" + proto.label() + ":" + host + ":" + port;
    }
}
