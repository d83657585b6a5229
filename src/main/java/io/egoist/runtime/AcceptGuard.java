package io.egoist.runtime;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link CoreHost}'s defences on its connections, below the core: a cap on open connections per remote
 * address, a deadline for an accepted connection's first complete line, and the stall watch that closes a
 * connection whose unwritten output makes no progress. Loop-confined.
 *
 * <p>Per connection this costs one map update at accept and close, and one queue entry: the first-line
 * deadline is one timer for all connections (the queue is in accept order, so the sweep looks only at its
 * head), never a timer per connection. The stall watch sets a timer only for a connection that became
 * unwritable (its peer is not reading).
 */
final class AcceptGuard {
    private static final Logger log = LoggerFactory.getLogger(CoreHost.class);
    private static final long WARN_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final CoreHost<?> host;
    private final CoreHost.Options o;
    private final HashMap<String, int[]> perAddress = new HashMap<>();
    private final ArrayDeque<HostConn> awaitingLine = new ArrayDeque<>();
    private boolean sweepScheduled;
    private long lastWarnNanos = Long.MIN_VALUE;
    private long notLogged;

    final AtomicLong refusedPerAddress = new AtomicLong();
    final AtomicLong firstLineTimeouts = new AtomicLong();
    final AtomicLong stalledCloses = new AtomicLong();

    AcceptGuard(CoreHost<?> host) {
        this.host = host;
        this.o = host.options();
    }

    /**
     * An accepted connection became active: false (and the connection is being refused) when its address
     * already has {@link CoreHost.Options#maxConnectionsPerAddress} open.
     */
    boolean admit(HostConn c) {
        if (o.maxConnectionsPerAddress > 0) {
            int[] n = perAddress.computeIfAbsent(c.host, k -> new int[1]);
            if (n[0] >= o.maxConnectionsPerAddress) {
                refusedPerAddress.incrementAndGet();
                warnLimited("per-address", c, n[0]);
                refuse(c, o.perAddressRefusal);
                return false;
            }
            n[0]++;
            c.counted = true;
        }
        if (o.firstLineTimeoutMs > 0) {
            c.acceptedNanos = System.nanoTime();
            awaitingLine.add(c);
            if (!sweepScheduled) schedule(TimeUnit.MILLISECONDS.toNanos(o.firstLineTimeoutMs));
        }
        return true;
    }

    /** An accepted, counted connection closed. */
    void closed(HostConn c) {
        c.counted = false;
        int[] n = perAddress.get(c.host);
        if (n != null && --n[0] <= 0) perAddress.remove(c.host);
    }

    /** Open connections counted for this address (tests, metrics). */
    int openFrom(String address) {
        int[] n = perAddress.get(address);
        return n == null ? 0 : n[0];
    }

    private void schedule(long delayNanos) {
        sweepScheduled = true;
        host.loop().schedule(this::sweepFirstLines, Math.max(1_000_000L, delayNanos), TimeUnit.NANOSECONDS);
    }

    /** Closes every connection whose first line did not come within the deadline; one timer for all. */
    private void sweepFirstLines() {
        sweepScheduled = false;
        if (host.isClosed()) return;
        long deadline = TimeUnit.MILLISECONDS.toNanos(o.firstLineTimeoutMs);
        long now = System.nanoTime();
        int timedOut = 0;
        HostConn c;
        while ((c = awaitingLine.peek()) != null) {
            if (c.lineSeen || !c.channel.isActive()) {
                awaitingLine.poll();
                continue;
            }
            long waited = now - c.acceptedNanos;
            if (waited < deadline) break;
            awaitingLine.poll();
            timedOut++;
            firstLineTimeouts.incrementAndGet(); // counted before the peer can see the refusal
            log.debug("event=first-line-timeout host={} conn={} peer={}:{}", host.name(), c.id, c.host, c.port);
            refuse(c, o.firstLineRefusal);
        }
        if (timedOut > 0) {
            log.info(
                    "event=first-line-timeout host={} closed={} timeout_ms={}",
                    host.name(),
                    timedOut,
                    o.firstLineTimeoutMs);
        }
        if (c != null) {
            // at the head's deadline, but not more often than an eighth of the deadline (one timer for all)
            schedule(Math.max(deadline / 8, c.acceptedNanos + deadline - now));
        }
    }

    /**
     * Watches a connection that became unwritable: when its unwritten output has not shrunk after
     * {@link CoreHost.Options#stallCloseMs}, it is closed and the output dropped (its buffers are freed).
     */
    void watchStall(HostConn c) {
        if (o.stallCloseMs <= 0 || c.stallWatched) return;
        c.stallWatched = true;
        c.stallPending = CoreHost.pendingBytes(c.channel);
        host.loop().schedule(() -> checkStall(c), o.stallCloseMs, TimeUnit.MILLISECONDS);
    }

    private void checkStall(HostConn c) {
        Channel ch = c.channel;
        if (!ch.isOpen() || ch.isWritable()) {
            c.stallWatched = false;
            return;
        }
        long pending = CoreHost.pendingBytes(ch);
        if (pending < c.stallPending) { // the peer reads, slowly: watch on
            c.stallPending = pending;
            host.loop().schedule(() -> checkStall(c), o.stallCloseMs, TimeUnit.MILLISECONDS);
            return;
        }
        stalledCloses.incrementAndGet();
        log.info(
                "event=close-stalled host={} conn={} peer={}:{} unwritten_bytes={} stalled_ms={}",
                host.name(),
                c.id,
                c.host,
                c.port,
                pending,
                o.stallCloseMs);
        ch.close();
    }

    /** Writes the refusal line (if any) and closes, without the core. */
    private void refuse(HostConn c, String line) {
        c.refused = true;
        c.lineSeen = true;
        Channel ch = c.channel;
        if (line == null || !ch.isActive()) {
            ch.close();
            return;
        }
        ByteBuf buf = ch.alloc().buffer(line.length() + 2);
        ByteBufUtil.writeAscii(buf, line);
        buf.writeByte('\r').writeByte('\n');
        ch.writeAndFlush(buf).addListener(ChannelFutureListener.CLOSE);
        // a peer that does not read even this: close anyway after the grace (bounded)
        host.loop().schedule(() -> ch.close(), Math.max(1000, o.closeGraceMs), TimeUnit.MILLISECONDS);
    }

    private void warnLimited(String limit, HostConn c, int open) {
        long now = System.nanoTime();
        if (lastWarnNanos != Long.MIN_VALUE && now - lastWarnNanos < WARN_INTERVAL_NANOS) {
            notLogged++;
            return;
        }
        log.warn(
                "event=reject host={} peer={}:{} category=busy-address limit={} open_from_address={} max={} not_logged_since_last={}",
                host.name(),
                c.host,
                c.port,
                limit,
                open,
                o.maxConnectionsPerAddress,
                notLogged);
        lastWarnNanos = now;
        notLogged = 0;
    }
}
