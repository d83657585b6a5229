package io.egoist.cli;

import io.egoist.security.tls.CredentialWatcher;
import io.egoist.security.tls.TlsMembers;
import io.egoist.tracker.TrackerConfig;
import io.egoist.tracker.TrackerNetConfig;
import io.egoist.tracker.TrackerRules;
import io.egoist.tracker.TrackerServer;
import io.egoist.tracker.TrackerStore;
import io.egoist.tracker.TrackerStoreException;
import io.egoist.wire.Seed;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "tracker",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = {
            "Run the bootstrap tracker (wire-compatible with the EGOIST v0.2 egoTracker).",
            "Prints one line saying where it listens, logs events to stderr, stops cleanly on SIGTERM."
        })
public final class TrackerCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    ConfigFile configFile;

    @CommandLine.Mixin
    SecureOptions secure = new SecureOptions();

    @Option(
            names = "--http-token-file",
            paramLabel = "FILE",
            description = "A bearer token (one line): in secure mode (or with this file) the overlay, map and /metrics"
                    + " are served only to 127.0.0.1 or with 'Authorization: Bearer <token>'.")
    Path httpTokenFile;

    @Option(names = "--port", description = "TCP port for nodes (0 = any free port).")
    int port = Seed.BOOTSTRAP_PORT;

    @Option(names = "--bind", description = "Address the tracker's line port listens on.")
    String bind = TrackerConfig.DEFAULT_BIND;

    @Option(
            names = "--http-bind",
            paramLabel = "ADDR",
            description = "Address the HTTP server listens on (loopback unless opened, e.g. 0.0.0.0).")
    String httpBind = TrackerNetConfig.DEFAULT_HTTP_BIND;

    @Option(names = "--data", paramLabel = "DIR", description = "Directory of the SQLite database.")
    Path data = TrackerConfig.DEFAULT_DATA_DIR;

    @Option(
            names = "--http-port",
            description = "HTTP port for /api/overlay, /healthz, /metrics (0 = any free port, -1 = off).")
    int httpPort = TrackerConfig.DEFAULT_HTTP_PORT;

    @Option(
            names = "--remove-period",
            paramLabel = "SECONDS",
            description = "Removal sweep period (seed: REMOVE_PERIOD).")
    double removePeriod = Seed.REMOVE_PERIOD_MS / 1000.0;

    @Option(
            names = "--expire-after",
            paramLabel = "SECONDS",
            description = "Remove a node silent (no REG/UPT) this long (default 3 x REWIRING_PERIOD).")
    double expireAfter = TrackerConfig.DEFAULT_EXPIRE_AFTER_MS / 1000.0;

    @Option(
            names = "--ping-timeout",
            paramLabel = "SECONDS",
            description = "How long a suspect's echo port has to answer (seed: PING_TIMEOUT).")
    double pingTimeout = Seed.PING_TIMEOUT_MS / 1000.0;

    @Option(
            names = "--idle-timeout",
            paramLabel = "SECONDS",
            description =
                    "Close a connection that sent no line for this long (a REG connection left open, a silent client).")
    double idleTimeout = TrackerConfig.DEFAULT_IDLE_TIMEOUT_MS / 1000.0;

    @Option(
            names = "--max-connections",
            paramLabel = "N",
            description = "Open connections beyond this many get NACK@busy and are closed.")
    int maxConnections = TrackerConfig.DEFAULT_MAX_CONNECTIONS;

    @Option(
            names = "--max-nodes",
            paramLabel = "N",
            description =
                    "A REG of a new node beyond this many nodes gets NACK@full (known nodes can always register again).")
    int maxNodes = TrackerConfig.DEFAULT_MAX_NODES;

    @Option(
            names = "--max-links",
            paramLabel = "N",
            description = "A UPT that would take the overlay beyond this many links gets NACK@full.")
    int maxLinks = TrackerConfig.DEFAULT_MAX_LINKS;

    @Option(
            names = "--max-regs-per-connection",
            paramLabel = "N",
            description = "REG requests served on one connection; the next gets NACK@busy (a v0.2 node sends one).")
    int maxRegsPerConnection = TrackerConfig.DEFAULT_MAX_REGS_PER_CONNECTION;

    @Option(
            names = "--allow-foreign-ids",
            description = "Accept REG/UPT for ids whose IP is not the sender's, and RMV from any address"
                    + " (nodes behind a proxy or NAT; load generators). Off: such lines get a NACK.")
    boolean allowForeignIds;

    @Option(
            names = "--reg-rate",
            paramLabel = "PER_SECOND",
            description = "REGs of new ids one address may make per second, sustained; beyond it NACK@busy.")
    double regRate = TrackerRules.DEFAULT_REG_RATE;

    @Option(
            names = "--reg-burst",
            paramLabel = "N",
            description = "REGs of new ids one address may make at once before --reg-rate applies.")
    int regBurst = TrackerRules.DEFAULT_REG_BURST;

    @Option(
            names = "--max-connections-per-address",
            paramLabel = "N",
            description = "Open connections from one address; one more gets NACK@busy and is closed.")
    int maxConnectionsPerAddress = TrackerNetConfig.DEFAULT_MAX_CONNECTIONS_PER_ADDRESS;

    @Option(
            names = "--first-line-timeout",
            paramLabel = "SECONDS",
            description = "Close a connection whose first complete line has not arrived this long after connecting.")
    double firstLineTimeout = TrackerNetConfig.DEFAULT_FIRST_LINE_TIMEOUT_MS / 1000.0;

    @Option(
            names = "--stall-timeout",
            paramLabel = "SECONDS",
            description = "Close a connection that does not read its replies (256 KB behind, no progress) this long.")
    double stallTimeout = TrackerNetConfig.DEFAULT_STALL_CLOSE_MS / 1000.0;

    @Option(
            names = "--http-max-connections",
            paramLabel = "N",
            description = "Open HTTP connections; one more gets 503 and is closed.")
    int httpMaxConnections = TrackerNetConfig.DEFAULT_HTTP_MAX_CONNECTIONS;

    @Option(
            names = "--http-idle-timeout",
            paramLabel = "SECONDS",
            description = "Close an HTTP connection with no request and no output progress this long.")
    double httpIdleTimeout = TrackerNetConfig.DEFAULT_HTTP_IDLE_TIMEOUT_MS / 1000.0;

    @Option(
            names = "--http-overlay-rate",
            paramLabel = "MB_PER_S",
            description = "/api/overlay bytes served per second, all clients together (MB/s); beyond it a response "
                    + "waits its turn (up to 10 s, then 503 with Retry-After).")
    double httpOverlayRate = TrackerNetConfig.DEFAULT_OVERLAY_BYTES_PER_SECOND / (double) (1 << 20);

    /** Set when the tracker is up (for tests that run the command in-process). */
    volatile TrackerServer server;

    @Override
    public Integer call() {
        TrackerConfig config = config();
        TrackerNetConfig net = netConfig();
        TlsMembers tls = secure.load(spec.commandLine());
        String httpToken = SecureOptions.token(spec.commandLine(), "--http-token-file", httpTokenFile);
        if (tls != null && !tls.id().isTracker()) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--cert: the certificate is for " + tls.id() + ", not for the tracker");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // A start that fails leaves nothing behind: the ports are tried before the database is opened (so a port
        // in use is one line, with no store log lines), and what a failed start created is removed again.
        String busy = portInUse(config.bindHost(), config.port(), "");
        if (busy == null && config.httpPort() > 0) busy = portInUse(config.bindHost(), config.httpPort(), " (http)");
        if (busy != null) {
            err.println("egoist tracker: " + busy);
            err.flush();
            return 1;
        }
        Path created = firstMissing(config.dataDir());
        boolean dbExisted = Files.exists(config.dataDir().resolve(TrackerStore.FILE_NAME));
        TrackerServer s;
        try {
            if (tls == null)
                org.slf4j.LoggerFactory.getLogger(TrackerCommand.class).warn(SecureOptions.OPEN_WARNING);
            s = TrackerServer.start(config, net, tls, httpToken);
        } catch (TrackerStoreException | IllegalStateException e) {
            removeCreated(config.dataDir(), created, dbExisted);
            err.println("egoist tracker: " + oneLine(e.getMessage()));
            err.flush();
            return 1;
        }
        server = s;
        CredentialWatcher watcher = secure.watch(spec.commandLine(), tls, s::recheckTls);
        Thread hook = new Thread(s::close, "tracker-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        out.println("egoist tracker listening on " + bind + ":" + s.port()
                + (s.httpPort() >= 0 ? " (http " + httpBind + ":" + s.httpPort() + ")" : " (http off)")
                + " data " + s.store().file() + " nodes " + s.loadedNodes()
                + (tls == null
                        ? ""
                        : " secure (mutual TLS, CAs "
                                + tls.credentials().bundle().cas().size() + ")"));
        out.flush();
        while (!s.awaitStopped(1, TimeUnit.HOURS)) {
            // runs until SIGTERM / SIGINT (shutdown hook) or stop()
        }
        if (watcher != null) watcher.close();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is what stopped us
        }
        return 0;
    }

    /** Stops a tracker started by {@link #call()} (tests). */
    void stop() {
        TrackerServer s = server;
        if (s != null) s.close();
    }

    TrackerConfig config() {
        CommandLine cl = spec.commandLine();
        if (port < 0 || port > 65535)
            throw new CommandLine.ParameterException(cl, "--port must be 0..65535, not " + port);
        if (httpPort < -1 || httpPort > 65535) {
            throw new CommandLine.ParameterException(cl, "--http-port must be -1..65535, not " + httpPort);
        }
        if (bind.isBlank()) throw new CommandLine.ParameterException(cl, "--bind must not be empty");
        if (!(regRate > 0) || Double.isInfinite(regRate)) {
            throw new CommandLine.ParameterException(cl, "--reg-rate must be a positive number, not " + regRate);
        }
        TrackerRules rules = new TrackerRules(allowForeignIds, regRate, atLeastOne(cl, "--reg-burst", regBurst));
        return new TrackerConfig(
                bind,
                port,
                data,
                httpPort,
                millis(cl, "--remove-period", removePeriod),
                millis(cl, "--expire-after", expireAfter),
                millis(cl, "--ping-timeout", pingTimeout),
                millis(cl, "--idle-timeout", idleTimeout),
                atLeastOne(cl, "--max-connections", maxConnections),
                atLeastOne(cl, "--max-nodes", maxNodes),
                atLeastOne(cl, "--max-links", maxLinks),
                atLeastOne(cl, "--max-regs-per-connection", maxRegsPerConnection),
                rules);
    }

    TrackerNetConfig netConfig() {
        CommandLine cl = spec.commandLine();
        if (httpBind.isBlank()) throw new CommandLine.ParameterException(cl, "--http-bind must not be empty");
        return new TrackerNetConfig(
                httpBind,
                atLeastOne(cl, "--max-connections-per-address", maxConnectionsPerAddress),
                millis(cl, "--first-line-timeout", firstLineTimeout),
                millis(cl, "--stall-timeout", stallTimeout),
                TrackerNetConfig.DEFAULT_SHARED_REPLY_BYTES,
                atLeastOne(cl, "--http-max-connections", httpMaxConnections),
                millis(cl, "--http-idle-timeout", httpIdleTimeout),
                TrackerNetConfig.DEFAULT_OVERLAY_MIN_INTERVAL_MS,
                bytesPerSecond(cl, "--http-overlay-rate", httpOverlayRate));
    }

    static long bytesPerSecond(CommandLine cl, String option, double mbPerSecond) {
        if (!(mbPerSecond >= 0.001 && mbPerSecond <= 1e6))
            throw new CommandLine.ParameterException(
                    cl, option + " must be 0.001..1000000 MB per second, not " + mbPerSecond);
        return Math.round(mbPerSecond * (1 << 20));
    }

    static long millis(CommandLine cl, String option, double seconds) {
        try {
            return Seconds.millis(option, seconds);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
    }

    static int atLeastOne(CommandLine cl, String option, int n) {
        if (n < 1) throw new CommandLine.ParameterException(cl, option + " must be at least 1, not " + n);
        return n;
    }

    /** Null if {@code host:port} can be bound now, else the one-line reason (port 0 always can). */
    static String portInUse(String host, int port, String what) {
        if (port == 0) return null;
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(host, port));
            return null;
        } catch (IOException e) {
            return "cannot listen on " + host + ":" + port + what + ": " + oneLine(e.getMessage());
        }
    }

    /** The outermost directory of {@code dir} (itself included) that does not exist yet, or null if it exists. */
    static Path firstMissing(Path dir) {
        Path missing = null;
        for (Path p = dir.toAbsolutePath().normalize(); p != null && !Files.exists(p); p = p.getParent()) missing = p;
        return missing;
    }

    /**
     * Deletes what a failed start created: the directories from {@code created} down (null: none were created),
     * or else the database files if there was none before. Never anything that existed before.
     */
    static void removeCreated(Path dataDir, Path created, boolean dbExisted) {
        try {
            if (created != null) {
                if (Files.isDirectory(created)) {
                    try (Stream<Path> files = Files.walk(created)) {
                        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
                    }
                }
            } else if (!dbExisted) {
                for (String suffix : List.of("", "-wal", "-shm", "-journal")) {
                    Files.deleteIfExists(dataDir.resolve(TrackerStore.FILE_NAME + suffix));
                }
            }
        } catch (IOException e) {
            // best effort: the start failed anyway, and its one-line reason matters more
        }
    }

    private static String oneLine(String s) {
        return s == null ? "failed" : s.replace('\n', ' ').replace('\r', ' ');
    }
}
