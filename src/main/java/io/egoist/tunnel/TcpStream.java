package io.egoist.tunnel;

import io.egoist.runtime.Netty;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.DuplexChannel;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One end of a TCP stream through the overlay: the application's connection on this node (accepted by a {@link
 * TcpForward}, or opened to an exposed service), and the far end's node and flow id. The stream survives the
 * death of a relay on its path: only the two ends keep state, relays forward frames by destination.
 *
 * <p>Sending: bytes read from the application are kept as chunks of at most {@link #CHUNK} bytes in a
 * retransmission buffer, each sent as a DATA frame whose {@code seq} is the stream offset of its first byte. The
 * far end acknowledges (ACK: {@code seq} = bytes written to its application, payload = bytes received in order,
 * 8 bytes, and a flag byte). Chunks received there are dropped from the buffer; the window (written there) bounds
 * what is in flight, so the sender stops reading its application while the window is full, its next hop is
 * congested, there is no route, or chunks wait to be (re)sent. The sender re-sends from the first unacknowledged
 * chunk when the next hop changes (a new path), when the far end reports a gap, or when bytes are outstanding and
 * no receipt came for {@link #RESEND_AFTER_MS}.
 *
 * <p>Receiving: bytes are delivered in order; a frame before the expected offset is a duplicate (its new tail, if
 * any, is delivered), one after it is a gap (dropped, reported), one beyond the window or at a negative offset is
 * dropped: nothing arriving out of order is buffered, so a stranger's frames cannot grow memory.
 *
 * <p>Ending: a close at either application is a CLOSE with the final offset; the far end acts on it once every
 * byte before it has arrived, closes its application after them, and confirms; the closing end re-sends its
 * remaining bytes and the CLOSE until then. A stream that hears nothing from its far end for the stream timeout
 * (there are keepalives) is ended at both ends: each closes its application connection cleanly (EOF). A CLOSE
 * with a reason in its payload (the far end has no such stream, was removed, timed out) ends the stream at once.
 * Loop-confined.
 */
final class TcpStream extends ChannelInboundHandlerAdapter implements TunnelNode.Flow {
    private static final Logger log = LoggerFactory.getLogger(TcpStream.class);

    /**
     * Largest DATA payload: 64 KiB, what one read of the application's socket gives at most, so a bulk stream
     * costs one frame (one header, one splitter pass and one lookup per hop) per read, not four.
     */
    static final int CHUNK = 64 * 1024;
    /** Period of a stream's timer (acks, re-sends, keepalives, timeout). */
    static final long TICK_MS = 100;
    /** The receiver acknowledges at least every this many bytes (or frames), else at its next tick. */
    static final int ACK_BYTES = 64 * 1024;

    static final int ACK_FRAMES = 16;
    /** Bytes outstanding and no receipt for this long: re-send from the first unacknowledged byte. */
    static final long RESEND_AFTER_MS = 1_000;
    /** At most one re-send caused by a gap report per this long (frames of the old round still arrive). */
    static final long GAP_HOLDOFF_MS = 200;
    /** With nothing else to send, an ACK goes to the far end this often, so it knows the path is alive. */
    static final long KEEPALIVE_MS = 1_000;
    /** An unanswered OPEN, or a CLOSE not yet confirmed, is sent again after this long. */
    static final long RETRY_MS = 500;
    /** Chunks a stream's buffer may hold (small reads make small chunks; this bounds their overhead). */
    static final int MAX_CHUNKS = 1_024;
    /** ACK payload flag: a frame after the expected offset arrived (send again from {@code received}). */
    static final int ACK_GAP = 1;
    /** How long a stream ended by its timeout waits for its application to close after the EOF it was sent. */
    static final long GRACE_MS = 2_000;

    private record Chunk(long at, ByteBuf data) {}

    private final TunnelNode node;
    private final TunnelNode.FlowKey key;
    private final TcpForward forward; // null at the service's end
    private final ArrayDeque<Chunk> unacked = new ArrayDeque<>();
    private Channel app;
    private ScheduledFuture<?> ticker;
    private boolean accepted, done, waitingForHop;
    private Channel lastHop;
    // sending half
    private long readEnd, sendNext, sentMax, peerDelivered, peerReceived, unackedBytes;
    private long finalOffset = -1; // our application closed after this many bytes
    // receiving half
    private long received, delivered, ackedReceived, ackedDelivered;
    private int framesSinceAck;
    // times (ms, monotonic)
    private long heardAt, sentAt, progressAt, rewoundAt = -GAP_HOLDOFF_MS, gapReportedAt = -GAP_HOLDOFF_MS;
    private long retryAt;

    private TcpStream(TunnelNode node, TunnelNode.FlowKey key, TcpForward forward) {
        this.node = node;
        this.key = key;
        this.forward = forward;
        heardAt = sentAt = progressAt = now();
        node.addFlow(key, this);
        node.tcpStreams++;
    }

    private static long now() {
        return System.nanoTime() / 1_000_000;
    }

    /** A connection accepted by a forward: ask the destination to open the stream (again until it answers). */
    static TcpStream source(TunnelNode node, TcpForward f, Channel app) {
        TcpStream s = new TcpStream(node, new TunnelNode.FlowKey(f.spec.to(), FlowModes.newFlowId(f.spec.mode())), f);
        s.app = app;
        app.pipeline().addLast(s);
        s.sendOpen();
        s.startTicker();
        return s;
    }

    /** An OPEN for an exposed TCP service: connect to it, then ACCEPT (or REFUSE when it cannot be reached). */
    static void exit(TunnelNode node, TunnelNode.FlowKey key, Service service) {
        TcpStream s = new TcpStream(node, key, null);
        new Bootstrap()
                .group(node.loop)
                .channel(Netty.clientChannel(node.loop))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 3000)
                .option(ChannelOption.AUTO_READ, true)
                .handler(s)
                .connect(new InetSocketAddress(service.host(), service.port()))
                .addListener((ChannelFutureListener) f -> {
                    if (!f.isSuccess()) {
                        String why = "cannot connect to service '" + service.name() + "' at " + node.self + ": "
                                + f.cause().getMessage();
                        s.release();
                        node.refusedIn.incrementAndGet();
                        log.info("event=tunnel_refused node={} from={} reason=\"{}\"", node.self, key.peer(), why);
                        node.control(Frames.REFUSE, key.peer(), key.flow(), 0, why);
                        return;
                    }
                    s.app = f.channel();
                    if (s.done) {
                        s.app.close();
                        return;
                    }
                    s.accepted = true;
                    node.control(Frames.ACCEPT, key.peer(), key.flow(), 0, "");
                    s.startTicker();
                    s.pump();
                });
    }

    private void startTicker() {
        if (!done && ticker == null)
            ticker = node.loop.scheduleAtFixedRate(this::tick, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
    }

    private void sendOpen() {
        retryAt = now() + RETRY_MS;
        node.control(Frames.OPEN, key.peer(), key.flow(), 0, forward.spec.service()); // no route: the tick retries
    }

    // ---------------------------------------------------------------- the application's side

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        try {
            if (done || finalOffset >= 0) return; // ended: what the application still sends is discarded
            if (in.capacity() > 2 * in.readableBytes()) { // a small read in a large buffer: keep only the bytes
                ByteBuf copy = ctx.alloc().buffer(in.readableBytes());
                copy.writeBytes(in);
                in.release();
                in = copy;
            }
            while (in.isReadable()) {
                int n = Math.min(CHUNK, in.readableBytes());
                unacked.addLast(new Chunk(readEnd, in.readRetainedSlice(n)));
                readEnd += n;
                unackedBytes += n;
                if (forward != null) {
                    forward.packetsIn.incrementAndGet();
                    forward.bytesIn.addAndGet(n);
                }
            }
            pump();
        } finally {
            in.release();
        }
    }

    /**
     * Sends what waits in the buffer (within the window, while the next hop takes it), the CLOSE when due, and
     * decides whether to read the application. A new next hop means a new path: send again from the first
     * unacknowledged chunk.
     */
    private void pump() {
        if (done || !accepted) return;
        Channel hop = node.outTo(key.peer(), key.flow());
        if (hop == null) {
            node.refreshSoon(); // no route: wait for one (the tick tries again), read nothing meanwhile
            readApp(false);
            return;
        }
        if (hop != lastHop) {
            if (lastHop != null) rewind("path changed");
            lastHop = hop;
        }
        int window = node.limits.streamWindow(node.tcpStreams);
        long limit = peerDelivered + window;
        for (Chunk c : unacked) {
            if (c.at() < sendNext) continue;
            int n = c.data().readableBytes();
            if (c.at() + n > limit || !hop.isWritable()) break;
            if (sendNext <= peerReceived) progressAt = now(); // outstanding from now on: time the receipt
            ByteBuf head = Frames.header(hop.alloc(), Frames.DATA, key.peer(), node.self, key.flow(), c.at(), n);
            if (node.send(Unpooled.wrappedBuffer(head, c.data().retainedDuplicate()), key.peer(), false)
                    != TunnelNode.Sent.OK) break;
            sendNext = c.at() + n;
            sentMax = Math.max(sentMax, sendNext);
            sentAt = now();
        }
        if (finalOffset >= 0 && sendNext == readEnd && now() >= retryAt) {
            retryAt = now() + RETRY_MS;
            control(Frames.CLOSE, finalOffset, new byte[0]);
        }
        if (!hop.isWritable() && !waitingForHop) {
            waitingForHop = true;
            node.out.whenWritable(hop, () -> {
                waitingForHop = false;
                pump();
            });
        }
        readApp(hop.isWritable()
                && sendNext == readEnd
                && readEnd - peerDelivered < window
                && unacked.size() < MAX_CHUNKS);
    }

    private void readApp(boolean on) {
        if (app != null && app.isActive() && finalOffset < 0 && !done)
            app.config().setAutoRead(on);
    }

    /** Sends again from the first chunk the far end has not received. */
    private void rewind(String why) {
        if (unacked.isEmpty() || sendNext == unacked.peekFirst().at()) return;
        long from = unacked.peekFirst().at();
        log.debug(
                "event=tunnel_stream_resend node={} flow={} from={} to={} reason=\"{}\"",
                node.self,
                key.flow(),
                from,
                sendNext,
                why);
        if (forward != null) forward.resent.addAndGet(sendNext - from);
        else node.streamBytesResent.addAndGet(sendNext - from);
        sendNext = from;
        rewoundAt = now();
        progressAt = now();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!done && finalOffset < 0) {
            if (!accepted) {
                control(Frames.CLOSE, 0, "closed".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                release();
            } else {
                finalOffset = readEnd; // the rest and the CLOSE go until the far end confirms (or times out)
                retryAt = 0;
                pump();
            }
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("event=tunnel_app_error node={} flow={} reason={}", node.self, key.flow(), cause.toString());
        ctx.close();
    }

    // ---------------------------------------------------------------- the far end's frames

    @Override
    public void onFrame(Frames.Header h) {
        if (done) return;
        switch (h.kind()) {
            case Frames.ACCEPT -> {
                if (forward == null || accepted) return;
                accepted = true;
                heardAt = now();
                pump();
            }
            case Frames.OPEN -> { // the source did not hear our ACCEPT: say it again
                if (forward == null && accepted) node.control(Frames.ACCEPT, key.peer(), key.flow(), 0, "");
            }
            case Frames.REFUSE -> {
                if (forward == null || accepted) return;
                forward.refused(Frames.text(h.payload()));
                close(null);
            }
            case Frames.DATA -> data(h.seq(), h.payload());
            case Frames.ACK -> ack(h.seq(), h.payload());
            case Frames.CLOSE -> farClose(h.seq(), h.payload());
            default -> {}
        }
    }

    private void data(long at, ByteBuf payload) {
        if (!accepted) return; // before ACCEPT nothing is due (the far end sends again)
        int window = node.limits.streamWindowBytes();
        if (at < 0 || at > received + window) return; // never a real sender's offset
        if (at > received) { // a gap: bytes before it were lost (a relay died): ask for them
            heardAt = now();
            if (now() - gapReportedAt >= GAP_HOLDOFF_MS) {
                gapReportedAt = now();
                sendAck(ACK_GAP);
            }
            return;
        }
        int n = payload.readableBytes();
        long end = at + n;
        if (end <= received) { // a duplicate: the sender went back; tell it what we have at the next tick
            heardAt = now();
            framesSinceAck = ACK_FRAMES;
            return;
        }
        if (end - delivered > window) return; // beyond the window: a real sender never sends that
        heardAt = now();
        int fresh = (int) (end - received);
        // all streams' bytes waiting for their applications are within the node's budget: beyond it, dropped as if
        // lost (the sender sends them again once the gap is reported)
        if (!node.mayHold(fresh)) {
            node.streamBytesOverBudget.addAndGet(fresh);
            return;
        }
        ByteBuf tail = payload.retainedSlice(payload.readerIndex() + (int) (received - at), fresh);
        received = end;
        framesSinceAck++;
        if (forward != null) {
            forward.packetsOut.incrementAndGet();
            forward.bytesOut.addAndGet(fresh);
        }
        if (finalOffset >= 0 || app == null || !app.isActive()) {
            tail.release(); // our application is gone: nobody to deliver to
            delivered += fresh;
        } else {
            node.hold(fresh);
            // flushed once per burst of frames (one writev for the frames of one read of the link, not one each)
            node.out.writeLater(app, tail).addListener(f -> {
                node.hold(-fresh);
                if (!f.isSuccess()) return;
                delivered += fresh;
                maybeAck();
            });
        }
        maybeAck();
    }

    private void maybeAck() {
        int every = Math.min(ACK_BYTES, node.limits.streamWindow(node.tcpStreams) / 4);
        if (received - ackedReceived >= every || delivered - ackedDelivered >= every || framesSinceAck >= ACK_FRAMES)
            sendAck(0);
    }

    private void sendAck(int flags) {
        if (done) return;
        ackedReceived = received;
        ackedDelivered = delivered;
        framesSinceAck = 0;
        byte[] p = new byte[9];
        for (int i = 0; i < 8; i++) p[i] = (byte) (received >>> (56 - 8 * i));
        p[8] = (byte) flags;
        control(Frames.ACK, delivered, p);
    }

    private void ack(long d, ByteBuf payload) {
        long r = payload.readableBytes() >= 8 ? payload.getLong(payload.readerIndex()) : d;
        boolean gap = payload.readableBytes() >= 9 && (payload.getByte(payload.readerIndex() + 8) & ACK_GAP) != 0;
        if (d < 0 || r < d || r > sentMax) return; // acknowledges bytes never sent: a forgery or a confusion
        heardAt = now();
        if (!accepted) return;
        peerDelivered = Math.max(peerDelivered, d);
        if (r > peerReceived) {
            peerReceived = r;
            progressAt = now();
            while (!unacked.isEmpty()) {
                Chunk c = unacked.peekFirst();
                if (c.at() + c.data().readableBytes() > peerReceived) break;
                unacked.pollFirst();
                unackedBytes -= c.data().readableBytes();
                c.data().release();
            }
            long first = unacked.isEmpty() ? readEnd : unacked.peekFirst().at();
            if (sendNext < first) sendNext = first;
        }
        if (gap && r < sendNext && now() - rewoundAt >= GAP_HOLDOFF_MS) rewind("gap at the far end");
        pump();
    }

    private void farClose(long fin, ByteBuf payload) {
        if (finalOffset >= 0 || payload.isReadable()) {
            // our CLOSE confirmed (or both closed at once), or the far end ended the stream: it is over
            if (finalOffset < 0 && forward != null)
                forward.lastError = "the far end ended the stream: " + Frames.text(payload);
            heardAt = now();
            release();
            endApp();
            return;
        }
        if (fin != received) return; // bytes before it are missing (they come again with the CLOSE) or a bad offset
        heardAt = now();
        control(Frames.CLOSE, readEnd, "closed".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        release();
        endApp();
    }

    /**
     * Ends the application's connection cleanly: the bytes already delivered, then EOF (our output shut down); what
     * it still sends is read and discarded (so its kernel sends no reset), and its own close, or the grace period,
     * closes it.
     */
    private void endApp() {
        if (app == null || !app.isActive()) return;
        Channel a = app;
        a.config().setAutoRead(true);
        a.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
            if (a instanceof DuplexChannel d && a.isActive()) {
                d.shutdownOutput();
                node.loop.schedule(() -> a.close(), GRACE_MS, TimeUnit.MILLISECONDS);
            } else a.close();
        });
    }

    // ---------------------------------------------------------------- time

    private void tick() {
        if (done) return;
        long t = now();
        if (t - heardAt >= node.limits.streamTimeoutMs()) {
            timedOut(t - heardAt);
            return;
        }
        if (!accepted) {
            if (forward != null && t >= retryAt) sendOpen();
            return;
        }
        if (received != ackedReceived || delivered != ackedDelivered || framesSinceAck > 0) sendAck(0);
        if (sendNext > peerReceived && t - progressAt >= RESEND_AFTER_MS && t - rewoundAt >= RESEND_AFTER_MS)
            rewind("no acknowledgement for " + (t - progressAt) + " ms");
        pump();
        if (now() - sentAt >= Math.min(KEEPALIVE_MS, node.limits.streamTimeoutMs() / 4)) sendAck(0);
    }

    /** Nothing heard from the far end for the stream timeout: end the stream, close the application cleanly. */
    private void timedOut(long silentMs) {
        String why = "stream timed out: nothing from " + key.peer() + " for " + silentMs + " ms";
        log.info(
                "event=tunnel_stream_timeout node={} peer={} flow={} silent_ms={} sent={} received={}",
                node.self,
                key.peer(),
                key.flow(),
                silentMs,
                readEnd,
                received);
        if (forward != null) forward.lastError = why;
        control(Frames.CLOSE, readEnd, "timeout".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        release();
        endApp();
    }

    private void control(int kind, long seq, byte[] payload) {
        sentAt = now();
        node.control(kind, key.peer(), key.flow(), seq, payload);
    }

    @Override
    public long held() {
        long pending = app == null || app.unsafe().outboundBuffer() == null
                ? 0
                : app.unsafe().outboundBuffer().totalPendingWriteBytes();
        return pending + unackedBytes;
    }

    /** Ends the stream: tells the far end (unless {@code reason} is null: it ended it) and closes the application. */
    @Override
    public void close(String reason) {
        if (done) return;
        if (reason != null) control(Frames.CLOSE, readEnd, reason.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        release();
        if (forward != null && reason != null && !reason.equals("forward removed")) forward.lastError = reason;
        if (app != null) app.close();
    }

    private void release() {
        if (done) return;
        done = true;
        if (ticker != null) ticker.cancel(false);
        for (Chunk c : unacked) c.data().release();
        unacked.clear();
        unackedBytes = 0;
        node.removeFlow(key, this);
        node.tcpStreams--;
        if (forward != null) forward.streams.remove(this);
    }
}
