package io.egoist.node.runtime;

import io.egoist.core.Effect;
import io.egoist.core.Event;
import io.egoist.node.NodeConfig;
import io.egoist.node.NodeCore;
import io.egoist.node.NodeEffect;
import io.egoist.node.NodeStatus;
import io.egoist.node.RouteInfo;
import io.egoist.node.routing.Route;
import io.egoist.node.routing.RouteMode;
import io.egoist.runtime.CoreHost;
import io.egoist.runtime.EchoServer;
import io.egoist.runtime.Netty;
import io.egoist.runtime.OutboundDelay;
import io.egoist.security.tls.TlsMembers;
import io.egoist.tunnel.ForwardingTable;
import io.egoist.tunnel.TunnelNode;
import io.egoist.wire.DataFragment;
import io.egoist.wire.NodeId;
import io.netty.channel.EventLoopGroup;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An EGOIST node as a Java object: the protocol core ({@link NodeCore}) hosted on a Netty event loop with its
 * main port P (neighbor links), its echo port P+1 and RTT probing, plus a small application API: send a
 * payload to any node over the overlay, receive payloads, read status and routes.
 *
 * <pre>{@code
 * try (EgoistNode node = EgoistNode.start(NodeConfig.defaults(new NodeId("127.0.0.1", 7000), "127.0.0.1", 61223),
 *                                         new EgoistNode.Options())) {
 *     node.onReceive(m -> System.out.println(m.from() + ": " + new String(m.payload())));
 *     SendResult r = node.send(NodeId.parse("127.0.0.1:7002"), "hi".getBytes()).get();
 * }
 * }</pre>
 */
