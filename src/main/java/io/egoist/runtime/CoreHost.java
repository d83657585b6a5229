package io.egoist.runtime;

import io.egoist.core.ConnId;
import io.egoist.core.Core;
import io.egoist.core.Effect;
import io.egoist.core.Event;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.concurrent.ScheduledFuture;
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
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
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
 *       close). Lines are UTF-8 (US-ASCII in practice).</li>
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
 * </ul>
 *
 * @param <C> the hosted core's type, so that {@link #query} can call its read methods
 */
public final class CoreHost<C extends Core> implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CoreHost.class);

    /** Observes what goes into and out of the core (metrics, tests); called on the loop thread. */
    public interface Tap {
        default void onEvent(Event event) {}

        default void onEffect(Effect effect) {}
    }

    /** Settings; every field has a usable default. */
    public static final class Options {
        String name = "core";
        LongSupplier clock = System::currentTimeMillis;
        Consumer<Effect> otherEffects = e -> log.warn("event=unhandled_effect effect={}", e);
        OutboundDelay delay = OutboundDelay.NONE;
        EventLoopGroup group;
        int connectTimeoutMs = 3000;
        int maxOutstandingProbes = EchoProber.DEFAULT_MAX_OUTSTANDING;
        long probeIdleCloseMs;
        long closeGraceMs;
        int writeLowWaterMark = 32 * 1024;
        int writeHighWaterMark = 256 * 1024;
        Tap tap = new Tap() {};

        /** A name for logs and for the loop thread when the host owns it. */
        public Options name(String v) {
            name = v;
            return this;
        }

        /** The clock the core is given as {@code now} and timers are set against (ms). */
        public Options clock(LongSupplier v) {
            clock = v;
            return this;
        }

        /** Performs the core's own effects (anything that is not Send/Close/Connect/SetTimer/CancelTimer/Probe). */
        public Options otherEffects(Consumer<Effect> v) {
            otherEffects = v;
            return this;
        }

        /** Latency emulation; default none. */
        public Options delay(OutboundDelay v) {
            delay = v;
            return this;
        }

        /**
         * Runs the core on one loop of this group (the host does not shut the group down). Default: the host
         * creates and owns a one-thread group.
         */
        public Options group(EventLoopGroup v) {
            group = v;
            return this;
        }

        public Options connectTimeoutMs(int v) {
            connectTimeoutMs = v;
            return this;
        }

        public Options maxOutstandingProbes(int v) {
            maxOutstandingProbes = v;
            return this;
        }

        /** Close an echo connection no probe used for this long (see {@link EchoProber#closeIdleAfter}); 0 = never. */
        public Options probeIdleCloseMs(long v) {
            probeIdleCloseMs = v;
            return this;
        }

        /**
         * A {@link Effect.Close} waits until what was sent before is written; when the peer does not read, at
         * most this long: then the connection is closed and the unwritten rest dropped (its buffers freed).
         * 0 (default) = wait as long as it takes. Costs a timer only when output is still pending at the Close.
         */
        public Options closeGraceMs(long v) {
            closeGraceMs = v;
            return this;
        }

        /**
         * Backpressure on accepted connections (bytes): stop reading a connection once more than {@code high}
         * bytes wait to be written to it, read again once fewer than {@code low} do. Default 32 KB / 256 KB.
         */
        public Options writeBufferWaterMark(int low, int high) {
            if (low < 1 || high < low)
                throw new IllegalArgumentException("water marks need 1 <= low <= high, not " + low + "/" + high);
            writeLowWaterMark = low;
            writeHighWaterMark = high;
            return this;
        }

        public Options tap(Tap v) {
            tap = v;
            return this;
        }
    }

    /** One connection, accepted or opened. Loop-confined. */
    private final class Conn {
        final ConnId id;
        final boolean outbound;
        final String host;
        final int port;
        final SerialDelay out;
        final SerialDelay in;
        Channel channel;
        boolean active;
        boolean cancelled;
        final List<String> beforeActive = new ArrayList<>();
        /** Non-null while reading is paused (backpressure, accepted connections only): decoded input not yet fed. */
        ArrayDeque<Event> held;

        Conn(ConnId id, boolean outbound, String host, int port) {
            this.id = id;
            this.outbound = outbound;
            this.host = host;
            this.port = port;
            this.out = new SerialDelay(loop);
            this.in = new SerialDelay(loop);
        }

        double delay() {
            return outbound ? options.delay.delayMillis(host, port) : 0;
        }
    }

    private final class TimerTask implements Runnable {
        final String key;
        ScheduledFuture<?> future;

        TimerTask(String key) {
            this.key = key;
        }

        @Override
        public void run() {
            if (timers.get(key) != this) return;
            timers.remove(key);
            dispatch(new Event.TimerFired(key));
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
    private final Map<Long, Conn> conns = new HashMap<>();
    private final Map<String, TimerTask> timers = new HashMap<>();
    private final ArrayDeque<Event> pendingEvents = new ArrayDeque<>();
    private boolean dispatching;
    private boolean started;
    private boolean closed;
    private volatile boolean frozen;
    private EchoProber prober;

    public CoreHost(C core, Options options) {
        this.core = core;
        this.options = options;
        this.ownGroup = options.group == null ? Netty.newGroup(1, options.name) : null;
        this.loop = (options.group == null ? ownGroup : options.group).next();
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

    /** The loop the core runs on. */
    public EventLoop loop() {
        return loop;
    }

    public String name() {
        return options.name;
    }

    /**
     * Binds a listening socket ({@code port} 0 = ephemeral) and returns the bound port. Blocks until bound;
     * do not call from the loop thread. Throws {@link IllegalStateException} if the address cannot be bound.
     */
    public int listen(String host, int port) {
        if (loop.inEventLoop()) throw new IllegalStateException("listen() must not be called on the loop thread");
        Channel server = Lines.listen(loop, host, port, ch -> {
            InetSocketAddress remote = ch.remoteAddress();
            Conn c = new Conn(
                    new ConnId(nextAcceptedId.getAndDecrement()),
                    false,
                    remote.getAddress().getHostAddress(),
                    remote.getPort());
            c.channel = ch;
            ch.config()
                    .setWriteBufferWaterMark(
                            new WriteBufferWaterMark(options.writeLowWaterMark, options.writeHighWaterMark));
            ch.pipeline().addLast(new ConnHandler(c));
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
                    for (TimerTask t : timers.values()) {
                        if (t.future != null) t.future.cancel(false);
                    }
                    timers.clear();
                    if (prober != null) prober.close();
                    for (Conn c : conns.values()) {
                        c.out.clear();
                        c.in.clear();
                    }
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
        for (TimerTask t : timers.values()) {
            if (t.future != null) t.future.cancel(false);
        }
        timers.clear();
        if (prober != null) prober.close();
        List<ChannelFuture> futures = new ArrayList<>();
        for (Conn c : new ArrayList<>(conns.values())) {
            c.in.clear();
            c.out.flushNow();
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
        return futures;
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

    private void dispatch(Event event) {
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
        for (Effect effect : effects) {
            if (closed || frozen) return;
            options.tap.onEffect(effect);
            try {
                performOne(effect);
            } catch (RuntimeException ex) {
                log.error("event=effect_failed host={} effect={} reason={}", options.name, effect, ex.toString(), ex);
            }
        }
    }

    private void performOne(Effect effect) {
        if (effect instanceof Effect.Send s) {
            send(s.conn(), s.line());
        } else if (effect instanceof Effect.Close c) {
            closeConn(c.conn());
        } else if (effect instanceof Effect.Connect c) {
            connect(c);
        } else if (effect instanceof Effect.SetTimer t) {
            setTimer(t.key(), t.atMillis());
        } else if (effect instanceof Effect.CancelTimer t) {
            TimerTask old = timers.remove(t.key());
            if (old != null && old.future != null) old.future.cancel(false);
        } else if (effect instanceof Effect.Probe p) {
            if (prober == null) {
                prober = new EchoProber(loop, options.maxOutstandingProbes, options.delay)
                        .closeIdleAfter(options.probeIdleCloseMs);
            }
            prober.probe(p.target(), p.timeoutMs(), this::dispatch);
        } else {
            options.otherEffects.accept(effect);
        }
    }

    private void send(ConnId id, String line) {
        Conn c = conns.get(id.value());
        if (c == null) {
            log.debug("event=send_on_unknown_conn host={} conn={}", options.name, id);
            return;
        }
        if (!Lines.isSingleLine(line)) {
            log.warn("event=send_dropped host={} conn={} reason=line_contains_cr_or_lf", options.name, id);
            return;
        }
        c.out.add(c.delay(), () -> {
            if (c.active) {
                Lines.write(c.channel, line);
            } else if (c.channel == null || c.channel.isOpen()) {
                c.beforeActive.add(line);
            }
        });
    }

    private void closeConn(ConnId id) {
        Conn c = conns.get(id.value());
        if (c == null) return;
        if (!c.active) {
            // still connecting: cancel; the connect listener reports ConnectFailed("cancelled")
            c.cancelled = true;
            if (c.channel != null) c.channel.close();
            return;
        }
        c.out.add(c.delay(), () -> {
            c.channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            if (options.closeGraceMs > 0 && c.channel.isOpen() && pendingBytes(c.channel) > 0) {
                Channel ch = c.channel;
                loop.schedule(
                        () -> {
                            if (!ch.isOpen()) return;
                            log.debug(
                                    "event=close_forced host={} conn={} peer={}:{} unwritten_bytes={}",
                                    options.name,
                                    c.id,
                                    c.host,
                                    c.port,
                                    pendingBytes(ch));
                            ch.close();
                        },
                        options.closeGraceMs,
                        TimeUnit.MILLISECONDS);
            }
        });
    }

    private static long pendingBytes(Channel ch) {
        io.netty.channel.ChannelOutboundBuffer b = ch.unsafe().outboundBuffer();
        return b == null ? 0 : b.totalPendingWriteBytes();
    }

    private void connect(Effect.Connect req) {
        ConnId id = req.conn();
        if (id.value() <= 0 || conns.containsKey(id.value())) {
            String why = id.value() <= 0 ? "connection ids chosen by a core must be positive" : "connection id in use";
            loop.execute(() -> dispatch(new Event.ConnectFailed(id, why)));
            return;
        }
        Conn c = new Conn(id, true, req.host(), req.port());
        conns.put(id.value(), c);
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, options.connectTimeoutMs)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        Lines.addFramer(ch.pipeline());
                        ch.pipeline().addLast(new ConnHandler(c));
                    }
                });
        ChannelFuture f;
        try {
            f = b.connect(req.host(), req.port());
        } catch (RuntimeException e) {
            conns.remove(id.value());
            loop.execute(() -> dispatch(new Event.ConnectFailed(id, e.toString())));
            return;
        }
        c.channel = f.channel();
        f.addListener((ChannelFutureListener) done -> {
            if (done.isSuccess()) return; // Connected is fed by channelActive
            if (conns.get(id.value()) == c) conns.remove(id.value());
            String reason = c.cancelled || done.isCancelled() || done.cause() == null
                    ? "cancelled"
                    : (done.cause().getMessage() == null
                            ? done.cause().toString()
                            : done.cause().getMessage());
            dispatch(new Event.ConnectFailed(id, reason));
        });
    }

    private void setTimer(String key, long atMillis) {
        TimerTask old = timers.remove(key);
        if (old != null && old.future != null) old.future.cancel(false);
        TimerTask t = new TimerTask(key);
        timers.put(key, t);
        long delay = Math.max(0, atMillis - now());
        t.future = loop.schedule(t, delay, TimeUnit.MILLISECONDS);
    }

    /** Feeds one connection's I/O to the core. */
    private final class ConnHandler extends ChannelInboundHandlerAdapter {
        private final Conn c;
        private boolean inactiveSeen;

        ConnHandler(Conn c) {
            this.c = c;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            if (closed) {
                ctx.close();
                return;
            }
            c.active = true;
            if (c.outbound) {
                if (c.cancelled || conns.get(c.id.value()) != c) { // cancelled meanwhile
                    ctx.close();
                    return;
                }
                for (String line : c.beforeActive) Lines.write(c.channel, line);
                c.beforeActive.clear();
                dispatch(new Event.Connected(c.id));
            } else {
                conns.put(c.id.value(), c);
                dispatch(new Event.Accepted(c.id, c.host, c.port));
            }
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            String line = Lines.take(msg);
            if (!c.active) return;
            input(new Event.LineReceived(c.id, line));
        }

        /** Feeds one input event to the core, or holds it while reading is paused. */
        private void input(Event e) {
            pauseIfBlocked();
            if (c.held != null) {
                c.held.add(e);
                return;
            }
            c.in.add(c.delay(), () -> dispatch(e));
            pauseIfBlocked();
        }

        /** Backpressure: an accepted connection whose output is over the high water mark is not read from. */
        private void pauseIfBlocked() {
            Channel ch = c.channel;
            if (c.outbound || c.held != null || ch.isWritable() || !ch.isActive()) return;
            c.held = new ArrayDeque<>();
            ch.config().setAutoRead(false);
            log.debug(
                    "event=read_paused host={} conn={} peer={}:{} unwritten_bytes={}",
                    options.name,
                    c.id,
                    c.host,
                    c.port,
                    pendingBytes(ch));
        }

        /** Output drained below the low water mark: feed what was held, in order, then read again. */
        private void resume() {
            ArrayDeque<Event> held = c.held;
            c.held = null;
            while (!held.isEmpty()) {
                Event e = held.poll();
                c.in.add(c.delay(), () -> dispatch(e));
                if (!c.channel.isWritable() && c.channel.isActive()) { // blocked again: stay paused
                    c.held = held;
                    return;
                }
            }
            log.debug("event=read_resumed host={} conn={} peer={}:{}", options.name, c.id, c.host, c.port);
            c.channel.config().setAutoRead(true);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (c.active && !inactiveSeen) {
                if (c.held != null && ctx.channel().isWritable()) {
                    resume();
                } else {
                    pauseIfBlocked();
                }
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof TooLongFrameException) {
                log.debug("event=line_too_long host={} conn={} peer={}:{}", options.name, c.id, c.host, c.port);
                if (c.active) input(new Event.LineTooLong(c.id));
                return;
            }
            log.debug(
                    "event=conn_error host={} conn={} peer={}:{} reason={}",
                    options.name,
                    c.id,
                    c.host,
                    c.port,
                    cause.toString());
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (inactiveSeen || !c.active) return;
            inactiveSeen = true;
            if (c.held != null) { // input read before the close still reaches the core, before Closed
                for (Event e : c.held) c.in.add(c.delay(), () -> dispatch(e));
                c.held = null;
            }
            c.in.add(c.delay(), () -> {
                if (conns.get(c.id.value()) == c) conns.remove(c.id.value());
                c.out.clear();
                dispatch(new Event.Closed(c.id));
            });
        }
    }
}
