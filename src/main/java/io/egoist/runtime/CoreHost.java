package io.egoist.runtime;

import io.egoist.core.ConnId;
import io.egoist.core.Core;
import io.egoist.core.Effect;
import io.egoist.core.Event;
import io.egoist.security.tls.RefusalLog;
import io.egoist.security.tls.TlsGate;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link Core} on one Netty event loop and performs its effects with real sockets and the system
 * clock. Every call into the core happens on that loop thread, one event at a time (an event produced while
 * effects are being performed is queued, never handled re-entrantly).
 *
 * <ul>
 *   <li>Listening: {@link #listen} accepts line connections; each gets a host-allocated <b>negative</b>
 *       {@link ConnId} and produces Accepted, LineReceived / LineTooLong, and finally Closed.</li>
 *   <li>Connecting: a core opens connections with {@link Effect.Connect} using <b>positive</b> ids of its own
 *       choosing (so they never collide with accepted ones); the outcome is Connected or ConnectFailed, and
 *       after Connected, lines and finally exactly one Closed. An id that is in use or not positive gets
 *       ConnectFailed at once. A Close before the connection is up cancels it (ConnectFailed "cancelled").</li>
 *   <li>Framing: lines end with LF or CR LF on input, CR LF on output; at most {@code Seed.MAX_LENGTH} bytes;
 *       a longer line is discarded and reported as {@link Event.LineTooLong} (the core decides to NACK and
 *       close). Lines are UTF-8 (US-ASCII in practice). The output of one event is flushed once, after the
 *       core's effects for it (a multi-line reply is one write, not one per line).</li>
 *   <li>Timers: {@link Effect.SetTimer} at an absolute time of the host's clock (default
 *       {@link System#currentTimeMillis()}), which is also the {@code now} the core is given.</li>
 *   <li>Probes: {@link Effect.Probe} is answered by an {@link EchoProber} on the same loop.</li>
 *   <li>Any other effect (the core's own, e.g. persistence or delivery) goes to {@link Options#otherEffects},
 *       called on the loop thread.</li>
 *   <li>Latency emulation: lines on connections this host opened are delayed by {@link Options#delay} in
 *       both directions (see {@link OutboundDelay}).</li>
 *   <li>Backpressure: an accepted connection whose unwritten output passes the high water mark
 *       ({@link Options#writeBufferWaterMark}, default 256 KB) is no longer read from (auto-read off) until the
 *       output drains below the low mark (default 32 KB). Lines already decoded meanwhile are held and fed to
 *       the core in order once the connection is writable again (or before its Closed). So a peer that sends
 *       requests but never reads the replies makes the host buffer about the high mark plus one reply, not
 *       everything the core would answer; the core sees no more of its lines. Connections this host opened
 *       are always read (two hosts throttling each other could otherwise wait for each other forever).</li>
 *   <li>Defences below the core ({@link AcceptGuard}, each off by default): a cap per remote address, a
 *       deadline for the first line, closing a connection whose output stalls; and shared encoded lines
 *       ({@link SharedLines}) so a long line sent to many peers is held once.</li>
 * </ul>
 *
 * @param <C> the hosted core's type, so that {@link #query} can call its read methods
 */
public final class CoreHost<C extends Core> implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CoreHost.class);

    /** Observes what goes into and out of the core (metrics, tests); called on the loop thread. */
    public interface FrameSink {
        /** A frame arrived on the accepted connection {@code ch}; the sink owns (releases) {@code frame.body()}. */
        void onFrame(io.netty.channel.Channel ch, BinaryFrame frame);
    }

    public interface Tap {
        default void onEvent(Event event) {}

        default void onEffect(Effect effect) {}
    }

    /** Settings; every field has a usable default (see {@link CoreHostSettings} for each one). */
    public static final class Options extends CoreHostSettings<Options> {
        @Override
        Options self() {
            return this;
        }
    }

    private C core; // set by start(); loop-confined afterwards
    private final Options options;
    private final EventLoopGroup ownGroup;
    private final EventLoop loop;
    private final AtomicLong nextAcceptedId = new AtomicLong(-1);
    private final AtomicBoolean closeStarted = new AtomicBoolean();
    private final List<Channel> servers = new ArrayList<>();

    // loop-confined state
    private final Map<ConnId, HostConn> conns = new HashMap<>(); // keyed by the conn's own id: no boxing per lookup
    private final HostTimers timers;
    private final AcceptGuard guard;
    private final SharedLines shared;
    private final HostWriter writer;
    private final ArrayDeque<Event> pendingEvents = new ArrayDeque<>();
    private final RefusalLog refusals = new RefusalLog();
    /** Secure mode: caps counted from the TCP accept, handshakes included (null: off). */
    private final HandshakeCount.Caps handshakeCaps;

    private boolean dispatching;
    private boolean started;
    private boolean closed;
    private volatile boolean frozen;
    private EchoProber prober;

    public CoreHost(C core, Options options) {
        this.core = core;
        this.options = options;
        this.ownGroup = options.group == null ? Netty.newGroup(1, options.name, options.nativeTransport) : null;
        this.loop = (options.group == null ? ownGroup : options.group).next();
        this.timers = new HostTimers(loop, this::dispatch);
        this.guard = new AcceptGuard(this);
        this.shared = options.sharedLineMinChars > 0
                ? new SharedLines(options.sharedLineMinChars, options.sharedLineMaxBytes)
                : null;
        this.writer = new HostWriter(this, shared);
        this.handshakeCaps =
                options.tls != null && (options.handshakeCapTotal > 0 || options.handshakeCapPerAddress > 0)
                        ? new HandshakeCount.Caps(
                                options.handshakeCapTotal > 0 ? options.handshakeCapTotal : Integer.MAX_VALUE,
                                options.handshakeCapPerAddress > 0 ? options.handshakeCapPerAddress : Integer.MAX_VALUE,
                                options.name,
                                (reason, peer) -> {
                                    if (reason.endsWith("from_address")) guard.refusedPerAddress.incrementAndGet();
                                })
                        : null;
    }

    public CoreHost(C core) {
        this(core, new Options());
    }

    /**
     * A host whose core is given later, to {@link #start(Core)}: lets a runtime {@link #listen} first (e.g. on an
     * ephemeral port) and build a core that knows its own address. Connections accepted before the start are
     * fed to the core right after its {@link Core#start}.
     */
    public CoreHost(Options options) {
        this(null, options);
    }

    /** "epoll" or "nio": the transport of this host's loop and channels. */
    public String transport() {
        return Netty.isEpoll(loop) ? "epoll" : "nio";
    }

    /** The loop the core runs on. */
    public EventLoop loop() {
        return loop;
    }

    public String name() {
        return options.name;
    }

    /** Connections refused by the per-address cap, closed by the first-line deadline, closed as stalled. */
    public long[] guardCounts() {
        return new long[] {guard.refusedPerAddress.get(), guard.firstLineTimeouts.get(), guard.stalledCloses.get()};
    }

    /** Secure mode: accepted connections counted from their TCP accept (handshakes included); -1 when off. */
    public int connectionsFromAccept() {
        return handshakeCaps == null ? -1 : handshakeCaps.open();
    }

    /**
     * Binds a listening socket ({@code port} 0 = ephemeral) and returns the bound port. Blocks until bound;
     * do not call from the loop thread. Throws {@link IllegalStateException} if the address cannot be bound.
     */
    public int listen(String host, int port) {
        if (loop.inEventLoop()) throw new IllegalStateException("listen() must not be called on the loop thread");
        WriteBufferWaterMark marks = new WriteBufferWaterMark(options.writeLowWaterMark, options.writeHighWaterMark);
        Channel server = Lines.listen(loop, host, port, ch -> {
            InetSocketAddress remote = ch.remoteAddress();
            HostConn c = new HostConn(
                    new ConnId(nextAcceptedId.getAndDecrement()),
                    false,
                    remote.getAddress().getHostAddress(),
                    remote.getPort(),
                    this);
            c.channel = ch;
            ch.config().setWriteBufferWaterMark(marks);
            if (options.tls != null) TlsGate.install(ch, options.tls.members(), false, refusals, options.name);
            if (handshakeCaps != null) ch.pipeline().addFirst(HandshakeCount.NAME, new HandshakeCount(handshakeCaps));
            if (options.frameSink != null)
                ch.pipeline().addBefore(Lines.FRAMER, FrameSplitter.NAME, new FrameSplitter(options.maxFrameBody));
            ch.pipeline().addLast(ConnHandler.NAME, new ConnHandler(this, c)); // named: no generated name per conn
        });
        synchronized (servers) {
            servers.add(server);
        }
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Starts the core (calls {@link Core#start}) on the loop; completes once its first effects are performed. */
    public CompletableFuture<Void> start() {
        return start(null);
    }

    /** Starts the given core (for a host built without one); null = the core given to the constructor. */
    public CompletableFuture<Void> start(C lateCore) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        execute(
                () -> {
                    if (closed) {
                        done.completeExceptionally(new IllegalStateException("host closed"));
                        return;
                    }
                    if (started) {
                        done.completeExceptionally(new IllegalStateException("already started"));
                        return;
                    }
                    if (lateCore != null) core = lateCore;
                    if (core == null) {
                        done.completeExceptionally(new IllegalStateException("no core to start"));
                        return;
                    }
                    started = true;
                    dispatching = true;
                    try {
                        perform(core.start(now()));
                    } catch (RuntimeException e) {
                        log.error("event=core_start_failed host={} reason={}", options.name, e.toString(), e);
                        done.completeExceptionally(e);
                    } finally {
                        dispatching = false;
                    }
                    drainEvents();
                    done.complete(null);
                },
                done);
        return done;
    }

    /** Feeds a local event (e.g. a command) to the core from any thread. Ignored after close. */
    public void submit(Event event) {
        execute(() -> dispatch(event), null);
    }

    /** Runs a read of the core's state on the loop thread. Fails if the host is closed. */
    public <T> CompletableFuture<T> query(Function<? super C, T> read) {
        CompletableFuture<T> result = new CompletableFuture<>();
        execute(
                () -> {
                    if (closed || !started) {
                        result.completeExceptionally(
                                new IllegalStateException(closed ? "host closed" : "host not started"));
                        return;
                    }
                    try {
                        result.complete(read.apply(core));
                    } catch (RuntimeException e) {
                        result.completeExceptionally(e);
                    }
                },
                result);
        return result;
    }

    /**
     * Stops accepting, stops feeding the core, writes out what is still waiting (emulated delays are cut
     * short), closes every connection and, if the host owns its loop, shuts the loop down. Idempotent.
     */
    @Override
    public void close() {
        if (!closeStarted.compareAndSet(false, true)) return;
        List<Channel> toClose;
        synchronized (servers) {
            toClose = new ArrayList<>(servers);
        }
        List<ChannelFuture> closing = new ArrayList<>();
        for (Channel s : toClose) closing.add(s.close());
        CompletableFuture<List<ChannelFuture>> connsClosing = new CompletableFuture<>();
        execute(() -> connsClosing.complete(shutdownOnLoop()), connsClosing);
        if (!loop.inEventLoop()) {
            try {
                closing.addAll(connsClosing.get(3, TimeUnit.SECONDS));
            } catch (Exception e) {
                log.debug("event=close_wait host={} reason={}", options.name, e.toString());
            }
            for (ChannelFuture f : closing) f.awaitUninterruptibly(2, TimeUnit.SECONDS);
            Netty.shutdown(ownGroup);
        } else if (ownGroup != null) {
            ownGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        }
    }

    /**
     * Emulates a hung process or a cut network (for failure experiments): from now on the core is fed nothing,
     * nothing more is written (lines still held back by an emulated delay are dropped), timers and probes stop,
     * but every socket stays open, so peers notice only by timeouts. {@link #close()} still works.
     */
    public CompletableFuture<Void> freeze() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        execute(
                () -> {
                    frozen = true;
                    pendingEvents.clear();
                    timers.cancelAll();
                    if (prober != null) prober.close();
                    for (HostConn c : conns.values()) c.clearDelayed();
                    done.complete(null);
                },
                done);
        return done;
    }

    /** Stops feeding the core (and performing its effects) without closing anything: for a quiet shutdown of many hosts. */
    public CompletableFuture<Void> mute() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        execute(
                () -> {
                    frozen = true;
                    pendingEvents.clear();
                    done.complete(null);
                },
                done);
        return done;
    }

    private List<ChannelFuture> shutdownOnLoop() {
        closed = true;
        pendingEvents.clear();
        timers.cancelAll();
        if (prober != null) prober.close();
        List<ChannelFuture> futures = new ArrayList<>();
        for (HostConn c : new ArrayList<>(conns.values())) {
            if (c.in != null) c.in.clear();
            if (c.out != null) c.out.flushNow();
            if (c.channel == null) continue;
            if (c.active) {
                futures.add(c.channel
                        .writeAndFlush(Unpooled.EMPTY_BUFFER)
                        .addListener(ChannelFutureListener.CLOSE)
                        .channel()
                        .closeFuture());
            } else {
                futures.add(c.channel.close());
            }
        }
        conns.clear();
        if (shared != null) shared.clear();
        return futures;
    }

    /** Secure mode: closes live connections, probe ones too, whose peer is no longer a member (revoked, CA dropped). */
    public void recheckTls() {
        execute(() -> HostConn.cutNonMembers(options.tls, conns.values(), prober, options.name), null);
    }

    /** The latency emulation of connections this host opens ({@link OutboundDelay#NONE}: none). */
    public OutboundDelay delay() {
        return options.delay;
    }

    /** The channel of an open connection (loop thread only), or null: for runtimes that write beside the core. */
    public Channel channel(ConnId id) {
        HostConn c = conns.get(id);
        return c == null || !c.active ? null : c.channel;
    }

    // ---------------------------------------------------------------- for the host's parts (loop thread)

    Options options() {
        return options;
    }

    RefusalLog refusals() {
        return refusals;
    }

    AcceptGuard guard() {
        return guard;
    }

    boolean isClosed() {
        return closed;
    }

    HostConn conn(ConnId id) {
        return conns.get(id);
    }

    void addConn(HostConn c) {
        conns.put(c.id, c);
    }

    boolean hasConn(long id) {
        return conns.containsKey(new ConnId(id));
    }

    void removeConn(HostConn c) {
        conns.remove(c.id, c); // only this connection (HostConn compares by identity)
    }

    static long pendingBytes(Channel ch) {
        io.netty.channel.ChannelOutboundBuffer b = ch.unsafe().outboundBuffer();
        return b == null ? 0 : b.totalPendingWriteBytes();
    }

    // ---------------------------------------------------------------- core driving (loop thread only)

    private long now() {
        return options.clock.getAsLong();
    }

    private void execute(Runnable task, CompletableFuture<?> failOnReject) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            if (failOnReject != null) failOnReject.completeExceptionally(new IllegalStateException("host closed"));
        }
    }

    void dispatch(Event event) {
        if (closed || frozen) return;
        pendingEvents.add(event);
        if (started && !dispatching) drainEvents();
    }

    private void drainEvents() {
        dispatching = true;
        try {
            Event e;
            while (!closed && !frozen && (e = pendingEvents.poll()) != null) {
                options.tap.onEvent(e);
                List<Effect> effects;
                try {
                    effects = core.handle(now(), e);
                } catch (RuntimeException ex) {
                    log.error("event=core_failed host={} input={} reason={}", options.name, e, ex.toString(), ex);
                    continue;
                }
                perform(effects);
            }
        } finally {
            dispatching = false;
        }
    }

    private void perform(List<Effect> effects) {
        if (effects == null) return;
        try {
            for (Effect effect : effects) {
                if (closed || frozen) return;
                options.tap.onEffect(effect);
                try {
                    performOne(effect);
                } catch (RuntimeException ex) {
                    log.error(
                            "event=effect_failed host={} effect={} reason={}", options.name, effect, ex.toString(), ex);
                }
            }
        } finally {
            writer.flushWritten();
        }
    }

    private void performOne(Effect effect) {
        if (effect instanceof Effect.Send s) {
            writer.send(s.conn(), s.line());
        } else if (effect instanceof Effect.Close c) {
            writer.close(c.conn());
        } else if (effect instanceof Effect.Connect c) {
            writer.connect(c);
        } else if (effect instanceof Effect.SetTimer t) {
            timers.set(t.key(), t.atMillis() - now());
        } else if (effect instanceof Effect.CancelTimer t) {
            timers.cancel(t.key());
        } else if (effect instanceof Effect.Probe p) {
            if (prober == null) {
                prober = new EchoProber(loop, options.maxOutstandingProbes, options.delay)
                        .closeIdleAfter(options.probeIdleCloseMs)
                        .tls(options.tls == null ? null : options.tls.members(), refusals, options.name);
            }
            prober.probe(p.target(), p.timeoutMs(), this::dispatch);
        } else {
            options.otherEffects.accept(effect);
        }
    }
}
