package io.egoist.tracker;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * A token bucket per sender address for REGs of new ids: {@code burst} tokens, refilled at {@code rate} per
 * second; a REG of a new id takes one. Sans-I/O: the time comes with each call. Memory is bounded: at most
 * {@link TrackerRules#MAX_TRACKED_ADDRESSES} buckets; when that many are tracked, the buckets that have refilled
 * (equivalent to no bucket) are dropped, and if none has, all are (generous rather than unbounded).
 */
final class RegRateLimiter {
    private static final class Bucket {
        double tokens;
        long atMs;
    }

    private final double ratePerMs;
    private final int burst;
    private final int maxAddresses;
    private final HashMap<String, Bucket> buckets = new HashMap<>();

    RegRateLimiter(double ratePerSecond, int burst, int maxAddresses) {
        this.ratePerMs = ratePerSecond / 1000.0;
        this.burst = burst;
        this.maxAddresses = maxAddresses;
    }

    /** Takes a token for {@code address} at {@code now}; false when its bucket is empty. */
    boolean tryAcquire(String address, long now) {
        Bucket b = buckets.get(address);
        if (b == null) {
            if (buckets.size() >= maxAddresses) forgetFull(now);
            b = new Bucket();
            b.tokens = burst;
            b.atMs = now;
            buckets.put(address, b);
        } else {
            refill(b, now);
        }
        if (b.tokens < 1) return false;
        b.tokens -= 1;
        return true;
    }

    int trackedAddresses() {
        return buckets.size();
    }

    private void refill(Bucket b, long now) {
        if (now > b.atMs) {
            b.tokens = Math.min(burst, b.tokens + (now - b.atMs) * ratePerMs);
            b.atMs = now;
        }
    }

    private void forgetFull(long now) {
        for (Iterator<Map.Entry<String, Bucket>> it = buckets.entrySet().iterator(); it.hasNext(); ) {
            Bucket b = it.next().getValue();
            refill(b, now);
            if (b.tokens >= burst) it.remove();
        }
        if (buckets.size() >= maxAddresses) buckets.clear();
    }
}