public final class EgoistNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EgoistNode.class);

    /**
     * The largest payload {@link #send} takes (64 KiB). Larger ones fail at once; one that does not fit in one
     * wire line travels as fragments (see {@link io.egoist.wire.DataFragment}).
     */
    public static final int MAX_PAYLOAD = 64 * 1024;

    /** Runtime settings that are not protocol configuration. */
    public static final class Options {
        String bindHost;
        boolean ephemeralPort;
        EventLoopGroup group;
        Random random;
        LatencyEmulation emulation;
        OutboundDelay delay;
        int maxOutstandingProbes = io.egoist.runtime.EchoProber.DEFAULT_MAX_OUTSTANDING;
        EchoServer.Limits echoLimits = new EchoServer.Limits();
        DataPortLimits dataLimits = new DataPortLimits();
        TlsMembers tls;

        /**
         * Secure mode: every connection (tracker, links, echo port, probes) is mutually authenticated TLS 1.3 with
         * these credentials (see docs/SECURITY.md); null (default) = open v0.2 mode.
         */
        public Options tls(TlsMembers v) {
            tls = v;
            return this;
        }

        java.util.function.Function<NodeId, io.egoist.security.sign.MemberSecurity> security;

        /**
         * Secure mode for link state and DATA: the node's signing and end-to-end components, made for its final id
         * (known once its port is bound). Default: from {@link #tls} when that is set (the certificate's key and the
         * CA bundle), else open mode.
         */
        public Options security(java.util.function.Function<NodeId, io.egoist.security.sign.MemberSecurity> v) {
            security = v;
            return this;
        }

        List<io.egoist.tunnel.Service> exposed = List.of();
        io.egoist.tunnel.TunnelLimits tunnelLimits = io.egoist.tunnel.TunnelLimits.DEFAULTS;

        /** Local services other nodes may reach through tunnels (nothing else is reachable). */
        public Options expose(List<io.egoist.tunnel.Service> v) {
            exposed = List.copyOf(v);
            return this;
        }

        /** Bounds of the tunnel plane (forwards, sessions, streams, windows). */
        public Options tunnelLimits(io.egoist.tunnel.TunnelLimits v) {
            tunnelLimits = v;
            return this;
        }

        /** Limits of the echo port (line length, idle timeout, connection caps, backpressure marks). */
        public Options echoLimits(EchoServer.Limits v) {
            echoLimits = v;
            return this;
        }

        /** Limits of the main (data) port for connections that are not a peer's link (see {@link DataPortLimits}). */
        public Options dataLimits(DataPortLimits v) {
            dataLimits = v;
            return this;
        }

        /** Address to bind the main and echo ports to; default: the node id's address. */
        public Options bindHost(String v) {
            bindHost = v;
            return this;
        }

        /**
         * Choose a free port pair (P, P+1) instead of the node id's port; the id's port is replaced by P. For
         * tests and the demo.
         */
        public Options ephemeralPort(boolean v) {
            ephemeralPort = v;
            return this;
        }

        /** Share this event loop group (not shut down by the node); default: an own one-thread group. */
        public Options group(EventLoopGroup v) {
            group = v;
            return this;
        }

        /** The core's source of randomness (default: seeded from the node id and the clock). */
        public Options random(Random v) {
            random = v;
            return this;
        }

        /** Latency emulation from a matrix (peers are also mapped from the tracker's node list if so configured). */
        public Options emulation(LatencyEmulation v) {
            emulation = v;
            return this;
        }

        /** Any other delay hook (ignored when {@link #emulation} is set). */
        public Options delay(OutboundDelay v) {
            delay = v;
            return this;
        }

        public Options maxOutstandingProbes(int v) {
            maxOutstandingProbes = v;
            return this;
        }
    }

    /** A payload that arrived for this node: its source, the bytes and the path it took (source first). */
    public record Received(NodeId from, byte[] payload, List<NodeId> path) {}

    /**
     * The outcome of {@link #send}: the path the message took (this node first, the destination last), the cost
     * of that path over this node's link-state view when it was sent (sum of the link costs, ms; NaN if a link
     * was unknown), the cost of the route table entry at that time, and the round trip measured from handing
     * the message to the core until the destination's acknowledgement was back.
     */
    public record SendResult(NodeId to, List<NodeId> path, double pathCostMs, double routeCostMs, double rttMs) {}

    private final NodeCore core;
    private final DataPortGuard<NodeCore> guard;
    private final CoreHost<DataPortGuard<NodeCore>> host;
    private final EchoServer echo;
    private final EventLoopGroup ownGroup;
    private final NodeId id;
    private final NodeMetrics metrics;
    private final LatencyEmulation emulation;
    private final List<Consumer<Received>> receivers = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean joined = new AtomicBoolean();
    /** Application sends waiting for their acknowledgement. */
    private final OutgoingSends sends;
    /** Fragments waiting for the rest of their message (loop-confined). */
    private final Reassembly reassembly;

    private final EventLoopGroup group;
    /** Secure mode's credentials, or null in open mode. */
    private TlsMembers tls;
    /** Secure mode: fetches the tracker's revocation list (null in open mode or before join). */
    private volatile RevocationFetch crlFetch;
    /** Tunnels: frames, forwards, exposed services (io.egoist.tunnel). */
    private TunnelNode tunnels;

    private EgoistNode(
            DataPortGuard<NodeCore> guard,
            CoreHost<DataPortGuard<NodeCore>> host,
            EchoServer echo,
            EventLoopGroup ownGroup,
            EventLoopGroup group,
            NodeMetrics metrics,
            LatencyEmulation emulation) {
        this.group = group;
        this.guard = guard;
        this.reassembly = new Reassembly(2 * guard.inner().config().dataTimeoutMs());
        this.core = guard.inner();
        this.host = host;
        this.echo = echo;
        this.ownGroup = ownGroup;
        this.id = core.id();
        this.metrics = metrics;
        this.emulation = emulation;
        this.sends = new OutgoingSends(core, host, metrics);
    }

    /**
     * Binds the main port and the echo port (port + 1), starts the core (which registers at the tracker) and
     * returns the running node. Throws IllegalStateException when the ports cannot be bound.
     */
    public static EgoistNode start(NodeConfig config, Options options) {
        return bind(config, options).join();
    }

    /**
     * Binds the main port and the echo port (port + 1) and builds the core, but sends nothing yet: a caller that
     * needs more ports (the control API) binds them next and then calls {@link #join()}, so that a start-up
     * failure never leaves a registered ghost at the tracker. Throws IllegalStateException when a port cannot
     * be bound. {@link #close()} an unjoined node that is not going to join.
     */
    public static EgoistNode bind(NodeConfig config, Options options) {
        EventLoopGroup ownGroup = options.group == null ? Netty.newGroup(1, "node", true) : null;
        EventLoopGroup group = options.group == null ? ownGroup : options.group;
        String bindHost =
                options.bindHost != null ? options.bindHost : config.self().ip();
        try {
            int attempts = options.ephemeralPort ? 25 : 1;
            IllegalStateException last = null;
            for (int attempt = 0; attempt < attempts; attempt++) {
                Holder h = new Holder();
                CoreHost.Options hostOptions = new CoreHost.Options()
                        .group(group)
                        .maxOutstandingProbes(options.maxOutstandingProbes)
                        // secure mode: handshakes in progress count towards the data port's caps (DataPortGuard's)
                        .countHandshakes(options.dataLimits.maxConnections(), options.dataLimits.maxPerAddress())
                        .tls(io.egoist.runtime.HostTls.forNode(options.tls, config.trackerHost(), config.trackerPort()))
                        .delay(
                                options.emulation != null
                                        ? options.emulation
                                        : options.delay != null ? options.delay : OutboundDelay.NONE)
                        .otherEffects(e -> h.node.onEffect(e))
                        .frames(
                                config.supports(NodeConfig.FEATURE_FRAMES) ? io.egoist.tunnel.Frames.MAX_BODY : 0,
                                config.supports(NodeConfig.FEATURE_FRAMES)
                                        ? (ch, f) -> h.node.tunnels.onFrame(ch, f)
                                        : null)
                        .tap(new CoreHost.Tap() {
                            @Override
                            public void onEvent(Event event) {
                                h.tap(event);
                            }

                            @Override
                            public void onEffect(Effect effect) {
                                h.tap(effect);
                            }
                        });
                CoreHost<DataPortGuard<NodeCore>> host = new CoreHost<>(hostOptions);
                int port;
                try {
                    port = host.listen(
                            bindHost, options.ephemeralPort ? 0 : config.self().port());
                } catch (IllegalStateException e) {
                    host.close();
                    throw new IllegalStateException("cannot bind main port: " + e.getMessage(), e);
                }
                if (port == 65535) { // no room for the echo port
                    host.close();
                    last = new IllegalStateException("main port 65535 leaves no echo port");
                    continue;
                }
                NodeConfig cfg = config.withSelf(new NodeId(config.self().ip(), port));
                Random coreRandom = options.random != null
                        ? options.random
                        : new Random(cfg.self().hashCode() * 31L + System.nanoTime());
                io.egoist.security.sign.MemberSecurity sec =
                        io.egoist.security.sign.MemberSecurity.forNode(cfg.self(), options.security, options.tls);
                NodeCore core = sec == null
                        ? new NodeCore(cfg, coreRandom)
                        : new NodeCore(cfg, coreRandom, sec.updateSeal(), sec.dataSeal());
                EchoServer echo = new EchoServer(
                        group, core.helloLine().orElse(null), EchoServer::decodesAsHello, options.echoLimits);
                echo.tls(options.tls);
                try {
                    echo.listen(bindHost, port + 1);
                } catch (IllegalStateException e) {
                    echo.close();
                    host.close();
                    last = new IllegalStateException("cannot bind echo port " + (port + 1) + ": " + e.getMessage(), e);
                    continue;
                }
                NodeMetrics metrics = new NodeMetrics(cfg.self().toString());
                LatencyEmulation emulation = options.emulation;
                if (emulation != null) emulation.setSelf(cfg.self());
                EgoistNode node = new EgoistNode(
                        new DataPortGuard<>(core, options.dataLimits, "data:" + port),
                        host,
                        echo,
                        ownGroup,
                        group,
                        metrics,
                        emulation);
                node.tunnels = new TunnelNode(
                        cfg.self(),
                        host.loop(),
                        ForwardingTable.links(host, DataPortGuard::inner),
                        options.exposed,
                        options.tunnelLimits);
                h.node = node;
                node.tls = options.tls;
                h.metrics = metrics;
                h.sniffer = emulation != null && emulation.mapsByRegistrationOrder()
                        ? new TrackerListSniffer(cfg.trackerHost(), cfg.trackerPort(), emulation::learnNodeList)
                        : null;
                return node;
            }
            throw last;
        } catch (RuntimeException e) {
            Netty.shutdown(ownGroup);
            throw e;
        }
    }

    /** "epoll" or "nio": the transport of this node's loop and of every channel it opens. */
    public String transport() {
        return host.transport();
    }

    /** Starts the core: it registers at the tracker and begins probing. Returns this node. */
    public EgoistNode join() {
        if (closed.get()) throw new IllegalStateException("node closed");
        if (!joined.compareAndSet(false, true)) return this;
        host.start(guard).join();
        NodeConfig cfg = core.config();
        if (tls != null) // secure mode: the tracker's revocation list, at join and every refresh
        crlFetch = new RevocationFetch(group, tls, id, cfg.trackerHost(), cfg.trackerPort(), this::recheckTls)
                .start(cfg.trackerRefreshMs());
        log.info(
                "event=node_started node={} echo_port={} tracker={}:{} k={} policy={} transport={}{}",
                cfg.self(),
                cfg.self().port() + 1,
                cfg.trackerHost(),
                cfg.trackerPort(),
                cfg.k(),
                cfg.policy(),
                host.transport(),
                emulation == null ? "" : " emulate_as=" + emulation.selfName());
        return this;
    }

    /** Late-bound references for the callbacks created before the node object exists. */
    private static final class Holder {
        volatile EgoistNode node;
        volatile NodeMetrics metrics;
        volatile TrackerListSniffer sniffer;

        void tap(Event e) {
            if (metrics != null) metrics.onEvent(e);
            if (sniffer != null) sniffer.onEvent(e);
        }

        void tap(Effect e) {
            if (metrics != null) metrics.onEffect(e);
            if (sniffer != null) sniffer.onEffect(e);
        }
    }

    /** Secure mode: closes links, echo and probe connections of peers no longer members (see CredentialWatcher). */
    public void recheckTls() {
        host.recheckTls();
        echo.recheckTls();
        query(NodeCore::forgetCredentials); // signed link state: certificates are checked again too
    }

    public NodeId id() {
        return id;
    }

    /** Secure mode: the fetch of the tracker's revocation list (null before join or in open mode); tests. */
    RevocationFetch revocationFetch() {
        return crlFetch;
    }

    /** The latency emulation in use, if any. */
    public Optional<LatencyEmulation> emulation() {
        return Optional.ofNullable(emulation);
    }

    /** The node's tunnel plane: forwards and exposed services. */
    public TunnelNode tunnels() {
        return tunnels;
    }

    public NodeMetrics metrics() {
        return metrics;
    }

    /** Called (on the node's loop thread; do not block) for each payload that arrives for this node. */
    public void onReceive(Consumer<Received> handler) {
        receivers.add(handler);
    }

    /**
     * Sends {@code payload} to {@code to} over the overlay's shortest path. Completes when the destination's
     * acknowledgement is back, or exceptionally ({@link SendFailedException}) when there is no route or no
     * acknowledgement in time.
     */
    public CompletableFuture<SendResult> send(NodeId to, byte[] payload) {
        return send(to, payload, null);
    }

    /**
     * Sends {@code payload} to {@code to} along this node's route in {@code mode} (null: the default, {@link
     * RouteMode#OVERLAY}); relays forward it along their overlay routes. Otherwise as {@link #send(NodeId, byte[])}.
     */
    public CompletableFuture<SendResult> send(NodeId to, byte[] payload, RouteMode mode) {
        if (closed.get()) return CompletableFuture.failedFuture(new SendFailedException("node closed"));
        return sends.send(to, payload, mode);
    }

    /** Raised when a send fails; the message is the reason (no route, no acknowledgement, ...). */
    public static final class SendFailedException extends RuntimeException {
        public SendFailedException(String reason) {
            super(reason);
        }
    }

    /** Raised by {@link #send} for a payload over {@link #MAX_PAYLOAD} bytes; nothing was sent. */
    public static final class PayloadTooLargeException extends IllegalArgumentException {
        public PayloadTooLargeException(int bytes) {
            super("payload too large: " + bytes + " bytes, the maximum is " + MAX_PAYLOAD + " bytes");
        }
    }

    private void onEffect(Effect e) {
        if (e instanceof NodeEffect.Deliver d) {
            byte[] payload = d.payload();
            try {
                DataFragment.Fragment f = DataFragment.parse(payload, MAX_PAYLOAD);
                if (f != null) payload = reassembly.add(d.from(), f, System.currentTimeMillis());
            } catch (IllegalArgumentException bad) {
                log.info("event=fragment_dropped node={} from={} reason={}", id, d.from(), bad.getMessage());
                payload = null;
            }
            if (payload == null) return; // a fragment of an unfinished message, or a malformed one
            Received r = new Received(d.from(), payload, d.path());
            for (Consumer<Received> h : receivers) {
                try {
                    h.accept(r);
                } catch (RuntimeException ex) {
                    log.error("event=receive_handler_failed node={} reason={}", id, ex.toString(), ex);
                }
            }
        } else if (e instanceof NodeEffect.DataAcked a) {
            sends.onAcked(a);
        } else if (e instanceof NodeEffect.DataFailed f) {
            sends.onFailed(f);
        } else {
            log.warn("event=unhandled_effect node={} effect={}", id, e);
        }
    }

    public CompletableFuture<NodeStatus> status() {
        return query(NodeCore::status);
    }

    public CompletableFuture<List<RouteInfo>> routes() {
        return query(NodeCore::routes);
    }

    public CompletableFuture<Optional<RouteInfo>> route(NodeId to) {
        return query(c -> c.route(to));
    }

    /** The route this node would give its own traffic to {@code to} in {@code mode} ({@link NodeCore#route}). */
    public CompletableFuture<Optional<Route>> route(NodeId to, RouteMode mode) {
        return query(c -> c.route(to, mode));
    }

    /** The data port's guard counters (open, refused busy, closed idle), read on the loop. */
    public CompletableFuture<long[]> dataPortCounters() {
        return host.query(g -> new long[] {g.openConnections(), g.rejectedBusy(), g.idleClosed()});
    }

    /** The echo server (its counters, for tests and metrics). */
    public EchoServer echoServer() {
        return echo;
    }

    /** Runs any read of the core on its loop thread. */
    public <T> CompletableFuture<T> query(java.util.function.Function<NodeCore, T> read) {
        return host.query(g -> read.apply(g.inner()));
    }

    /** Prometheus text, with the core's figures refreshed first. */
    public CompletableFuture<String> scrapeMetrics() {
        return query(c -> {
                    metrics.refresh(c);
                    return null;
                })
                .thenApply(v -> metrics.scrape());
    }

    /**
     * Emulates a hung node (or one cut off the network): it stops reading, answering, probing and sending, but its
     * sockets stay open, so its peers can only notice by timeouts (heartbeats, probes). {@link #close()} later.
     */
    public void freeze() {
        if (closed.get()) return;
        host.freeze().join();
        echo.freeze();
        tunnels.freeze(); // a hung node relays no tunnel frames either
        log.info("event=node_frozen node={}", id);
    }

    /** Stops feeding the core without closing anything (so that closing many nodes logs no lost neighbors). */
    public void mute() {
        if (closed.get()) return;
        try {
            host.mute().join();
        } catch (java.util.concurrent.CompletionException e) {
            // closing concurrently: nothing left to mute
        }
    }

    /**
     * Leaves the overlay at once (for SIGTERM): stops the core, closes the echo port and every connection, then
     * tells the tracker {@code RMV@<own id>} (see {@link TrackerFarewell}), which removes the node as soon as
     * its probe of the closed echo port fails. Waits at most about {@code timeoutMs} for the tracker. A node that
     * never joined just closes. Idempotent, like {@link #close()}.
     */
    public void leave(long timeoutMs) {
        if (closed.get()) return;
        if (!joined.get()) {
            close();
            return;
        }
        mute();
        tunnels.close();
        echo.close();
        host.close();
        NodeConfig cfg = core.config();
        TrackerFarewell.send(group, id, cfg.trackerHost(), cfg.trackerPort(), timeoutMs, tls);
        close();
    }

    /**
     * Stops the node: closes its ports and connections (peers see the links drop, as after a crash, minus
     * the RST), fails pending sends, and shuts its loop down if it owns it. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        if (crlFetch != null) crlFetch.close();
        tunnels.close();
        // the echo port first: a peer that sees its link drop confirms the loss by a probe, which must fail
        echo.close();
        host.close();
        sends.failAll("node closed");
        Netty.shutdown(ownGroup);
        log.info("event=node_stopped node={}", id);
    }
}
