package io.egoist.runtime;

import io.egoist.core.Event;
import io.egoist.security.tls.RefusalLog;
import io.egoist.security.tls.TlsGate;
import io.egoist.security.tls.TlsMembers;
import io.egoist.wire.NodeId;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures round-trip times to nodes' echo ports (main port + 1), the runtime side of
 * {@link io.egoist.core.Effect.Probe}.
 *
 * <p>One persistent connection per target, opened on first use and reopened after a failure. A probe sends
 * the line {@code PING@<n>} (any line is echoed by a v0.2 echo port and by ours) and times the matching
 * answer with {@link System#nanoTime()}. Each probe ends with exactly one {@link Event.ProbeResult}: the RTT
 * in ms, or -1 when no answer came within the timeout (counted from the moment the probe is started,
 * connecting included), the connection could not be made or was lost. A timed-out connection is closed
 * (answers on it can no longer be matched in order) and reopened by the next probe.
 *
 * <p>At most {@code maxOutstanding} probes are in flight; further ones wait in FIFO order. Nothing ever
 * blocks the loop. All state lives on one event loop; {@link #probe} may be called from any thread, the
 * callback runs on the loop. With {@link #closeIdleAfter} set, a connection on which no probe has been
 * started or is in flight for that long is closed (a tracker probes a node only while it is a suspect, so
 * it need not hold a connection to every node it ever probed); the next probe reopens it. Emulated latency ({@link OutboundDelay}) is applied to both directions, since
 * the prober is the side that opens the connection.
 */
public final class EchoProber implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EchoProber.class);

    public static final int DEFAULT_MAX_OUTSTANDING = 16;
    static final String PROBE_PREFIX = "PING@";

    private final EventLoop loop;
    private final int maxOutstanding;
    private final OutboundDelay delay;

    // loop-confined
    private final Map<String, Target> targets = new HashMap<>();
    private final ArrayDeque<Probe> waiting = new ArrayDeque<>();
    private int outstanding;
    private long counter;
    private boolean closed;
    private long idleCloseMs; // 0 = keep connections open
    private TlsMembers tls; // null = plain lines
    private RefusalLog refusals;
    private String where;

    public EchoProber(EventLoop loop, int maxOutstanding, OutboundDelay delay) {
        if (maxOutstanding < 1) throw new IllegalArgumentException("maxOutstanding must be at least 1");
        this.loop = loop;
        this.maxOutstanding = maxOutstanding;
        this.delay = delay == null ? OutboundDelay.NONE : delay;
    }

    public EchoProber(EventLoop loop) {
        this(loop, DEFAULT_MAX_OUTSTANDING, OutboundDelay.NONE);
    }

    private static final class Probe {
        final NodeId target;
        final long timeoutMs;
        final Consumer<Event.ProbeResult> callback;
        long seq;
        long startNanos;
        ScheduledFuture<?> timeout;
        Target on;
        boolean done;

        Probe(NodeId target, long timeoutMs, Consumer<Event.ProbeResult> callback) {
            this.target = target;
            this.timeoutMs = timeoutMs;
            this.callback = callback;
        }
    }

    private final class Target {
        final String host;
        final int port;
        final SerialDelay out = new SerialDelay(loop);
        final SerialDelay in = new SerialDelay(loop);
        Channel channel;
        boolean up;
        final List<Probe> awaitingConnect = new ArrayList<>();
        final Map<Long, Probe> inFlight = new LinkedHashMap<>();
        long lastUsedNanos;
        ScheduledFuture<?> idleCheck;

        Target(String host, int port) {
            this.host = host;
            this.port = port;
        }

        double delay() {
            return delay.delayMillis(host, port);
        }

        java.util.Set<io.egoist.security.ca.MemberId> expected() {
            NodeId owner = NodeId.tryParse(host + ":" + (port - 1));
            return owner == null ? null : java.util.Set.of(io.egoist.security.ca.MemberId.of(owner));
        }
    }

    /**
     * Closes a target's echo connection once no probe has used it for {@code ms} (0, the default, keeps
     * connections open until they fail, as a node wants for its periodic measurements). Returns this.
     */
    public EchoProber closeIdleAfter(long ms) {
        if (ms < 0) throw new IllegalArgumentException("idle close must be >= 0 ms");
        this.idleCloseMs = ms;
        return this;
    }

    /**
     * Secure mode: echo connections are mutually authenticated TLS 1.3 (null = plain). A connection counts as up
     * once its handshake is done, and a probe is timed from the moment it is sent on an established connection,
     * so the RTT never includes the TCP or TLS handshake. Returns this.
     */
    public EchoProber tls(TlsMembers members, RefusalLog log, String name) {
        this.tls = members;
        this.refusals = log;
        this.where = name + "-prober";
        return this;
    }

    /** Probes {@code target}'s echo port; {@code callback} gets exactly one result (unless the prober is closed). */
    public void probe(NodeId target, long timeoutMs, Consumer<Event.ProbeResult> callback) {
        if (loop.inEventLoop()) {
            enqueue(new Probe(target, timeoutMs, callback));
        } else {
            try {
                loop.execute(() -> enqueue(new Probe(target, timeoutMs, callback)));
            } catch (RejectedExecutionException e) {
                log.debug("event=probe_rejected target={} reason=loop_closed", target);
            }
        }
    }

    /** Probes in flight (for tests and metrics; loop thread). */
    int outstanding() {
        return outstanding;
    }

    /** Closes every echo connection; pending probes get no result. Idempotent; any thread. */
    @Override
    public void close() {
        if (!loop.inEventLoop()) {
            try {
                loop.submit(this::close).awaitUninterruptibly(2, TimeUnit.SECONDS);
            } catch (RejectedExecutionException e) {
                // loop already gone: nothing left open
            }
            return;
        }
        if (closed) return;
        closed = true;
        waiting.clear();
        for (Target t : targets.values()) {
            for (Probe p : t.inFlight.values()) cancelTimeout(p);
            for (Probe p : t.awaitingConnect) cancelTimeout(p);
            t.out.clear();
            t.in.clear();
            if (t.channel != null) t.channel.close();
        }
        targets.clear();
    }

    /** Secure mode: closes echo connections whose peer is no longer a member (their probes fail); loop thread. */
    void cutNonMembers() {
        if (tls == null || closed) return;
        for (Target t : new ArrayList<>(targets.values())) TlsGate.cutIfNotMember(t.channel, tls, where);
    }

    private void enqueue(Probe p) {
        if (closed) return;
        waiting.add(p);
        pump();
    }

    private void pump() {
        while (!closed && outstanding < maxOutstanding && !waiting.isEmpty()) start(waiting.poll());
    }

    private void start(Probe p) {
        outstanding++;
        p.seq = ++counter;
        p.startNanos = System.nanoTime();
        p.timeout = loop.schedule(() -> onTimeout(p), Math.max(1, p.timeoutMs), TimeUnit.MILLISECONDS);
        if (p.target.echoPort() > 65535) {
            // a node on port 65535 has no echo port (65536 is no port): an unanswered probe, not an exception
            log.debug("event=probe_impossible target={} echo_port={}", p.target, p.target.echoPort());
            finish(p, -1);
            return;
        }
        String key = p.target.ip() + ":" + p.target.echoPort();
        Target t = targets.computeIfAbsent(key, k -> new Target(p.target.ip(), p.target.echoPort()));
        t.lastUsedNanos = p.startNanos;
        p.on = t;
        if (t.up) {
            send(t, p);
        } else {
            t.awaitingConnect.add(p);
            if (t.channel == null) connect(t, p.timeoutMs);
        }
    }

    private void send(Target t, Probe p) {
        if (tls != null) p.startNanos = System.nanoTime(); // over the established connection only
        t.inFlight.put(p.seq, p);
        String line = PROBE_PREFIX + p.seq;
        t.out.add(t.delay(), () -> {
            if (t.channel != null && t.up) Lines.write(t.channel, line);
        });
    }

    private void connect(Target t, long timeoutMs) {
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channel(Netty.clientChannel(loop))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeoutMs)))
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        Lines.addFramer(ch.pipeline());
                        // the echo port P + 1 belongs to the node ip:P, which its certificate must name
                        if (tls != null) TlsGate.install(ch, tls, true, refusals, where, t.expected());
                        ch.pipeline().addLast(new EchoHandler(t));
                    }
                });
        ChannelFuture f = b.connect(t.host, t.port);
        t.channel = f.channel();
        f.addListener((ChannelFutureListener) done -> {
            if (closed) {
                done.channel().close();
                return;
            }
            if (done.isSuccess()) {
                if (tls == null) up(t); // with TLS: once the handshake is done (EchoHandler.channelActive)
            } else {
                log.debug(
                        "event=echo_connect_failed peer={}:{} reason={}", t.host, t.port, String.valueOf(done.cause()));
                lost(t);
            }
        });
    }

    private void up(Target t) {
        t.up = true;
        List<Probe> ready = new ArrayList<>(t.awaitingConnect);
        t.awaitingConnect.clear();
        for (Probe p : ready) send(t, p);
    }

    /** The connection to {@code t} is gone (or never came): fail everything on it. */
    private void lost(Target t) {
        if (targets.get(t.host + ":" + t.port) == t) targets.remove(t.host + ":" + t.port);
        t.up = false;
        t.out.clear();
        t.in.clear();
        if (t.channel != null) t.channel.close();
        List<Probe> failed = new ArrayList<>(t.awaitingConnect);
        failed.addAll(t.inFlight.values());
        t.awaitingConnect.clear();
        t.inFlight.clear();
        for (Probe p : failed) finish(p, -1);
    }

    private void onTimeout(Probe p) {
        if (p.done || closed) return;
        log.debug("event=probe_timeout target={} timeout_ms={}", p.target, p.timeoutMs);
        // answers come back in order; after a missing one the connection is of no more use: drop it and
        // fail what is on it (this probe included) before anything new is started
        lost(p.on);
        finish(p, -1);
    }

    private void onLine(Target t, String line) {
        if (!line.startsWith(PROBE_PREFIX)) return; // e.g. a HELLO answer: not ours to time
        long seq;
        try {
            seq = Long.parseLong(line.substring(PROBE_PREFIX.length()));
        } catch (NumberFormatException e) {
            return;
        }
        Probe p = t.inFlight.remove(seq);
        if (p == null) return; // late answer to a probe that already ended
        double rttMs = (System.nanoTime() - p.startNanos) / 1_000_000.0;
        finish(p, rttMs);
    }

    private void finish(Probe p, double rttMs) {
        if (p.done) return;
        p.done = true;
        cancelTimeout(p);
        if (p.on != null) {
            p.on.inFlight.remove(p.seq);
            p.on.awaitingConnect.remove(p);
            scheduleIdleCheck(p.on);
        }
        outstanding--;
        if (!closed) {
            try {
                p.callback.accept(new Event.ProbeResult(p.target, rttMs));
            } catch (RuntimeException e) {
                log.error("event=probe_callback_failed target={} reason={}", p.target, e.toString(), e);
            }
        }
        pump();
    }

    private void scheduleIdleCheck(Target t) {
        if (idleCloseMs <= 0 || closed || t.idleCheck != null) return;
        t.idleCheck = loop.schedule(
                () -> {
                    t.idleCheck = null;
                    if (closed || targets.get(t.host + ":" + t.port) != t) return;
                    long idleMs = (System.nanoTime() - t.lastUsedNanos) / 1_000_000;
                    if (!t.inFlight.isEmpty() || !t.awaitingConnect.isEmpty() || idleMs < idleCloseMs) {
                        scheduleIdleCheck(t); // used since: look again later
                        return;
                    }
                    log.debug("event=echo_idle_close peer={}:{} idle_ms={}", t.host, t.port, idleMs);
                    targets.remove(t.host + ":" + t.port);
                    t.up = false;
                    t.out.clear();
                    t.in.clear();
                    if (t.channel != null) t.channel.close();
                },
                idleCloseMs,
                TimeUnit.MILLISECONDS);
    }

    private static void cancelTimeout(Probe p) {
        if (p.timeout != null) p.timeout.cancel(false);
    }

    private final class EchoHandler extends ChannelInboundHandlerAdapter {
        private final Target t;

        EchoHandler(Target t) {
            this.t = t;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            if (tls != null && !closed && t.channel == ctx.channel()) up(t); // handshake done, peer a member
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            String line = Lines.take(msg);
            t.in.add(t.delay(), () -> {
                if (!closed) onLine(t, line);
            });
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("event=echo_conn_error peer={}:{} reason={}", t.host, t.port, cause.toString());
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (closed) return;
            t.in.add(t.delay(), () -> {
                if (!closed && t.channel == ctx.channel()) lost(t);
            });
        }
    }
}
