package io.egoist.tunnel;

import io.egoist.node.routing.RouteMode;
import io.egoist.wire.NodeId;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The CHECKs a node has sent before it opens a forward ("does {@code to} serve {@code proto:name}?"), by flow id,
 * at most one per forward being added (loop thread). A CHECK is sent again each second for 5 s: a relay whose
 * forwarding table was stale drops it and takes a fresh table.
 */
final class ServiceChecks {
    static final int SECONDS = 5;

    private final TunnelNode node;
    private final Map<Long, CompletableFuture<String>> pending = new HashMap<>();

    ServiceChecks(TunnelNode node) {
        this.node = node;
    }

    /** Completes with null (served) or the reason (refused, no route, no answer within {@link #SECONDS}). */
    CompletableFuture<String> ask(NodeId to, Service.Proto proto, String name, RouteMode mode) {
        CompletableFuture<String> r = new CompletableFuture<>();
        long flow = FlowModes.newFlowId(mode); // the answer comes back in the forward's mode
        pending.put(flow, r);
        String what = proto.label() + ":" + name;
        if (node.control(Frames.CHECK, to, flow, 0, what) == TunnelNode.Sent.NO_ROUTE) {
            pending.remove(flow);
            r.complete("no route to " + to + " over nodes that carry tunnels");
            return r;
        }
        for (int s = 1; s <= SECONDS; s++) {
            boolean last = s == SECONDS;
            node.loop.schedule(
                    () -> {
                        if (!last && pending.containsKey(flow)) node.control(Frames.CHECK, to, flow, 0, what);
                        else if (last && pending.remove(flow) != null)
                            r.complete("no answer from " + to + " within " + SECONDS + " s");
                    },
                    s,
                    TimeUnit.SECONDS);
        }
        return r;
    }

    /** An ACCEPT ({@code refusal} null) or REFUSE for {@code flow}: true when it answered one of our CHECKs. */
    boolean answer(long flow, String refusal) {
        CompletableFuture<String> c = pending.remove(flow);
        if (c == null) return false;
        c.complete(refusal);
        return true;
    }
}
