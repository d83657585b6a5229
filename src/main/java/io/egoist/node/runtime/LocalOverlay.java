package io.egoist.node.runtime;

import io.egoist.latency.LatencyMatrix;
import io.egoist.node.NodeConfig;
import io.egoist.node.NodeStatus;
import io.egoist.runtime.Netty;
import io.egoist.security.tls.TlsMembers;
import io.egoist.tracker.TrackerConfig;
import io.egoist.tracker.TrackerNetConfig;
import io.egoist.tracker.TrackerServer;
import io.egoist.wire.NodeId;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A whole overlay in one process on loopback: a tracker ({@link TrackerServer}, SQLite in a temporary directory)
 * and N {@link EgoistNode}s on ephemeral ports, sharing a small event loop group, with latency emulated from a
 * matrix whose i-th name is node i. Used by {@code egoist demo} and the integration tests.
 */
public final class LocalOverlay implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalOverlay.class);
    static final String HOST = "127.0.0.1";

    /** What to start. */
    public static final class Settings {
        LatencyMatrix matrix;
        int k = 3;
        String policy = "br";
        long seed = 1;
        int threads = 2;
        boolean emulate = true;
        UnaryOperator<NodeConfig> tune = UnaryOperator.identity();
        UnaryOperator<TrackerConfig> tuneTracker = UnaryOperator.identity();
        Pki pki;
        java.util.function.BiConsumer<Integer, EgoistNode.Options> nodeOptions = (i, o) -> {};

        /** Node i is the matrix's i-th name; the matrix size is the number of nodes. */
        public Settings matrix(LatencyMatrix v) {
            matrix = v;
            return this;
        }

        public Settings k(int v) {
            k = v;
            return this;
        }

        public Settings policy(String v) {
            policy = v;
            return this;
        }

        public Settings seed(long v) {
            seed = v;
            return this;
        }
        /** Event loop threads shared by all nodes. */
        public Settings threads(int v) {
            threads = v;
            return this;
        }
        /** Delay lines by the matrix (default); false = plain loopback. */
        public Settings emulate(boolean v) {
            emulate = v;
            return this;
        }
        /** Adjusts each node's configuration (after the overlay's own short periods are applied). */
        public Settings tune(UnaryOperator<NodeConfig> v) {
            tune = v;
            return this;
        }

        public Settings tuneTracker(UnaryOperator<TrackerConfig> v) {
            tuneTracker = v;
            return this;
        }

        /**
         * Secure mode: the tracker and every node run with credentials from {@code v} (each node on a port pair
         * chosen before it starts, since its certificate names its id); the overlay closes {@code v} when it
         * closes. Null (default): open mode.
         */
        public Settings pki(Pki v) {
            pki = v;
            return this;
        }

        /** Adjusts node i's runtime options before it starts (e.g. the services it exposes). */
        public Settings nodeOptions(java.util.function.BiConsumer<Integer, EgoistNode.Options> v) {
            nodeOptions = v;
            return this;
        }
    }

    /** Where a secure overlay's credentials come from (see {@link Settings#pki}). */
    public interface Pki extends AutoCloseable {
        /** The tracker's credentials. */
        TlsMembers tracker();

        /** Credentials for the node with this id ({@code 127.0.0.1:P}). */
        TlsMembers node(NodeId id);

        /** Forgets the credentials (deletes their files). */
        @Override
        void close();
    }

    private final Settings settings;
    private final EventLoopGroup group;
    private final Path dataDir;
    private final LatencyEmulation.Directory directory;
    private final List<EgoistNode> nodes = new ArrayList<>();
    private final Map<NodeId, String> names = new LinkedHashMap<>();
    private final List<Boolean> alive = new ArrayList<>();
    private TrackerServer tracker;
    private int trackerPort;

    private LocalOverlay(Settings settings, Path dataDir) {
        this.settings = settings;
        this.group = Netty.newGroup(settings.threads, "overlay", true);
        this.dataDir = dataDir;
        this.directory = new LatencyEmulation.Directory(settings.matrix);
    }

    /**
     * Short periods for a quick overlay on one machine: probes every 2 s (timeout 1 s), a re-wiring step every
     * 3 s, tracker retry from 200 ms; failure detection (heartbeats) keeps its defaults.
     */
    public static NodeConfig shortPeriods(NodeConfig c) {
        return c.withPingPeriodMs(2_000)
                .withPingTimeoutMs(1_000)
                .withFirstProbeDelayMs(100)
                .withRewirePeriodMs(3_000)
                .withEraseHashMs(15_000)
                .withTrackerRetryMs(200, 2_000)
                .withTrackerRefreshMs(5_000)
                .withAnnounceRefreshMs(10_000);
    }

    /** Starts the tracker, then the nodes one after the other (registration order = matrix order). */
    public static LocalOverlay start(Settings settings) {
        Path dir;
        try {
            dir = Files.createTempDirectory("egoist-overlay-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory: " + e.getMessage(), e);
        }
        LocalOverlay o = new LocalOverlay(settings, dir);
        try {
            o.startTracker(0);
            for (int i = 0; i < settings.matrix.size(); i++) o.startNode(i);
            return o;
        } catch (RuntimeException e) {
            o.close();
            throw e;
        }
    }

    private TrackerConfig trackerConfig(int port) {
        TrackerConfig c = new TrackerConfig(HOST, port, dataDir.resolve("tracker"), -1, 2_000, 30_000, 1_000);
        return settings.tuneTracker.apply(c);
    }

    private void startTracker(int port) {
        tracker = settings.pki == null
                ? TrackerServer.start(trackerConfig(port))
                : TrackerServer.start(trackerConfig(port), TrackerNetConfig.defaults(), settings.pki.tracker());
        trackerPort = tracker.port();
    }

    private void startNode(int i) {
        String name = settings.matrix.names().get(i);
        NodeConfig cfg = NodeConfig.defaults(new NodeId(HOST, 1), HOST, trackerPort)
                .withK(settings.k)
                .withPolicy(settings.policy);
        cfg = settings.tune.apply(shortPeriods(cfg));
        EgoistNode.Options opts = new EgoistNode.Options()
                .group(group)
                .ephemeralPort(true)
                .random(new Random(settings.seed * 1_000_003L + i))
                // every node is on 127.0.0.1: the per-address caps would count the whole overlay as one peer
                .echoLimits(new io.egoist.runtime.EchoServer.Limits()
                        .maxConnections(
                                io.egoist.runtime.EchoServer.Limits.DEFAULT_MAX_CONNECTIONS,
                                io.egoist.runtime.EchoServer.Limits.DEFAULT_MAX_CONNECTIONS))
                .dataLimits(new DataPortLimits()
                        .maxConnections(
                                DataPortLimits.DEFAULT_MAX_CONNECTIONS, DataPortLimits.DEFAULT_MAX_CONNECTIONS));
        LatencyEmulation emulation = settings.emulate ? LatencyEmulation.withDirectory(name, directory) : null;
        if (emulation != null) opts.emulation(emulation);
        settings.nodeOptions.accept(i, opts);
        // the node's port is known only once bound; name it before it can be probed (its first probe
        // comes after firstProbeDelayMs at the others)
        EgoistNode node = settings.pki == null ? EgoistNode.start(cfg, opts) : startSecure(cfg, opts);
        directory.put(node.id(), name);
        names.put(node.id(), name);
        nodes.add(node);
        alive.add(true);
    }

    /**
     * A secure node's certificate names its id, so its port pair is chosen (and its credentials issued) before it
     * binds; another process may take the pair in between, so a few pairs are tried.
     */
    private EgoistNode startSecure(NodeConfig cfg, EgoistNode.Options opts) {
        opts.ephemeralPort(false);
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 10; attempt++) {
            NodeId id = new NodeId(HOST, freePair());
            opts.tls(settings.pki.node(id));
            try {
                return EgoistNode.start(cfg.withSelf(id), opts);
            } catch (IllegalStateException taken) {
                last = taken;
            }
        }
        throw last;
    }

    /** A port P on 127.0.0.1 with P + 1 free too, found by binding both. */
    static int freePair() {
        for (int i = 0; i < 50; i++) {
            try (java.net.ServerSocket a = new java.net.ServerSocket()) {
                a.bind(new java.net.InetSocketAddress(HOST, 0));
                int p = a.getLocalPort();
                if (p >= 65535) continue;
                try (java.net.ServerSocket b = new java.net.ServerSocket()) {
                    b.bind(new java.net.InetSocketAddress(HOST, p + 1));
                    return p;
                } catch (IOException taken) {
                    // try another
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot bind 127.0.0.1: " + e.getMessage(), e);
            }
        }
        throw new IllegalStateException("no free port pair on " + HOST);
    }

    /** Whether the overlay runs in secure mode. */
    public boolean secure() {
        return settings.pki != null;
    }

    public List<EgoistNode> nodes() {
        return Collections.unmodifiableList(nodes);
    }

    public EgoistNode node(int i) {
        return nodes.get(i);
    }

    public boolean isAlive(int i) {
        return alive.get(i);
    }

    /** Indices of nodes still running. */
    public List<Integer> liveIndices() {
        List<Integer> r = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) if (alive.get(i)) r.add(i);
        return r;
    }

    public String nameOf(NodeId id) {
        return names.get(id);
    }

    public int indexOf(NodeId id) {
        for (int i = 0; i < nodes.size(); i++) if (nodes.get(i).id().equals(id)) return i;
        return -1;
    }

    public LatencyMatrix matrix() {
        return settings.matrix;
    }

    public int k() {
        return settings.k;
    }

    public TrackerServer tracker() {
        return tracker;
    }

    public int trackerPort() {
        return trackerPort;
    }

    /** Stops node i (its sockets close, as when its process dies). */
    public void kill(int i) {
        if (!alive.get(i)) return;
        alive.set(i, false);
        nodes.get(i).close();
        log.info(
                "event=node_killed node={} name={}",
                nodes.get(i).id(),
                names.get(nodes.get(i).id()));
    }

    /** Freezes node i: its sockets stay open but it answers nothing (a hung process, a cut cable). */
    public void hang(int i) {
        if (!alive.get(i)) return;
        alive.set(i, false);
        nodes.get(i).freeze();
        log.info(
                "event=node_hung node={} name={}",
                nodes.get(i).id(),
                names.get(nodes.get(i).id()));
    }

    /** Stops the tracker. */
    public void stopTracker() {
        if (tracker != null) tracker.close();
        tracker = null;
    }

    /**
     * Starts the tracker again on its old port; {@code forget} = with an empty database (a tracker that lost its
     * state), else from its SQLite file.
     */
    public void restartTracker(boolean forget) {
        stopTracker();
        if (forget) deleteTree(dataDir.resolve("tracker"));
        startTracker(trackerPort);
    }

    /** Status of every live node (in index order; null for dead ones). */
    public List<NodeStatus> statuses() {
        List<CompletableFuture<NodeStatus>> fs = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            fs.add(alive.get(i) ? nodes.get(i).status() : CompletableFuture.completedFuture(null));
        }
        List<NodeStatus> r = new ArrayList<>();
        for (CompletableFuture<NodeStatus> f : fs)
            r.add(f.orTimeout(5, TimeUnit.SECONDS).join());
        return r;
    }

    @Override
    public void close() {
        for (EgoistNode n : nodes) n.mute(); // nobody reacts to the others going away
        for (int i = 0; i < nodes.size(); i++) {
            alive.set(i, false);
            nodes.get(i).close();
        }
        stopTracker();
        Netty.shutdown(group);
        deleteTree(dataDir);
        if (settings.pki != null) settings.pki.close();
    }

    /** Deletes a directory tree, best effort (temporary directories). */
    static void deleteTree(Path root) {
        if (!Files.exists(root)) return;
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    log.debug("event=cleanup_failed path={} reason={}", p, e.toString());
                }
            });
        } catch (IOException e) {
            log.debug("event=cleanup_failed path={} reason={}", root, e.toString());
        }
    }
}
