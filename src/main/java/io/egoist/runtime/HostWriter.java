package io.egoist.runtime;

import io.egoist.core.ConnId;
import io.egoist.core.Effect;
import io.egoist.core.Event;
import io.egoist.security.tls.TlsGate;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Performs a {@link CoreHost}'s socket effects: Send (written at once and flushed once per event, or through the
 * latency emulation), Close (at once when nothing is left to write, else after the output, bounded by the close
 * grace), Connect. Loop-confined.
 */
final class HostWriter {
    private static final Logger log = LoggerFactory.getLogger(CoreHost.class);

    private final CoreHost<?> host;
    private final CoreHost.Options options;
    private final EventLoop loop;
    private final SharedLines shared;
    /** Connections written to while performing one event's effects: flushed once afterwards. */
    private final ArrayList<HostConn> toFlush = new ArrayList<>();

    HostWriter(CoreHost<?> host, SharedLines shared) {
        this.host = host;
        this.options = host.options();
        this.loop = host.loop();
        this.shared = shared;
    }

    void flushWritten() {
        for (int i = 0; i < toFlush.size(); i++) {
            HostConn c = toFlush.get(i);
            c.flushPending = false;
            c.channel.flush();
        }
        toFlush.clear();
    }

    void send(ConnId id, String line) {
        HostConn c = host.conn(id);
        if (c == null) {
            log.debug("event=send_on_unknown_conn host={} conn={}", options.name, id);
            return;
        }
        if (c.out == null && c.active) { // no delay: write now, flush once after this event's effects
            ByteBuf buf = shared != null && shared.wants(line) ? shared.view(line) : null;
            if (buf == null) {
                if (!singleLine(id, line)) return;
                buf = Lines.encode(c.channel, line);
            }
            c.channel.write(buf, c.channel.voidPromise());
            if (!c.flushPending) {
                c.flushPending = true;
                toFlush.add(c);
            }
            return;
        }
        if (!singleLine(id, line)) return;
        c.output(host, () -> {
            if (c.active) {
                Lines.write(c.channel, line);
            } else if (c.channel == null || c.channel.isOpen()) {
                c.beforeActive(line);
            }
        });
    }

    private boolean singleLine(ConnId id, String line) {
        if (Lines.isSingleLine(line)) return true;
        log.warn("event=send_dropped host={} conn={} reason=line_contains_cr_or_lf", options.name, id);
        return false;
    }

    void close(ConnId id) {
        HostConn c = host.conn(id);
        if (c == null) return;
        if (!c.active) {
            // still connecting: cancel; the connect listener reports ConnectFailed("cancelled")
            c.cancelled = true;
            if (c.channel != null) c.channel.close();
            return;
        }
        c.output(host, () -> {
            Channel ch = c.channel;
            if (c.flushPending) { // written in this event: flush first (the close follows the output)
                c.flushPending = false;
                toFlush.remove(c);
                ch.flush();
            }
            if (CoreHost.pendingBytes(ch) == 0) { // nothing unwritten: close now (no empty write, no listener)
                ch.close();
                return;
            }
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            if (options.closeGraceMs > 0 && ch.isOpen()) {
                loop.schedule(
                        () -> {
                            if (!ch.isOpen()) return;
                            log.debug(
                                    "event=close_forced host={} conn={} peer={}:{} unwritten_bytes={}",
                                    options.name,
                                    c.id,
                                    c.host,
                                    c.port,
                                    CoreHost.pendingBytes(ch));
                            ch.close();
                        },
                        options.closeGraceMs,
                        TimeUnit.MILLISECONDS);
            }
        });
    }

    void connect(Effect.Connect req) {
        ConnId id = req.conn();
        if (id.value() <= 0 || host.hasConn(id.value())) {
            String why = id.value() <= 0 ? "connection ids chosen by a core must be positive" : "connection id in use";
            loop.execute(() -> host.dispatch(new Event.ConnectFailed(id, why)));
            return;
        }
        if (options.delay.refusesConnect(req.host(), req.port())) { // emulated firewall (see OutboundDelay)
            loop.execute(() -> host.dispatch(new Event.ConnectFailed(id, "Connection refused (emulated)")));
            return;
        }
        HostConn c = new HostConn(id, true, req.host(), req.port(), host);
        host.addConn(c);
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channel(Netty.clientChannel(loop))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, options.connectTimeoutMs)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        Lines.addFramer(ch.pipeline());
                        if (options.tls != null) {
                            TlsGate.install(
                                    ch,
                                    options.tls.members(),
                                    true,
                                    host.refusals(),
                                    options.name,
                                    options.tls.expectedAt(req.host(), req.port()));
                        }
                        ch.pipeline().addLast(ConnHandler.NAME, new ConnHandler(host, c));
                    }
                });
        ChannelFuture f;
        try {
            f = b.connect(req.host(), req.port());
        } catch (RuntimeException e) {
            host.removeConn(c);
            loop.execute(() -> host.dispatch(new Event.ConnectFailed(id, e.toString())));
            return;
        }
        c.channel = f.channel();
        f.addListener((ChannelFutureListener) done -> {
            if (done.isSuccess()) return; // Connected is fed by channelActive
            host.removeConn(c);
            String reason = c.cancelled || done.isCancelled() || done.cause() == null
                    ? "cancelled"
                    : (done.cause().getMessage() == null
                            ? done.cause().toString()
                            : done.cause().getMessage());
            host.dispatch(new Event.ConnectFailed(id, reason));
        });
    }
}
