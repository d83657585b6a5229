package io.egoist.tunnel;

import io.egoist.core.ConnId;
import io.egoist.node.NodeConfig;
import io.egoist.node.NodeCore;
import io.egoist.node.RouteInfo;
import io.egoist.wire.NodeId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The tunnel plane's forwarding table, read from the core's routing view (on the core's loop): for each
 * destination, the out-link connection of its next hop, for next hops that advertised {@link
 * NodeConfig#FEATURE_FRAMES} (so a v0.2 peer, or ours without the feature, is never sent a frame).
 */
public final class ForwardingTable {
    private ForwardingTable() {}

    /** The tunnel plane's view of a node's host: this table, read on the core's loop, and its connections. */
    public static <C extends io.egoist.core.Core> TunnelNode.Links links(
            io.egoist.runtime.CoreHost<C> host, java.util.function.Function<C, NodeCore> core) {
        return new TunnelNode.Links() {
            @Override
            public java.util.concurrent.CompletableFuture<Map<NodeId, ConnId>> table() {
                return host.query(c -> of(core.apply(c)));
            }

            @Override
            public io.netty.channel.Channel channel(ConnId c) {
                return host.channel(c);
            }
        };
    }

    /**
     * The one place that asks the routing view for next hops: destination to first hop (switch here to another
     * routing mode, e.g. {@code best}).
     */
    static Map<NodeId, NodeId> nextHops(NodeCore core) {
        Map<NodeId, NodeId> m = new HashMap<>();
        for (RouteInfo r : core.routes()) m.put(r.destination(), r.nextHop());
        return m;
    }

    /** Destination to next-hop connection, for every destination reachable over frame-carrying next hops. */
    public static Map<NodeId, ConnId> of(NodeCore core) {
        Map<NodeId, ConnId> t = new HashMap<>();
        for (Map.Entry<NodeId, NodeId> e : nextHops(core).entrySet()) {
            NodeId dst = e.getKey();
            NodeId hop = e.getValue();
            if (!carriesFrames(core, hop)) hop = core.dataNextHop(dst).orElse(null); // around a v0.2 node
            if (hop == null || !carriesFrames(core, hop)) continue;
            core.upLinkConn(hop).ifPresent(c -> t.put(dst, c));
        }
        return t;
    }

    private static boolean carriesFrames(NodeCore core, NodeId hop) {
        List<String> f = core.featuresOf(hop);
        return f != null && f.contains(NodeConfig.FEATURE_FRAMES);
    }
}
