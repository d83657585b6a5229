package io.egoist.runtime;

import io.egoist.core.Event;
import io.egoist.security.ca.MemberId;
import io.egoist.security.tls.TlsGate;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Feeds one connection's I/O to its {@link CoreHost}'s core: activity, lines, backpressure, close. */
final class ConnHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(CoreHost.class);

    static final String NAME = "conn";

    private final CoreHost<?> host;
    private final HostConn c;
    private boolean inactiveSeen;

    ConnHandler(CoreHost<?> host, HostConn c) {
        this.host = host;
        this.c = c;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (host.isClosed()) {
            ctx.close();
            return;
        }
        if (c.outbound) {
            c.active = true;
            if (c.cancelled || host.conn(c.id) != c) { // cancelled meanwhile
                ctx.close();
                return;
            }
            if (c.beforeActive != null) {
                for (String line : c.beforeActive) Lines.write(c.channel, line);
                c.beforeActive = null;
            }
            host.dispatch(new Event.Connected(c.id));
            authenticated(ctx);
        } else {
            if (!host.guard().admit(c)) return; // refused: the core never hears of it
            c.active = true;
            host.addConn(c);
            host.dispatch(new Event.Accepted(c.id, c.host, c.port));
            authenticated(ctx);
        }
        ctx.fireChannelActive();
    }

    /** In secure mode the TLS gate passed the connection on with the peer's id: tell the core who it is. */
    private void authenticated(ChannelHandlerContext ctx) {
        MemberId peer = TlsGate.peer(ctx.channel());
        if (peer != null) host.dispatch(new Event.Authenticated(c.id, peer));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof BinaryFrame f) { // binary frames bypass the core (see CoreHost.Options.frames)
            CoreHost.FrameSink sink = host.options().frameSink;
            if (c.active && sink != null) sink.onFrame(c.channel, f);
            else f.body().release();
            return;
        }
        String line = Lines.take(msg);
        if (!c.active) return;
        c.lineSeen = true;
        input(new Event.LineReceived(c.id, line));
    }

    /** Feeds one input event to the core, or holds it while reading is paused. */
    private void input(Event e) {
        pauseIfBlocked();
        if (c.held != null) {
            c.held.add(e);
            return;
        }
        if (c.in == null) host.dispatch(e);
        else c.input(host, () -> host.dispatch(e));
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
                host.name(),
                c.id,
                c.host,
                c.port,
                CoreHost.pendingBytes(ch));
    }

    /** Output drained below the low water mark: feed what was held, in order, then read again. */
    private void resume() {
        ArrayDeque<Event> held = c.held;
        c.held = null;
        while (!held.isEmpty()) {
            Event e = held.poll();
            c.input(host, () -> host.dispatch(e));
            if (!c.channel.isWritable() && c.channel.isActive()) { // blocked again: stay paused
                c.held = held;
                return;
            }
        }
        log.debug("event=read_resumed host={} conn={} peer={}:{}", host.name(), c.id, c.host, c.port);
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
            if (!ctx.channel().isWritable()) host.guard().watchStall(c);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            log.debug("event=line_too_long host={} conn={} peer={}:{}", host.name(), c.id, c.host, c.port);
            c.lineSeen = true;
            if (c.active) input(new Event.LineTooLong(c.id));
            return;
        }
        log.debug(
                "event=conn_error host={} conn={} peer={}:{} reason={}",
                host.name(),
                c.id,
                c.host,
                c.port,
                cause.toString());
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (c.counted) host.guard().closed(c);
        if (c.outbound && !c.active && host.conn(c.id) == c) {
            // connected, but the TLS handshake failed (or the connect was cancelled meanwhile)
            host.removeConn(c);
            String why = ctx.channel().hasAttr(TlsGate.FAILURE)
                    ? ctx.channel().attr(TlsGate.FAILURE).get()
                    : null;
            host.dispatch(new Event.ConnectFailed(
                    c.id, c.cancelled ? "cancelled" : "tls: " + (why == null ? "handshake failed" : why)));
            return;
        }
        if (inactiveSeen || !c.active) return;
        inactiveSeen = true;
        if (c.held != null) { // input read before the close still reaches the core, before Closed
            for (Event e : c.held) c.input(host, () -> host.dispatch(e));
            c.held = null;
        }
        c.input(host, () -> {
            host.removeConn(c);
            c.clearDelayed();
            host.dispatch(new Event.Closed(c.id));
        });
    }
}
