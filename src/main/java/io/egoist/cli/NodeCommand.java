package io.egoist.cli;

import io.egoist.latency.LatencyMatrix;
import io.egoist.node.NodeConfig;
import io.egoist.node.runtime.EgoistNode;
import io.egoist.node.runtime.LatencyEmulation;
import io.egoist.web.ControlApi;
import io.egoist.wire.NodeId;
import io.egoist.wire.Seed;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "node",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        sortOptions = false,
        description = {
            "Run an overlay node: join via the tracker, measure, wire selfishly, flood link state, route and deliver.",
            "",
            "Listens on --port (neighbor links) and --port + 1 (echo, for RTT probing) and serves a control API (JSON over HTTP on 127.0.0.1:--control-port: GET /status, /routes, /route?to=ID, /metrics; POST /send?to=ID). Prints one line with its id and ports on stdout, logs to stderr, runs until interrupted (Ctrl-C, SIGTERM).",
            "",
            "Latency emulation on one machine: --emulate MATRIX.csv --as NAME delays every line this node exchanges with a peer by half their RTT in the matrix (the side that opened a connection delays both directions), so probes measure the matrix. Peers are mapped to matrix names by --emulate-map FILE (lines 'ip:port NAME', # comments) or, without it, by registration order: the i-th node in the tracker's node list is the matrix's i-th name (so start the nodes one after another, in matrix order, against a fresh tracker). Unmapped peers (e.g. the tracker) get no delay. See docs/NODE.md.",
            ""
        })
