package io.egoist.runtime;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts open connections in all and per remote address, against two caps. Thread-safe. */
final class ConnectionCaps {
    private final int maxTotal;
    private final int maxPerAddress;
    private final AtomicInteger total = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();

    ConnectionCaps(int maxTotal, int maxPerAddress) {
        this.maxTotal = maxTotal;
        this.maxPerAddress = maxPerAddress;
    }

    /** Counts a new connection from {@code a}; returns null if it is within both caps, else the reason (not counted). */
    String tryOpen(InetAddress a) {
        if (total.incrementAndGet() > maxTotal) {
            total.decrementAndGet();
            return "too_many_connections";
        }
        boolean[] ok = {false};
        perAddress.compute(a, (k, n) -> {
            int c = n == null ? 0 : n;
            if (c >= maxPerAddress) return n;
            ok[0] = true;
            return c + 1;
        });
        if (!ok[0]) {
            total.decrementAndGet();
            return "too_many_connections_from_address";
        }
        return null;
    }

    /** A connection counted by {@link #tryOpen} closed. */
    void closed(InetAddress a) {
        total.decrementAndGet();
        perAddress.computeIfPresent(a, (k, n) -> n <= 1 ? null : n - 1);
    }

    int open() {
        return total.get();
    }
}
