package io.egoist.compat;

import io.egoist.node.NodeConfig;
import io.egoist.node.NodeStatus;
import io.egoist.node.RouteInfo;
import io.egoist.node.runtime.EgoistNode;
import io.egoist.runtime.OutboundDelay;
import io.egoist.wire.Link;
import io.egoist.wire.NodeId;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** Starting and reading our nodes ({@link EgoistNode}) in the compatibility tests. */
final class OurNodes {
    private OurNodes() {}

    /** Short periods for loopback tests; tolerant timeouts (2 shared cores). */
    static NodeConfig config(int trackerPort, int k) {
        return NodeConfig.defaults(new NodeId("127.0.0.1", 1), "127.0.0.1", trackerPort)
                .withK(k)
                .withPingPeriodMs(400)
                .withPingTimeoutMs(1_000)
                .withFirstProbeDelayMs(20)
                .withRewirePeriodMs(1_000)
                .withHeartbeatPeriodMs(300)
                .withHeartbeatMisses(5)
                .withTrackerRetryMs(100, 500)
                .withTrackerRefreshMs(2_000)
                .withAnnounceRefreshMs(1_000)
                .withDataTimeoutMs(3_000);
    }

    static EgoistNode start(NodeConfig cfg) {
        return start(cfg, OutboundDelay.NONE);
    }

    static EgoistNode start(NodeConfig cfg, OutboundDelay delay) {
        return EgoistNode.start(
                cfg,
                new EgoistNode.Options()
                        .ephemeralPort(true)
                        .bindHost("127.0.0.1")
                        .delay(delay));
    }

    /** Starts a node on exactly this id's port (a restart), retrying while the old sockets are released. */
    static EgoistNode restart(NodeConfig cfg) throws InterruptedException {
        IllegalStateException last = null;
        for (int i = 0; i < 100; i++) {
            try {
                return EgoistNode.start(cfg, new EgoistNode.Options().bindHost("127.0.0.1"));
            } catch (IllegalStateException e) {
                last = e;
                Thread.sleep(50);
            }
        }
        throw last;
    }

    static <T> T read(EgoistNode n, Function<io.egoist.node.NodeCore, T> q) {
        try {
            return n.query(q).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("node did not answer: " + e, e);
        }
    }

    static NodeStatus status(EgoistNode n) {
        return read(n, io.egoist.node.NodeCore::status);
    }

    static String id(EgoistNode n) {
        return n.id().toString();
    }

    static List<String> neighbors(EgoistNode n) {
        return read(n, c -> c.neighbors().stream().map(NodeId::toString).toList());
    }

    /** The features {@code n} saw {@code peer} advertise (empty: v0.2; null: not known yet). */
    static List<String> features(EgoistNode n, NodeId peer) {
        return read(n, c -> c.featuresOf(peer));
    }

    static List<String> features(EgoistNode n, String peer) {
        return features(n, nid(peer));
    }

    /** The links {@code n} holds for {@code source}. */
    static List<Link> links(EgoistNode n, String source) {
        return read(n, c -> c.linksOf(nid(source)));
    }

    /** The links {@code n} last announced. */
    static List<Link> announced(EgoistNode n) {
        return read(n, c -> c.announcedLinks());
    }

    static Optional<RouteInfo> route(EgoistNode n, NodeId to) {
        return read(n, c -> c.route(to));
    }

    static int knownCount(EgoistNode n) {
        return read(n, c -> c.knownNodes().size());
    }

    static NodeId nid(String id) {
        return NodeId.parse(id);
    }
}
