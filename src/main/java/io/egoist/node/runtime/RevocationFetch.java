package io.egoist.node.runtime;

import io.egoist.security.ca.CaException;
import io.egoist.security.ca.MemberId;
import io.egoist.security.ca.RevocationList;
import io.egoist.security.tls.RefusalLog;
import io.egoist.security.tls.TlsGate;
import io.egoist.security.tls.TlsMembers;
import io.egoist.wire.CrlLines;
import io.egoist.wire.NodeId;
import io.egoist.wire.Seed;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.TooLongFrameException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Secure mode: a node fetches the network's revocation list from the tracker at join and then every tracker
 * refresh period ({@code CRL} request, {@link CrlLines}), checks every CRL's signature against its own CA bundle,
 * takes the list only if it is not older than the one it took before ({@link TlsMembers#useFetched}: a tracker
 * cannot roll a revocation back), and then cuts live connections of revoked peers as a reload of {@code --crl}
 * does. A reply longer than {@link RevocationList#MAX_WIRE_CHARS} is not read to its end. Whatever is refused
 * (forged, unsigned, older, too long) leaves the list in force unchanged and is logged
 * ({@code event=crl-fetch-refused}).
 */
final class RevocationFetch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RevocationFetch.class);

    /** How long one fetch (connect, handshake, reply) may take. */
    static final long TIMEOUT_MS = 10_000;

    /** What one fetch came to. */
    enum Result {
        /** Taken; the entries in force changed. */
        CHANGED,
        /** Taken; nothing changed. */
        SAME,
        /** Refused: the list was forged, unsigned, malformed, too long or older than ours. */
        REFUSED,
        /** No list: the tracker is unreachable, refused the handshake or serves none. */
        NONE
    }

    private final EventLoopGroup group;
    private final TlsMembers tls;
    private final NodeId self;
    private final String trackerHost;
    private final int trackerPort;
    private final Runnable onChange;
    private final RefusalLog refusals = new RefusalLog();
    private final ScheduledExecutorService timer;
    private final AtomicBoolean inFlight = new AtomicBoolean();
    private final AtomicLong refused = new AtomicLong();
    private volatile String lastNone;

    RevocationFetch(
            EventLoopGroup group, TlsMembers tls, NodeId self, String trackerHost, int trackerPort, Runnable onChange) {
        this.group = group;
        this.tls = tls;
        this.self = self;
        this.trackerHost = trackerHost;
        this.trackerPort = trackerPort;
        this.onChange = onChange;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "egoist-crl-fetch");
            t.setDaemon(true);
            return t;
        });
    }

    /** Fetches now and then every {@code periodMs}. */
    RevocationFetch start(long periodMs) {
        timer.scheduleWithFixedDelay(
                () -> {
                    if (inFlight.compareAndSet(false, true)) fetch().whenComplete((r, e) -> inFlight.set(false));
                },
                0,
                periodMs,
                TimeUnit.MILLISECONDS);
        return this;
    }

    /** Lists refused since the start. */
    long refusedCount() {
        return refused.get();
    }

    /** One fetch; the result is handled (taken or refused, and logged) before the future completes. */
    CompletableFuture<Result> fetch() {
        CompletableFuture<String> reply = new CompletableFuture<>();
        request(reply);
        return reply.handleAsync(
                (line, failure) -> {
                    try {
                        if (failure instanceof TooLong)
                            return refuse("reply longer than " + RevocationList.MAX_WIRE_CHARS + " characters");
                        return failure != null ? none(failure.getMessage()) : take(line);
                    } catch (RuntimeException e) {
                        return refuse("failed: " + e);
                    }
                },
                timer);
    }

    private Result take(String line) {
        String list = CrlLines.listOf(line);
        if (list == null) {
            if (line.startsWith(Seed.NACK + Seed.PACK_DELIMITER)) return none("tracker: " + clip(line.substring(5)));
            return refuse("not a CRL reply: " + clip(line));
        }
        try {
            RevocationList fetched =
                    RevocationList.fromWire(list, tls.credentials().bundle());
            boolean changed = tls.useFetched(fetched);
            lastNone = null;
            if (changed) {
                log.info(
                        "event=crl-fetch node={} tracker={}:{} result=changed crls={} revoked={}",
                        self,
                        trackerHost,
                        trackerPort,
                        fetched.crls().size(),
                        tls.revocations().size());
                onChange.run();
                return Result.CHANGED;
            }
            log.debug(
                    "event=crl-fetch node={} result=same revoked={}",
                    self,
                    tls.revocations().size());
            return Result.SAME;
        } catch (CaException e) {
            return refuse(e.getMessage());
        }
    }

    private Result refuse(String reason) {
        refused.incrementAndGet();
        log.warn(
                "event=crl-fetch-refused node={} tracker={}:{} reason=\"{}\" kept=previous revoked={}",
                self,
                trackerHost,
                trackerPort,
                clip(reason),
                tls.revocations().size());
        return Result.REFUSED;
    }

    /** No list this time: logged at INFO when the reason is new, else at DEBUG (the tracker may serve none). */
    private Result none(String reason) {
        String r = clip(reason == null ? "failed" : reason);
        if (!r.equals(lastNone)) {
            log.info(
                    "event=crl-fetch node={} tracker={}:{} result=none reason=\"{}\"",
                    self,
                    trackerHost,
                    trackerPort,
                    r);
        } else {
            log.debug("event=crl-fetch node={} result=none reason=\"{}\"", self, r);
        }
        lastNone = r;
        return Result.NONE;
    }

    private static String clip(String s) {
        String one = s.replaceAll("[^\\x20-\\x7e]", "?").replace('"', '\'');
        return one.length() <= 200 ? one : one.substring(0, 200) + "...";
    }

    /** Opens a TLS connection to the tracker, sends {@code CRL}, completes {@code reply} with the one line back. */
    private void request(CompletableFuture<String> reply) {
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(io.egoist.runtime.Netty.clientChannel(group))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) TIMEOUT_MS)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        // one line of at most MAX_WIRE_CHARS plus "CRL@": a longer one is not read to its end
                        ch.pipeline()
                                .addLast(new LineBasedFrameDecoder(RevocationList.MAX_WIRE_CHARS + 8, true, true))
                                .addLast(new ReplyHandler(reply));
                        TlsGate.install(ch, tls, true, refusals, "crl-fetch", Set.of(MemberId.TRACKER));
                    }
                });
        try {
            Channel ch = b.connect(trackerHost, trackerPort)
                    .addListener(f -> {
                        if (!f.isSuccess()) reply.completeExceptionally(f.cause());
                    })
                    .channel();
            ch.eventLoop()
                    .schedule(
                            () -> {
                                if (reply.completeExceptionally(new IllegalStateException("timed out"))) ch.close();
                            },
                            TIMEOUT_MS,
                            TimeUnit.MILLISECONDS);
            reply.whenComplete((l, e) -> ch.close());
        } catch (RuntimeException e) {
            reply.completeExceptionally(e);
        }
    }

    /** The reply line is longer than a list may be. */
    private static final class TooLong extends RuntimeException {
        TooLong() {
            super("too long", null, false, false);
        }
    }

    private static final class ReplyHandler extends ChannelInboundHandlerAdapter {
        private final CompletableFuture<String> reply;

        ReplyHandler(CompletableFuture<String> reply) {
            this.reply = reply;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            // after the handshake (the gate holds it back): the tracker is the tracker
            ctx.writeAndFlush(Unpooled.copiedBuffer(CrlLines.REQUEST + Seed.CRLF, StandardCharsets.US_ASCII));
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            try {
                reply.complete(buf.toString(StandardCharsets.US_ASCII));
            } finally {
                buf.release();
            }
            ctx.close();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof TooLongFrameException) {
                reply.completeExceptionally(new TooLong());
                ctx.close();
                return;
            }
            reply.completeExceptionally(cause);
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            String why = ctx.channel().hasAttr(TlsGate.FAILURE)
                    ? ctx.channel().attr(TlsGate.FAILURE).get()
                    : null;
            reply.completeExceptionally(
                    new IllegalStateException(why == null ? "closed without a reply" : "tls: " + why));
            ctx.fireChannelInactive();
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
