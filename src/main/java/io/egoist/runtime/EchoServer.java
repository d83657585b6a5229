package io.egoist.runtime;

import io.egoist.security.tls.RefusalLog;
import io.egoist.security.tls.TlsGate;
import io.egoist.security.tls.TlsMembers;
import io.egoist.wire.Decoded;
import io.egoist.wire.Message;
import io.egoist.wire.Seed;
import io.egoist.wire.WireCodec;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's echo service (main port + 1): every line comes back unchanged, so peers can time round trips.
 * One exception, our capability detection: a line that decodes (context ECHO) as {@link Message.Hello} is
 * answered with this node's own HELLO line, when one is configured. A v0.2 echo port returns the HELLO
 * unchanged, which tells the sender that the peer has no extensions.
 *
 * <p>Bounded against strangers ({@link Limits}, defaults in brackets): a line longer than
 * {@code maxLineLength} [256 bytes] gets {@code NACK@line too long} and the connection is closed; a connection
 * that sent nothing for {@code idleTimeoutMs} [120 s, over three probe periods] is closed; beyond
 * {@code maxConnections} [512] open connections in all, or {@code maxPerAddress} [64] from one address, a new
 * connection gets {@code NACK@busy} and is closed at once. Backpressure: while more than the high water mark
 * [32 KB] of echoes waits to be written to a peer that does not read them, nothing more is read from it (the
 * peer's own writes then stall in TCP); reading resumes below the low mark [8 KB]. Reads are 4 KB. So a peer that sends and never
 * reads costs at most about the high mark plus what was read before reading stopped (a few KB), and is closed
 * at the idle timeout.
 *
 * <p>Latency emulation: the echo server adds no delay of its own. The prober opened the connection and
 * delays both directions (see {@link OutboundDelay}); on loopback the echo server could not tell which
 * node an ephemeral source port belongs to anyway.
 */
public final class EchoServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EchoServer.class);

    private final EventLoopGroup ownGroup;
    private final EventLoopGroup group;
    private final String helloReply;
    private final Predicate<String> isHello;
    private final ChannelGroup channels = new DefaultChannelGroup("echo", GlobalEventExecutor.INSTANCE);
    private volatile String name = "echo";
    private volatile TlsMembers tls;
    private final RefusalLog refusals = new RefusalLog();
    private volatile boolean frozen;
    private final Limits limits;
    /** Bytes per socket read (probe lines are ~20 bytes; many fit). */
    static final int READ_BYTES = 4096;

    private final ConnectionCaps caps;
    /** Secure mode: the caps counted from the TCP accept, handshakes included (null in open mode). */
    private volatile HandshakeCount.Caps handshakeCaps;

    private final AtomicLong rejectedBusy = new AtomicLong();
    private final AtomicLong idleClosed = new AtomicLong();
    private final AtomicLong lastRejectLogMillis = new AtomicLong();

    /** The echo port's limits; every field has a default (see the class comment). */
    public static final class Limits {
        public static final int DEFAULT_MAX_LINE_LENGTH = 256;
        public static final long DEFAULT_IDLE_TIMEOUT_MS = 120_000;
        public static final int DEFAULT_MAX_CONNECTIONS = 512;
        public static final int DEFAULT_MAX_PER_ADDRESS = 64;

        int maxLineLength = DEFAULT_MAX_LINE_LENGTH;
        long idleTimeoutMs = DEFAULT_IDLE_TIMEOUT_MS;
        int maxConnections = DEFAULT_MAX_CONNECTIONS;
        int maxPerAddress = DEFAULT_MAX_PER_ADDRESS;
        int writeLowWaterMark = 8 * 1024;
        int writeHighWaterMark = 32 * 1024;

        /** Longest line echoed (bytes, without CR LF); longer: NACK and close. Probe and HELLO lines are short. */
        public Limits maxLineLength(int v) {
            if (v < 64) throw new IllegalArgumentException("echo max line length must be at least 64: " + v);
            maxLineLength = v;
            return this;
        }

        /** Close a connection that sent nothing for this long (ms, > 0). */
        public Limits idleTimeoutMs(long v) {
            if (v <= 0) throw new IllegalArgumentException("echo idle timeout must be positive: " + v);
            idleTimeoutMs = v;
            return this;
        }

        /** Open connections in all / from one IP address; beyond: NACK@busy and close. */
        public Limits maxConnections(int total, int perAddress) {
            if (total < 1 || perAddress < 1)
                throw new IllegalArgumentException(
                        "echo connection caps must be at least 1: " + total + "/" + perAddress);
            maxConnections = total;
            maxPerAddress = perAddress;
            return this;
        }

        /** Backpressure: stop reading above {@code high} unwritten bytes, read again below {@code low}. */
        public Limits writeBufferWaterMark(int low, int high) {
            if (low < 1 || high < low)
                throw new IllegalArgumentException("water marks need 1 <= low <= high, not " + low + "/" + high);
            writeLowWaterMark = low;
            writeHighWaterMark = high;
            return this;
        }
    }

    /**
     * @param group      loops to run on, or null for an own one-thread group (shut down by {@link #close()})
     * @param helloReply this node's HELLO line (without CR LF), or null to echo HELLO lines like any other
     */
    public EchoServer(EventLoopGroup group, String helloReply) {
        this(group, helloReply, EchoServer::decodesAsHello);
    }

    /** As above with an explicit HELLO recogniser. */
    public EchoServer(EventLoopGroup group, String helloReply, Predicate<String> isHello) {
        this(group, helloReply, isHello, new Limits());
    }

    /** As above with explicit limits. */
    public EchoServer(EventLoopGroup group, String helloReply, Predicate<String> isHello, Limits limits) {
        this.limits = limits;
        this.caps = new ConnectionCaps(limits.maxConnections, limits.maxPerAddress);
        this.ownGroup = group == null ? Netty.newGroup(1, "echo") : null;
        this.group = group == null ? ownGroup : group;
        this.helloReply = helloReply;
        this.isHello = isHello;
    }

    /** The default HELLO recogniser: the wire codec, in the ECHO context. */
    public static boolean decodesAsHello(String line) {
        if (!line.startsWith("HELLO" + Seed.PACK_DELIMITER)) return false;
        try {
            Decoded d = WireCodec.decode(WireCodec.Context.ECHO, line);
            return d instanceof Decoded.Ok ok && ok.message() instanceof Message.Hello;
        } catch (RuntimeException e) { // the codec never throws; be safe anyway and just echo
            return false;
        }
    }

    /**
     * Secure mode: every connection is mutually authenticated TLS 1.3; a peer that is not a member (no
     * certificate, another CA, expired, revoked, a plaintext line) is refused at the handshake, logged once per
     * address, and never echoed. Call before {@link #listen}. Returns this.
     */
    public EchoServer tls(TlsMembers members) {
        this.tls = members;
        return this;
    }

    /** Secure mode: closes connections whose peer is no longer a member (revoked, expired, CA dropped). */
    public void recheckTls() {
        TlsMembers members = tls;
        for (Channel ch : channels) TlsGate.cutIfNotMember(ch, members, name);
    }

    /** Binds ({@code port} 0 = ephemeral) and returns the bound port; blocks until bound. */
    public int listen(String host, int port) {
        if (tls != null)
            handshakeCaps = new HandshakeCount.Caps(
                    limits.maxConnections,
                    limits.maxPerAddress,
                    "echo",
                    (reason, peer) -> rejectedBusy.incrementAndGet());
        Channel server = Lines.listen(group, host, port, ch -> {
            channels.add(ch);
            // small reads: what is already read when reading stops is echoed anyway, so a read bounds that rest
            ch.config()
                    .setRecvByteBufAllocator(new FixedRecvByteBufAllocator(READ_BYTES))
                    .setWriteBufferWaterMark(
                            new WriteBufferWaterMark(limits.writeLowWaterMark, limits.writeHighWaterMark));
            ch.pipeline()
                    .replace(Lines.FRAMER, Lines.FRAMER, new LineBasedFrameDecoder(limits.maxLineLength, true, true));
            TlsMembers members = tls;
            HandshakeCount.Caps early = members == null ? null : handshakeCaps;
            ch.pipeline()
                    .addFirst(new IdleStateHandler(limits.idleTimeoutMs, 0, 0, TimeUnit.MILLISECONDS))
                    .addLast(new Handler(early != null));
            if (members != null) TlsGate.install(ch, members, false, refusals, name);
            // secure mode: counted from the accept, so handshakes in progress count towards the caps too
            if (early != null) ch.pipeline().addFirst(HandshakeCount.NAME, new HandshakeCount(early));
        });
        channels.add(server);
        int bound = ((InetSocketAddress) server.localAddress()).getPort();
        name = "echo:" + bound;
        return bound;
    }

    /** Open connections within the caps (accepted, not yet closed; in secure mode, from the TCP accept on). */
    public int openConnections() {
        HandshakeCount.Caps early = handshakeCaps;
        return early != null ? early.open() : caps.open();
    }

    /** Connections refused with NACK@busy by a cap, since the start. */
    public long rejectedBusy() {
        return rejectedBusy.get();
    }

    /** Connections closed by the idle timeout, since the start. */
    public long idleClosed() {
        return idleClosed.get();
    }

    /** Bytes of echoes waiting to be written, over all connections (what a non-reading peer can make us hold). */
    public long pendingOutboundBytes() {
        long sum = 0;
        for (Channel ch : channels) {
            io.netty.channel.ChannelOutboundBuffer b = ch.unsafe().outboundBuffer();
            if (b != null) sum += b.totalPendingWriteBytes();
        }
        return sum;
    }

    /** Connections not being read from right now because their peer does not read our echoes. */
    public int pausedConnections() {
        int n = 0;
        for (Channel ch : channels)
            if (ch instanceof SocketChannel && ch.isActive() && !ch.config().isAutoRead()) n++;
        return n;
    }

    /** Stops answering (lines are read and dropped) but keeps every socket open: emulates a hung node. */
    public void freeze() {
        frozen = true;
    }

    /** One INFO line per second at most (a flood must not flood the log); the count says how many. */
    private void logRejection(Channel ch, String reason) {
        long now = System.currentTimeMillis();
        long last = lastRejectLogMillis.get();
        if (now - last >= 1000 && lastRejectLogMillis.compareAndSet(last, now)) {
            log.info(
                    "event=echo_rejected server={} peer={} reason={} rejected_total={}",
                    name,
                    ch.remoteAddress(),
                    reason,
                    rejectedBusy.get());
        }
    }

    /** Stops listening, closes every connection and, if it owns its loop, shuts the loop down. */
    @Override
    public void close() {
        channels.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        if (ownGroup != null) Netty.shutdown(ownGroup);
    }

    private final class Handler extends ChannelInboundHandlerAdapter {
        /** Counted by a {@link HandshakeCount} in front of TLS already (secure mode). */
        private final boolean countedAtAccept;

        private InetAddress counted;

        Handler(boolean countedAtAccept) {
            this.countedAtAccept = countedAtAccept;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Channel ch = ctx.channel();
            InetAddress address = ((InetSocketAddress) ch.remoteAddress()).getAddress();
            if (countedAtAccept) {
                counted = address;
                ctx.fireChannelActive();
                return;
            }
            String refused = caps.tryOpen(address);
            if (refused != null) {
                rejectedBusy.incrementAndGet();
                logRejection(ch, refused);
                ch.config().setAutoRead(false);
                Lines.write(ch, Seed.NACK + Seed.PACK_DELIMITER + "busy").addListener(ChannelFutureListener.CLOSE);
                return;
            }
            counted = address;
            ctx.fireChannelActive();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (counted != null && !countedAtAccept) caps.closed(counted);
            counted = null;
            ctx.fireChannelInactive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            String line = Lines.take(msg);
            if (frozen || counted == null) return;
            String answer = helloReply != null && isHello.test(line) ? helloReply : line;
            Channel ch = ctx.channel();
            Lines.write(ch, answer);
            if (!ch.isWritable()) ch.config().setAutoRead(false); // backpressure: the peer reads too slowly
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            Channel ch = ctx.channel();
            if (counted != null && ch.isActive()) ch.config().setAutoRead(ch.isWritable());
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                idleClosed.incrementAndGet();
                log.debug(
                        "event=echo_idle_close server={} peer={} idle_timeout_ms={}",
                        name,
                        ctx.channel().remoteAddress(),
                        limits.idleTimeoutMs);
                ctx.close();
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Channel ch = ctx.channel();
            if (cause instanceof TooLongFrameException) {
                log.info("event=nack server={} peer={} reason=line_too_long", name, ch.remoteAddress());
                Lines.write(ch, Seed.NACK + Seed.PACK_DELIMITER + "line too long");
                ch.config().setAutoRead(false);
                ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            log.debug("event=echo_conn_error server={} peer={} reason={}", name, ch.remoteAddress(), cause.toString());
            ctx.close();
        }
    }
}
