package io.egoist.runtime;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.PendingWriteQueue;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Latency emulation for binary frames ({@link FrameSplitter}'s), like {@link OutboundDelay} for lines: on a
 * connection this side opened (frames only ever go that way), each frame is held back by the link's one-way delay
 * before it is written, so a tunnel's frames take the same emulated time as the protocol's lines. Frames of one
 * connection keep their order (a frame never leaves before one written earlier, also when the delay changes).
 * Lines pass through unchanged: the host delays them already ({@link HostConn}).
 *
 * <p>Bounded like the link's send queue: held frames count towards the channel's write water marks (Netty's
 * {@link PendingWriteQueue}), so the tunnel plane sees the link congested (UDP frames dropped, streams and relays
 * wait) as if the bytes were in the socket's queue; beyond {@link #MAX_HELD_BYTES} a frame is dropped and counted.
 * Loop-confined. Installed once per connection with {@link #install}.
 */
public final class FrameDelay extends ChannelOutboundHandlerAdapter {
    public static final String NAME = "frameDelay";

    /** At most this many bytes of frames held back per connection (the write water marks stop senders sooner). */
    public static final long MAX_HELD_BYTES = 8L << 20;

    /** Frames dropped because {@link #MAX_HELD_BYTES} were held (all connections). */
    public static final AtomicLong DROPPED = new AtomicLong();

    private final OutboundDelay delay;
    private final String host;
    private final int port;
    private final ArrayDeque<Long> due = new ArrayDeque<>();
    private PendingWriteQueue held;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> timer;
    private long lastDue = Long.MIN_VALUE;

    private FrameDelay(OutboundDelay delay, String host, int port) {
        this.delay = delay;
        this.host = host;
        this.port = port;
    }

    /**
     * Adds a frame delay to {@code ch} (a connection this side opened, to a peer's main port) unless it has one or
     * there is no emulation. Loop thread.
     */
    public static void install(io.netty.channel.Channel ch, OutboundDelay delay) {
        if (delay == null || delay == OutboundDelay.NONE || ch.pipeline().get(NAME) != null) return;
        if (!(ch.remoteAddress() instanceof InetSocketAddress ra)) return;
        ch.pipeline().addLast(NAME, new FrameDelay(delay, ra.getAddress().getHostAddress(), ra.getPort()));
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.held = new PendingWriteQueue(ctx);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf b)
                || !b.isReadable()
                || b.getByte(b.readerIndex()) != FrameSplitter.MARKER) { // a line (delayed by the host) or other
            ctx.write(msg, promise);
            return;
        }
        double ms = delay.delayMillis(host, port);
        if (held.isEmpty() && !(ms > 0)) {
            ctx.write(msg, promise);
            return;
        }
        if (held.bytes() + b.readableBytes() > MAX_HELD_BYTES) {
            ReferenceCountUtil.release(msg);
            DROPPED.incrementAndGet();
            promise.trySuccess(); // dropped like a congested UDP frame; a stream sends it again
            return;
        }
        long now = System.nanoTime();
        long at = now + (ms > 0 ? (long) (ms * 1_000_000L) : 0L);
        if (!due.isEmpty() && at - lastDue < 0) at = lastDue; // never overtake a frame written earlier
        lastDue = at;
        held.add(msg, promise);
        due.add(at);
        if (timer == null) schedule(now);
    }

    private void schedule(long now) {
        timer = ctx.executor().schedule(this::drain, Math.max(0, due.peek() - now), TimeUnit.NANOSECONDS);
    }

    private void drain() {
        timer = null;
        long now = System.nanoTime();
        boolean wrote = false;
        while (!due.isEmpty() && due.peek() - now <= 0) {
            due.poll();
            held.removeAndWrite();
            wrote = true;
        }
        if (wrote) ctx.flush();
        if (!due.isEmpty()) schedule(now);
    }

    /** Closing: what is held goes out first (emulated delays are cut short, as for lines). */
    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        cancel();
        due.clear();
        if (!held.isEmpty()) {
            held.removeAndWriteAll();
            ctx.flush();
        }
        ctx.close(promise);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
        due.clear();
        held.removeAndFailAll(new java.nio.channels.ClosedChannelException()); // releases the held frames
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
