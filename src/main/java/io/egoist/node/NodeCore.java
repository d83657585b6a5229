package io.egoist.node;

import io.egoist.core.Core;
import io.egoist.core.Effect;
import io.egoist.core.Event;
import io.egoist.wire.NodeId;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/** The EGOIST node's protocol logic as a state machine (work in progress: API only). */
public final class NodeCore implements Core {
    private final NodeConfig cfg;
    private final Random random;

    public NodeCore(NodeConfig cfg, Random random) {
        this.cfg = cfg;
        this.random = random;
    }

    @Override public List<Effect> start(long nowMillis) { return List.of(); }
    @Override public List<Effect> handle(long nowMillis, Event event) { return List.of(); }

    /** This node's HELLO line for its echo server to answer HELLO probes with, or empty (features = []): echo verbatim. */
    public Optional<String> helloLine() { return Optional.empty(); }
    public NodeConfig config() { return cfg; }
    public NodeStatus status() { throw new UnsupportedOperationException("TODO"); }
    public List<RouteInfo> routes() { return List.of(); }
    public Optional<RouteInfo> route(NodeId destination) { return Optional.empty(); }
}
