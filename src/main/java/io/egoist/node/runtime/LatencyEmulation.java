package io.egoist.node.runtime;

import io.egoist.latency.LatencyMatrix;
import io.egoist.runtime.OutboundDelay;
import io.egoist.wire.NodeId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Latency emulation on one machine ({@code egoist node --emulate MATRIX.csv --as NAME}): everything this node
 * exchanges with a peer is held back by half that pair's round-trip time in the matrix, so probes measure the
 * matrix and a message forwarded over several hops takes the sum of their delays.
 *
 * <p>Peers are mapped to matrix names in one of two ways:
 * <ul>
 *   <li><b>a map file</b> ({@code --emulate-map FILE}): one {@code ip:port NAME} per line ({@code #} starts a
 *       comment, blank lines are ignored); {@code port} is the node's main port;</li>
 *   <li><b>registration order</b> (no map file): the i-th node in the tracker's node list (the tracker lists nodes in
 *       the order they registered) gets the matrix's i-th name (header order). A node keeps the first name it
 *       was given. This suits nodes started one after the other against a fresh tracker; use a map file for
 *       anything else. This node's own name is always {@code --as}; a mismatch with its position is logged.</li>
 * </ul>
 * A peer without a name (e.g. the tracker) gets no delay. Lines to a peer's echo port (main port + 1) are
 * delayed like those to its main port. Per {@link OutboundDelay}, the side that opened a connection applies the
 * delay to both directions.
 */
public final class LatencyEmulation implements OutboundDelay {
    private static final Logger log = LoggerFactory.getLogger(LatencyEmulation.class);

    private final LatencyMatrix matrix;
    private final int self;
    private final boolean byRegistrationOrder;
    private final Directory directory;
    private volatile NodeId selfId;
    private volatile boolean mismatchLogged;
    /** Main ports ("ip:port") this node's connects are refused to (emulated firewall); see {@link #refuseConnects}. */
    private final java.util.Set<String> refused = ConcurrentHashMap.newKeySet();

    private final java.util.concurrent.atomic.AtomicLong refusedConnects = new java.util.concurrent.atomic.AtomicLong();

    /**
     * Which node is which matrix name; thread-safe, may be filled while nodes run and shared by several nodes of
     * one process (the demo).
     */
    public static final class Directory {
        private final LatencyMatrix matrix;
        private final Map<String, Integer> byId = new ConcurrentHashMap<>(); // "ip:port" (main port) -> index

        public Directory(LatencyMatrix matrix) {
            this.matrix = matrix;
        }

        public void put(NodeId node, String name) {
            byId.put(node.toString(), indexOf(matrix, name, "emulation map"));
        }

        boolean putIfAbsent(NodeId node, int index) {
            return byId.putIfAbsent(node.toString(), index) == null;
        }

        Integer index(String hostPort) {
            return byId.get(hostPort);
        }
    }

    private LatencyEmulation(LatencyMatrix matrix, String selfName, Directory directory, boolean byRegistrationOrder) {
        this.matrix = matrix;
        this.self = indexOf(matrix, selfName, "--as");
        this.directory = directory;
        this.byRegistrationOrder = byRegistrationOrder;
    }

    /** Peers named by an explicit map (node id to matrix name), e.g. from {@link #readMap}. */
    public static LatencyEmulation withMap(LatencyMatrix matrix, String selfName, Map<NodeId, String> map) {
        Directory d = new Directory(matrix);
        map.forEach(d::put);
        return new LatencyEmulation(matrix, selfName, d, false);
    }

    /** Peers named by a directory that may still be filled while the node runs. */
    public static LatencyEmulation withDirectory(String selfName, Directory directory) {
        return new LatencyEmulation(directory.matrix, selfName, directory, false);
    }

    /** Peers named by their position in the tracker's node list; see {@link #learnNodeList}. */
    public static LatencyEmulation byRegistrationOrder(LatencyMatrix matrix, String selfName) {
        return new LatencyEmulation(matrix, selfName, new Directory(matrix), true);
    }

    public LatencyMatrix matrix() {
        return matrix;
    }

