package io.egoist.node.runtime;

import io.egoist.node.NodeConfig;
import io.egoist.node.NodeCore;
import io.egoist.node.NodeEffect;
import io.egoist.node.NodeEvent;
import io.egoist.node.routing.RouteMode;
import io.egoist.runtime.CoreHost;
import io.egoist.wire.DataFragment;
import io.egoist.wire.Link;
import io.egoist.wire.NodeId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application send path of an {@link EgoistNode}: splits payloads into fragments, hands each message to the
 * core on its loop, and completes the caller's future when the destination's acknowledgement (or a failure) comes
 * back. Kept apart from the node so that the node itself is only wiring and lifecycle.
 */
final class OutgoingSends {
    /** The node's logger: send events keep appearing under the node's name. */
    private static final Logger log = LoggerFactory.getLogger(EgoistNode.class);

    private final NodeId id;
    private final NodeCore core;
    private final CoreHost<DataPortGuard<NodeCore>> host;
    private final NodeMetrics metrics;
    private final Map<String, PendingSend> pending = new ConcurrentHashMap<>();
    private final AtomicLong requestCounter = new AtomicLong();
    private final java.security.SecureRandom fragmentGroups = new java.security.SecureRandom();

    private static final class PendingSend {
        final CompletableFuture<EgoistNode.SendResult> future = new CompletableFuture<>();
        final NodeId to;
        volatile long startNanos;
        volatile double routeCost = Double.NaN;
        volatile Map<NodeId, List<Link>> view;

        PendingSend(NodeId to) {
            this.to = to;
        }
    }

    OutgoingSends(NodeCore core, CoreHost<DataPortGuard<NodeCore>> host, NodeMetrics metrics) {
        this.id = core.id();
        this.core = core;
        this.host = host;
        this.metrics = metrics;
    }

    private <T> CompletableFuture<T> query(Function<NodeCore, T> read) {
        return host.query(g -> read.apply(g.inner()));
    }

    /** See {@link EgoistNode#send(NodeId, byte[], RouteMode)}; the caller has checked that the node is open. */
    CompletableFuture<EgoistNode.SendResult> send(NodeId to, byte[] payload, RouteMode mode) {
        if (payload.length > EgoistNode.MAX_PAYLOAD)
            return CompletableFuture.failedFuture(new EgoistNode.PayloadTooLargeException(payload.length));
        List<byte[]> pieces = DataFragment.split(
                payload,
                fragmentGroups.nextLong(),
                DataFragment.maxLinePayload(core.config().dataTtl()) - core.dataSealOverhead());
        if (pieces.size() == 1) return sendOne(to, pieces.get(0), mode);
        // only a destination that announced reassembly gets fragments (another would deliver them raw)
        return query(c -> c.featuresOf(to)).thenCompose(f -> {
            if (f != null && f.contains(NodeConfig.FEATURE_FRAG)) return sendFragments(to, pieces, mode);
            return CompletableFuture.failedFuture(new EgoistNode.SendFailedException("payload too large for one line ("
                    + payload.length + " bytes) and " + to
                    + (f == null ? " has not announced its features yet" : " does not reassemble fragments")
                    + ": at most " + (DataFragment.maxLinePayload(core.config().dataTtl()) - core.dataSealOverhead())
                    + " bytes can be sent to it"));
        });
    }

    private CompletableFuture<EgoistNode.SendResult> sendFragments(NodeId to, List<byte[]> pieces, RouteMode mode) {
        // every fragment is a message of its own; the send succeeds when all are acknowledged
        long start = System.nanoTime();
        List<CompletableFuture<EgoistNode.SendResult>> parts = new ArrayList<>();
        for (byte[] piece : pieces) parts.add(sendOne(to, piece, mode));
        return CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0]))
                .thenApply(v -> {
                    EgoistNode.SendResult first = parts.get(0).join(),
                            last = parts.get(parts.size() - 1).join();
                    return new EgoistNode.SendResult(
                            to, last.path(), last.pathCostMs(), first.routeCostMs(), (System.nanoTime() - start) / 1e6);
                });
    }

    private CompletableFuture<EgoistNode.SendResult> sendOne(NodeId to, byte[] payload, RouteMode mode) {
        String requestId = id + "#" + requestCounter.incrementAndGet();
        PendingSend p = new PendingSend(to);
        pending.put(requestId, p);
        query(c -> {
                    // runs on the loop: record what the route looks like now, then hand the message to the core
                    if (mode == null) c.route(to).ifPresent(r -> p.routeCost = r.cost());
                    else c.route(to, mode).ifPresent(r -> p.routeCost = r.cost());
                    p.view = viewOf(c);
                    p.startNanos = System.nanoTime();
                    return null;
                })
                .whenComplete((v, err) -> {
                    if (err != null) {
                        fail(requestId, "node closed");
                        return;
                    }
                    host.submit(new NodeEvent.SendData(requestId, to, payload, mode));
                });
        long guard = core.config().dataTimeoutMs() + 5_000;
        p.future.orTimeout(guard, TimeUnit.MILLISECONDS).whenComplete((r, err) -> {
            pending.remove(requestId);
            if (err instanceof TimeoutException)
                log.warn("event=send_timeout node={} to={} request={}", id, to, requestId);
        });
        return p.future;
    }

    /** The destination acknowledged a message: completes its send with the path and costs. */
    void onAcked(NodeEffect.DataAcked a) {
        PendingSend p = pending.remove(a.requestId());
        if (p == null) return;
        double rtt = (System.nanoTime() - p.startNanos) / 1e6;
        metrics.sendOutcome(true);
        p.future.complete(new EgoistNode.SendResult(p.to, a.path(), pathCost(p.view, a.path()), p.routeCost, rtt));
    }

    /** The core gave a message up: fails its send with the core's reason. */
    void onFailed(NodeEffect.DataFailed f) {
        metrics.sendOutcome(false);
        fail(f.requestId(), f.reason());
    }

    /** Fails every send still waiting (the node is closing). */
    void failAll(String reason) {
        for (String rid : new ArrayList<>(pending.keySet())) fail(rid, reason);
    }

    private void fail(String requestId, String reason) {
        PendingSend p = pending.remove(requestId);
        if (p != null) p.future.completeExceptionally(new EgoistNode.SendFailedException(reason));
    }

    private static Map<NodeId, List<Link>> viewOf(NodeCore c) {
        Map<NodeId, List<Link>> v = new java.util.HashMap<>();
        v.put(c.id(), c.linksOf(c.id()));
        for (NodeId n : c.knownNodes()) v.put(n, c.linksOf(n));
        return v;
    }

    /** The cost of a path over a link-state view: the sum of its links' costs, NaN if one is missing. */
    static double pathCost(Map<NodeId, List<Link>> view, List<NodeId> path) {
        double sum = 0;
        for (int i = 0; i + 1 < path.size(); i++) {
            NodeId a = path.get(i), b = path.get(i + 1);
            double c = Double.NaN;
            for (Link l : view.getOrDefault(a, List.of())) {
                if (l.dst().equals(b)) {
                    c = l.cost();
                    break;
                }
            }
            if (Double.isNaN(c)) return Double.NaN;
            sum += c;
        }
        return sum;
    }
}
