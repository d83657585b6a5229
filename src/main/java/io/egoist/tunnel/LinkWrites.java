package io.egoist.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.DatagramPacket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How a node's tunnel plane writes: every channel it writes to (links, tunnel sockets) is flushed once after the
 * current burst of the loop, not per frame or datagram; a link over its high-water mark is congested; a sender
 * that must wait is woken once the link drains. Loop-confined.
 */
final class LinkWrites {
    private static final String WATCH = "tunnelWritability";

    private final EventLoop loop;
    private final Map<Channel, List<Runnable>> waiters = new HashMap<>();
    private final Set<Channel> dirty = new HashSet<>();
    /** The open links that carried frames: overlay out-links, direct links of best routes (see {@link #held}). */
    private final Set<Channel> links = new HashSet<>();

    LinkWrites(EventLoop loop) {
        this.loop = loop;
    }

    /** Sets a link up for tunnel frames on its first use: its water marks and the writability watch. */
    void watch(Channel ch) {
        if (ch.pipeline().get(WATCH) != null) return;
        links.add(ch);
        ch.config()
                .setWriteBufferWaterMark(
                        new WriteBufferWaterMark(TunnelNode.LINK_QUEUE_LOW, TunnelNode.LINK_QUEUE_HIGH));
        ch.pipeline().addLast(WATCH, new Watch());
    }

    /** Writes on any of this node's channels; flushed once after the current burst. */
    void write(Channel ch, Object msg) {
        ch.write(msg, ch.voidPromise());
        if (dirty.add(ch) && dirty.size() == 1) loop.execute(this::flushDirty);
    }

    /** Writes on any of this node's channels and returns the write's future; flushed once after the current burst. */
    ChannelFuture writeLater(Channel ch, Object msg) {
        ChannelFuture f = ch.write(msg);
        if (dirty.add(ch) && dirty.size() == 1) loop.execute(this::flushDirty);
        return f;
    }

    /**
     * Writes a datagram to a tunnel UDP socket (flushed after the burst), unless its send queue is over its high mark
     * even after this burst's writes to it are flushed: then the datagram is released and false returned (UDP drops
     * rather than queues).
     */
    boolean writeDatagram(Channel socket, DatagramPacket d) {
        if (congested(socket)) {
            d.release();
            return false;
        }
        write(socket, whole(socket, d));
        return true;
    }

    /**
     * The datagram with its bytes in one buffer: copied when they lie in several (a UDP frame that spanned two reads
     * of its link). Netty's epoll socket sends a lone datagram of several buffers through its loop's shared iovec
     * array, whose byte limit is the one the last TCP gathering write on that loop set, and sends whatever part the
     * array took: the datagram would leave cut short without an error ({@code UdpWholeDatagramTest}).
     */
    private static DatagramPacket whole(Channel socket, DatagramPacket d) {
        ByteBuf content = d.content();
        if (content.hasMemoryAddress() || content.nioBufferCount() == 1) return d; // Netty sends it as it is
        ByteBuf one = socket.alloc().directBuffer(content.readableBytes());
        one.writeBytes(content, content.readerIndex(), content.readableBytes());
        DatagramPacket copy = d.replace(one);
        d.release();
        return copy;
    }

    /** Over the high mark even after this burst's writes to it are flushed (not only not flushed yet). */
    boolean congested(Channel ch) {
        if (ch.isWritable()) return false;
        if (dirty.contains(ch)) ch.flush();
        return !ch.isWritable();
    }

    private void flushDirty() {
        // a flush completes writes whose listeners may write again (a stream's acknowledgement after its bytes
        // reached the application): those go into a fresh set with a flush of their own, not lost in a clear
        Channel[] now = dirty.toArray(new Channel[0]);
        dirty.clear();
        for (Channel ch : now) ch.flush();
    }

    /** Runs {@code r} once {@code ch} is writable again (at once if it is). */
    void whenWritable(Channel ch, Runnable r) {
        if (ch.isWritable() || !ch.isActive()) {
            r.run();
            return;
        }
        waiters.computeIfAbsent(ch, k -> new ArrayList<>()).add(r);
    }

    private final class Watch extends ChannelInboundHandlerAdapter {
        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) wake(ctx.channel());
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            links.remove(ctx.channel());
            wake(ctx.channel());
            ctx.fireChannelInactive();
        }
    }

    /**
     * Bytes written to the open links that carried frames and not yet taken by the kernel: every link the plane
     * used, whichever table (overlay, best over a direct link) it came from, also one a newer table no longer uses.
     */
    long held() {
        long sum = 0;
        for (Channel ch : links) {
            var out = ch.unsafe().outboundBuffer();
            if (out != null) sum += out.totalPendingWriteBytes();
        }
        return sum;
    }

    private void wake(Channel ch) {
        List<Runnable> rs = waiters.remove(ch);
        if (rs != null) for (Runnable r : rs) r.run();
    }
}