    private static int indexOf(LatencyMatrix m, String name, String where) {
        int i = m.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException(where + ": no node named '" + name + "' in the latency matrix ("
                    + m.size() + " names, e.g. " + String.join(", ", m.names().subList(0, Math.min(5, m.size())))
                    + ")");
        }
        return i;
    }

    /**
     * Reads a map file: {@code ip:port NAME} per line. Throws IllegalArgumentException with a one-line message
     * naming the file and line for a malformed line, an unknown name or a node listed twice.
     */
    public static Map<NodeId, String> readMap(Path file, LatencyMatrix matrix) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        Map<NodeId, String> map = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int hash = line.indexOf('#');
            if (hash >= 0) line = line.substring(0, hash);
            line = line.trim();
            if (line.isEmpty()) continue;
            String where = file + " line " + (i + 1) + ": ";
            String[] parts = line.split("\\s+");
            if (parts.length != 2)
                throw new IllegalArgumentException(where + "expected 'ip:port NAME', got '" + line + "'");
            NodeId id;
            try {
                id = NodeId.parse(parts[0]);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + e.getMessage());
            }
            if (matrix.indexOf(parts[1]) < 0) {
                throw new IllegalArgumentException(where + "no node named '" + parts[1] + "' in the latency matrix");
            }
            if (map.put(id, parts[1]) != null) throw new IllegalArgumentException(where + id + " is listed twice");
        }
        return map;
    }

    /** This node's own id, to check its position when mapping by registration order. */
    public void setSelf(NodeId id) {
        this.selfId = id;
    }

    public String selfName() {
        return matrix.names().get(self);
    }

    public boolean mapsByRegistrationOrder() {
        return byRegistrationOrder;
    }

    /** The tracker's node list, in its order (registration order). A no-op with an explicit map. */
    public void learnNodeList(List<NodeId> nodes) {
        if (!byRegistrationOrder) return;
        for (int i = 0; i < nodes.size() && i < matrix.size(); i++) {
            NodeId n = nodes.get(i);
            if (directory.putIfAbsent(n, i))
                log.debug(
                        "event=emulation_map node={} name={}", n, matrix.names().get(i));
            if (n.equals(selfId) && i != self && !mismatchLogged) {
                mismatchLogged = true;
                log.warn(
                        "event=emulation_mismatch node={} as={} position={} position_name={} hint=use_--emulate-map",
                        n,
                        selfName(),
                        i,
                        matrix.names().get(i));
            }
        }
    }

    /** The matrix name a peer is mapped to, if any. */
    public Optional<String> nameOf(NodeId peer) {
        Integer i = directory.index(peer.toString());
        return i == null ? Optional.empty() : Optional.of(matrix.names().get(i));
    }

    /** The matrix RTT from this node to {@code peer} (ms), if the peer is mapped. */
    public OptionalDouble rttTo(NodeId peer) {
        Integer i = directory.index(peer.toString());
        return i == null ? OptionalDouble.empty() : OptionalDouble.of(matrix.rtt(self, i));
    }

    /**
     * Emulated firewall: while {@code refuse} is set, every connection this node opens to {@code peer}'s main port
     * fails at once as refused ({@code ConnectFailed "Connection refused (emulated)"}). The peer's echo port stays
     * reachable (so it is still probed and measured) and connections the peer opens to us are unaffected: a node
     * that is in the overlay but cannot be reached directly from this one. For tests and demo-like runs.
     */
    public void refuseConnects(NodeId peer, boolean refuse) {
        if (refuse) refused.add(peer.toString());
        else refused.remove(peer.toString());
    }

    /** Connections refused so far by {@link #refuseConnects}. */
    public long refusedConnects() {
        return refusedConnects.get();
    }

    @Override
    public boolean refusesConnect(String host, int port) {
        if (refused.isEmpty() || !refused.contains(host + ":" + port)) return false;
        long n = refusedConnects.incrementAndGet();
        log.info("event=connect_refused_emulated node={} peer={}:{} refused={}", selfId, host, port, n);
        return true;
    }

    @Override
    public double delayMillis(String host, int port) {
        Integer i = directory.index(host + ":" + port);
        if (i == null && port > 1) i = directory.index(host + ":" + (port - 1)); // the peer's echo port
        return i == null ? 0 : matrix.rtt(self, i) / 2.0;
    }
}