public final class NodeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    ConfigFile configFile;

    @CommandLine.Mixin
    SecureOptions secure = new SecureOptions();

    @Option(
            names = "--tracker",
            required = true,
            paramLabel = "HOST[:PORT]",
            description = "The tracker (port defaults to " + Seed.BOOTSTRAP_PORT + ").")
    String tracker;

    @Option(names = "--host", paramLabel = "IP", description = "This node's IPv4 address, as announced in its id.")
    String host = "127.0.0.1";

    @Option(names = "--port", paramLabel = "P", description = "Main port (P + 1 is the echo port); 0 = any free pair.")
    int port = 7000;

    @Option(names = "--bind", paramLabel = "ADDR", description = "Address to listen on (default: --host).")
    String bind;

    @Option(names = "--k", description = "Out-neighbors to keep.")
    int k = 3;

    @Option(
            names = "--policy",
            description = "Wiring policy: br, br-eps, hybrid-br, k-random, k-closest, k-regular, legacy-swap.")
    String policy = "br";

    @Option(
            names = "--eps",
            description = "BR(eps) threshold for br-eps: re-wire only if the cost falls by more than this fraction.")
    double eps = 0.1;

    @Option(
            names = "--ping-period",
            paramLabel = "SECONDS",
            description = "Probe every known node this often (PING_PERIOD).")
    double pingPeriod = Seed.PING_PERIOD_MS / 1000.0;

    @Option(
            names = "--ping-timeout",
            paramLabel = "SECONDS",
            description = "A probe not answered within this fails (PING_TIMEOUT).")
    double pingTimeout = Seed.PING_TIMEOUT_MS / 1000.0;

    @Option(
            names = "--rewire-period",
            paramLabel = "SECONDS",
            description = "One re-wiring step this often (REWIRING_PERIOD).")
    double rewirePeriod = Seed.REWIRING_PERIOD_MS / 1000.0;

    @Option(
            names = "--erase-hash",
            paramLabel = "SECONDS",
            description = "Clear the seen-update cache this often (ERASE_HASH).")
    double eraseHash = Seed.ERASE_HASH_MS / 1000.0;

    @Option(
            names = "--heartbeat",
            paramLabel = "SECONDS",
            description = "Heartbeat period on neighbor links (peers that support it).")
    double heartbeat = 0.5;

    @Option(names = "--heartbeat-misses", description = "Missed heartbeat periods before a neighbor counts as lost.")
    int heartbeatMisses = 3;

    @Option(
            names = "--rewire-min-gain-ms",
            paramLabel = "MS",
            description =
                    "Policy br: re-wire only if the own cost falls by more than this many ms (noise guard; 0 = plain BR).")
    double rewireMinGainMs = NodeConfig.DEFAULT_REWIRE_MIN_GAIN_MS;

    @Option(
            names = "--rewire-min-gain",
            paramLabel = "FRACTION",
            description = "Policy br: ... and by more than this fraction of the own cost (0 = plain BR).")
    double rewireMinGainFraction = NodeConfig.DEFAULT_REWIRE_MIN_GAIN_FRACTION;

    @Option(
            names = "--data-hold",
            paramLabel = "SECONDS",
            description = "Hold a message that has no route yet this long, waiting for one (0 = drop at once).")
    double dataHold = NodeConfig.DEFAULT_DATA_HOLD_MS / 1000.0;

    @Option(
            names = "--v02",
            description = "No extensions: behave exactly like a v0.2 node on the wire (no HELLO, HB, DATA).")
    boolean v02;

    @Option(
            names = "--control-port",
            paramLabel = "PORT",
            description = "Control API port; 0 = any free port, -1 = none.")
    int controlPort = ControlApi.DEFAULT_PORT;

    @Option(names = "--control-host", paramLabel = "ADDR", description = "Address the control API listens on.")
    String controlHost = "127.0.0.1";

    @Option(
            names = "--control-token-file",
            paramLabel = "FILE",
            description =
                    "Require 'Authorization: Bearer <token>' on the control API, the token being this file's content (trimmed).")
    Path controlTokenFile;

    @Option(
            names = "--control-max-connections",
            paramLabel = "N",
            description = "At most this many open control API connections; one more gets 503 and is closed.")
    int controlMaxConnections = io.egoist.runtime.HttpJsonServer.DEFAULT_MAX_CONNECTIONS;

    @Option(
            names = "--control-idle-timeout",
            paramLabel = "SECONDS",
            description = "Close a control API connection idle this long (no request, no output progress).")
    double controlIdleTimeout = io.egoist.runtime.HttpJsonServer.DEFAULT_IDLE_TIMEOUT_MS / 1000.0;

    @Option(
            names = "--emulate",
            paramLabel = "MATRIX.csv",
            description = "Emulate latencies from this RTT matrix (needs --as).")
    Path emulate;

    @Option(names = "--as", paramLabel = "NAME", description = "This node's name in the --emulate matrix.")
    String as;

    @Option(
            names = "--emulate-map",
            paramLabel = "FILE",
            description = "Map peers to matrix names ('ip:port NAME' per line) instead of by registration order.")
    Path emulateMap;

    @Option(names = "--seed", description = "Seed for the node's randomness (default: from the clock).")
    Long seed;

    @Option(
            names = "--run-for",
            paramLabel = "SECONDS",
            description = "Stop after this long (default: run until interrupted).")
    Double runFor;

    @Option(
            names = "--expose",
            paramLabel = "NAME=PROTO:HOST:PORT",
            description = "Offer a local service to tunnels (udp or tcp; repeatable); nothing else is reachable.")
    List<String> expose = new java.util.ArrayList<>();

    @Option(
            names = "--stream-timeout",
            paramLabel = "SECONDS",
            description = "End a tunnel's TCP stream (closing both applications' connections) when its far end is not"
                    + " heard for this long: no path, or the far node is gone. A relay's death alone does not end it.")
    double streamTimeout = io.egoist.tunnel.TunnelLimits.DEFAULT_STREAM_TIMEOUT_MS / 1000.0;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        NodeConfig cfg;
        LatencyEmulation emulation = null;
        String token;
        List<io.egoist.tunnel.Service> services;
        try {
            services = io.egoist.tunnel.Service.parseAll(expose);
            if (!(streamTimeout >= 0.1 && streamTimeout <= 86_400))
                throw new IllegalArgumentException("--stream-timeout must be 0.1..86400 seconds, not " + streamTimeout);
            cfg = config();
            emulation = emulation();
        } catch (IllegalArgumentException | IOException e) {
            err.println("egoist node: " + e.getMessage());
            err.flush();
            return 2;
        }
        token = SecureOptions.token(spec.commandLine(), "--control-token-file", controlTokenFile);
        io.egoist.security.tls.TlsMembers tls = secure.load(spec.commandLine());
        if (tls != null && (port == 0 || !cfg.self().equals(tls.id().node()))) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--cert: the certificate is for " + tls.id() + ", not for this node " + cfg.self()
                            + (port == 0 ? " (secure mode needs a fixed --port)" : ""));
        }
        if (tls == null) org.slf4j.LoggerFactory.getLogger(NodeCommand.class).warn(SecureOptions.OPEN_WARNING);
        EgoistNode.Options opts =
                new EgoistNode.Options().ephemeralPort(port == 0).tls(tls);
        if (bind != null) opts.bindHost(bind);
        if (seed != null) opts.random(new Random(seed));
        if (emulation != null) opts.emulation(emulation);
        opts.expose(services);
        opts.tunnelLimits(io.egoist.tunnel.TunnelLimits.DEFAULTS.withStreamTimeoutMs(Math.round(streamTimeout * 1000)));
        EgoistNode node;
        try {
            node = EgoistNode.bind(cfg, opts); // every port is bound before the first REG
        } catch (IllegalStateException e) {
            err.println("egoist node: " + e.getMessage());
            err.flush();
            return 1;
        }
        ControlApi control = null;
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(
                () -> {
                    // SIGTERM / Ctrl-C: the main thread leaves the overlay and closes everything; then exit 0 (the
                    // JVM would otherwise report the signal, 143): leaving on request is a normal end.
                    stop.countDown();
                    try {
                        if (stopped.await(10, TimeUnit.SECONDS))
                            Runtime.getRuntime().halt(0);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "egoist-node-shutdown");
        boolean hookAdded = false;
        io.egoist.security.tls.CredentialWatcher watcher = null;
        try {
            if (controlPort >= 0)
                control = ControlApi.start(
                        node,
                        controlHost,
                        controlPort,
                        null,
                        token,
                        new ControlApi.Limits(controlMaxConnections, Math.round(controlIdleTimeout * 1000)));
            node.join();
            watcher = secure.watch(spec.commandLine(), tls, node::recheckTls);
            out.printf(
                    Locale.ROOT,
                    "node=%s echo_port=%d control=%s tracker=%s:%d k=%d policy=%s%s%n",
                    node.id(),
                    node.id().port() + 1,
                    control == null ? "none" : controlHost + ":" + control.port(),
                    cfg.trackerHost(),
                    cfg.trackerPort(),
                    cfg.k(),
                    cfg.policy(),
                    emulation == null ? "" : " emulate_as=" + emulation.selfName());
            out.flush();
            Runtime.getRuntime().addShutdownHook(hook);
            hookAdded = true;
            if (runFor != null) {
                stop.await(Seconds.toMillis(runFor), TimeUnit.MILLISECONDS);
            } else {
                stop.await();
            }
            return 0;
        } catch (IllegalStateException e) {
            err.println("egoist node: "
                    + (control == null && controlPort >= 0 ? "cannot bind the control port: " : "")
                    + e.getMessage());
            err.flush();
            return 1;
        } finally {
            if (watcher != null) watcher.close();
            if (control != null) control.close();
            node.leave(LEAVE_TIMEOUT_MS);
            stopped.countDown();
            if (hookAdded) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // the JVM is shutting down: the hook is running
                }
            }
        }
    }

    /** How long a leaving node waits for the tracker to take its RMV. */
    static final long LEAVE_TIMEOUT_MS = 2_000;

    NodeConfig config() {
        String tHost = tracker;
        int tPort = Seed.BOOTSTRAP_PORT;
        int colon = tracker.lastIndexOf(':');
        if (colon >= 0) {
            tHost = tracker.substring(0, colon);
            try {
                tPort = Integer.parseInt(tracker.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--tracker: bad port in '" + tracker + "'");
            }
        }
        if (tHost.isEmpty()) throw new IllegalArgumentException("--tracker: missing host in '" + tracker + "'");
        if (tPort < 1 || tPort > 65535)
            throw new IllegalArgumentException("--tracker: port must be 1..65535 in '" + tracker + "'");
        try {
            // a name that does not resolve is a typo, not a tracker that is down: say so now rather than retry for ever
            InetAddress.getByName(tHost);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--tracker: cannot resolve host " + tHost);
        }
        if (port < 0 || port > 65534)
            throw new IllegalArgumentException("--port must be 0..65534 (port + 1 is the echo port)");
        if (controlPort < -1 || controlPort > 65535)
            throw new IllegalArgumentException("--control-port must be -1..65535");
        if (controlMaxConnections < 1 || controlMaxConnections > 100_000)
            throw new IllegalArgumentException(
                    "--control-max-connections must be 1..100000, not " + controlMaxConnections);
        if (!Double.isFinite(controlIdleTimeout) || controlIdleTimeout < 0.001 || controlIdleTimeout > 86_400)
            throw new IllegalArgumentException(
                    "--control-idle-timeout must be 0.001..86400 seconds, not " + controlIdleTimeout);
        NodeId self;
        try {
            self = new NodeId(host, port == 0 ? 1 : port); // port 0: replaced by the bound one
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--host: " + e.getMessage());
        }
        NodeConfig c = NodeConfig.defaults(self, tHost, tPort)
                .withK(k)
                .withPolicy(policy)
                .withEpsilon(eps)
                .withPingPeriodMs(Seconds.millis("--ping-period", pingPeriod))
                .withPingTimeoutMs(Seconds.millis("--ping-timeout", pingTimeout))
                .withRewirePeriodMs(Seconds.millis("--rewire-period", rewirePeriod))
                .withEraseHashMs(Seconds.millis("--erase-hash", eraseHash))
                .withHeartbeatPeriodMs(Seconds.millis("--heartbeat", heartbeat))
                .withHeartbeatMisses(heartbeatMisses);
        if (!Seconds.notNegative(dataHold) || dataHold > 1e6) {
            throw new IllegalArgumentException("--data-hold must be 0..1e6 seconds, not " + dataHold);
        }
        if (!Double.isFinite(rewireMinGainMs) || rewireMinGainMs < 0) {
            throw new IllegalArgumentException("--rewire-min-gain-ms must be a number >= 0, not " + rewireMinGainMs);
        }
        if (!Double.isFinite(rewireMinGainFraction) || rewireMinGainFraction < 0 || rewireMinGainFraction >= 1) {
            throw new IllegalArgumentException(
                    "--rewire-min-gain must be a fraction in [0, 1), not " + rewireMinGainFraction);
        }
        c = c.withDataHoldMs(Math.round(dataHold * 1000)).withRewireMinGain(rewireMinGainMs, rewireMinGainFraction);
        if (v02) c = c.withFeatures(List.of());
        try {
            io.egoist.sns.Policies.byName(policy);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--policy: " + e.getMessage());
        }
        return c;
    }

    LatencyEmulation emulation() throws IOException {
        if (emulate == null) {
            if (as != null || emulateMap != null)
                throw new IllegalArgumentException("--as and --emulate-map need --emulate MATRIX.csv");
            return null;
        }
        if (as == null)
            throw new IllegalArgumentException("--emulate needs --as NAME (this node's name in the matrix)");
        LatencyMatrix matrix;
        try {
            matrix = LatencyMatrix.load(emulate);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("--emulate: no such file: " + emulate);
        }
        if (emulateMap == null) return LatencyEmulation.byRegistrationOrder(matrix, as);
        Map<NodeId, String> map;
        try {
            map = LatencyEmulation.readMap(emulateMap, matrix);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("--emulate-map: no such file: " + emulateMap);
        }
        return LatencyEmulation.withMap(matrix, as, map);
    }
}
