package io.egoist.runtime;

import io.egoist.wire.Seed;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Secure mode: counts an accepted connection against its port's caps from the TCP accept on, so connections still
 * in their TLS handshake count too (the handlers behind the {@code TlsGate} hear of a connection only once its
 * handshake is done, which left handshakes bounded only by the handshake timeout). The first handler of the
 * pipeline, in front of the {@code SslHandler}: a connection over a cap gets {@code NACK@busy: <reason>} in
 * plain text (it has no TLS session yet; a TLS client sees its handshake fail) and is closed, and nothing behind
 * this handler hears of it. Released when the connection closes. One per connection; the caps are shared.
 */
final class HandshakeCount extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(HandshakeCount.class);

    static final String NAME = "handshakeCount";

    /** The caps of one port and their refusals; shared by its connections. */
    static final class Caps {
        final ConnectionCaps caps;
        final String where;
        final BiConsumer<String, String> onRefused;
        final AtomicLong refused = new AtomicLong();
        private final AtomicLong lastLogNanos = new AtomicLong(System.nanoTime() - TimeUnit.SECONDS.toNanos(2));

        /** {@code onRefused} (reason, peer address) is told of each refusal, e.g. to count it in metrics. */
        Caps(int maxTotal, int maxPerAddress, String where, BiConsumer<String, String> onRefused) {
            this.caps = new ConnectionCaps(maxTotal, maxPerAddress);
            this.where = where;
            this.onRefused = onRefused;
        }

        int open() {
            return caps.open();
        }
    }

    private final Caps caps;
    private InetAddress counted;

    HandshakeCount(Caps caps) {
        this.caps = caps;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
        String reason = caps.caps.tryOpen(remote.getAddress());
        if (reason == null) {
            counted = remote.getAddress();
            ctx.fireChannelActive();
            return;
        }
        long n = caps.refused.incrementAndGet();
        caps.onRefused.accept(reason, remote.getAddress().getHostAddress());
        long now = System.nanoTime();
        long last = caps.lastLogNanos.get();
        if (now - last >= TimeUnit.SECONDS.toNanos(1) && caps.lastLogNanos.compareAndSet(last, now)) {
            log.warn(
                    "event=reject host={} peer={}:{} category=busy reason={} counted=from-accept refused_total={}",
                    caps.where,
                    remote.getAddress().getHostAddress(),
                    remote.getPort(),
                    reason,
                    n);
        }
        ctx.channel().config().setAutoRead(false);
        String line = Seed.NACK + Seed.PACK_DELIMITER + "busy: " + reason.replace('_', ' ');
        ByteBuf buf = ctx.alloc().buffer(line.length() + 2);
        ByteBufUtil.writeAscii(buf, line + Seed.CRLF);
        // written from the head of the pipeline: straight to the socket, not through TLS
        ctx.writeAndFlush(buf).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (counted != null) caps.caps.closed(counted);
        counted = null;
        ctx.fireChannelInactive();
    }
}
