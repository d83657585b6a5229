package io.egoist.tunnel;

import io.egoist.core.ConnId;
import io.egoist.node.NodeConfig;
import io.egoist.node.NodeCore;
import io.egoist.node.NodeEvent;
import io.egoist.node.RouteInfo;
import io.egoist.node.routing.Route;
import io.egoist.node.routing.RouteMode;
import io.egoist.wire.NodeId;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The tunnel plane's forwarding tables, read from the core's routing view (on the core's loop): for each
 * destination, the out-link connection of its overlay next hop (what relays use), and for the destinations this
 * node originates frames to in mode {@code best}, the connection of the best route's first hop: an out-link or a
 * direct link. Only next hops that advertised {@link NodeConfig#FEATURE_FRAMES} (in their HELLO) are used, so a
 * v0.2 peer, or ours without the feature, is never sent a frame.
 */
public final class ForwardingTable {
    private ForwardingTable() {}

    /**
     * {@code overlay}: destination to next-hop connection for every reachable destination; {@code best}: for the
     * destinations asked for in mode best whose best first hop carries frames and is up (the overlay entry serves
     * the others); {@code directFirstHops}: the non-neighbor first hops those best routes need a direct link to
     * (up or not yet).
     */
    public record Tables(Map<NodeId, ConnId> overlay, Map<NodeId, ConnId> best, Set<NodeId> directFirstHops) {
        public static Tables overlayOnly(Map<NodeId, ConnId> overlay) {
            return new Tables(overlay, Map.of(), Set.of());
        }
    }

    /** The tunnel plane's view of a node's host: this table, read on the core's loop, and its connections. */
    public static <C extends io.egoist.core.Core> TunnelNode.Links links(
            io.egoist.runtime.CoreHost<C> host, java.util.function.Function<C, NodeCore> core) {
        io.egoist.runtime.OutboundDelay delay = host.delay();
        return new TunnelNode.Links() {
            @Override
            public java.util.concurrent.CompletableFuture<Tables> tables(Set<NodeId> bestDestinations) {
                return host.query(c -> ForwardingTable.tables(core.apply(c), bestDestinations))
                        .thenApply(t -> {
                            // open the missing direct links, and keep the used ones (not per frame: once per table)
                            if (!t.directFirstHops().isEmpty())
                                host.submit(new NodeEvent.KeepDirectLinks(t.directFirstHops()));
                            return t;
                        });
            }

            @Override
            public io.netty.channel.Channel channel(ConnId c) {
                io.netty.channel.Channel ch = host.channel(c);
                // latency emulation: frames on the links we opened take the link's one-way delay, like lines
                if (ch != null && delay != io.egoist.runtime.OutboundDelay.NONE && c.value() > 0)
                    io.egoist.runtime.FrameDelay.install(ch, delay);
                return ch;
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

    /** Both tables; best routes only for {@code bestDestinations} (the ones this node originates frames to). */
    public static Tables tables(NodeCore core, Set<NodeId> bestDestinations) {
        Map<NodeId, ConnId> overlay = of(core);
        if (bestDestinations.isEmpty()) return Tables.overlayOnly(overlay);
        Map<NodeId, ConnId> best = new HashMap<>();
        Set<NodeId> direct = new HashSet<>();
        for (NodeId dst : bestDestinations) {
            Route r = core.route(dst, RouteMode.BEST).orElse(null);
            if (r == null || !carriesFrames(core, r.nextHop())) continue; // the overlay route serves
            if (!r.viaOutLink()) direct.add(r.nextHop());
            Optional<ConnId> c = r.viaOutLink() ? core.upLinkConn(r.nextHop()) : core.directLinkConn(r.nextHop());
            c.ifPresent(conn -> best.put(dst, conn));
        }
        return new Tables(overlay, best, direct);
    }

    private static boolean carriesFrames(NodeCore core, NodeId hop) {
        List<String> f = core.featuresOf(hop);
        return f != null && f.contains(NodeConfig.FEATURE_FRAMES);
    }
}
