package io.egoist.node.runtime;

import io.egoist.core.Effect;
import io.egoist.core.Event;
import io.egoist.node.NodeCore;
import io.egoist.node.NodeCounters;
import io.egoist.node.NodeStatus;
import io.egoist.runtime.CoreHost;
import io.egoist.wire.Seed;
import io.egoist.wire.WireCodec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A node's Prometheus metrics (Micrometer): lines by direction and packet type (seen as they pass between the
 * core and the runtime), probes by outcome, overlay sends by outcome, and, refreshed from the core at each scrape,
 * known nodes, neighbors, own cost C_i, unreachable destinations, re-wirings, lost neighbors, forwarded DATA.
 */
public final class NodeMetrics implements CoreHost.Tap {
    private static final Set<String> TYPES = Set.of(
            Seed.REGISTER,
            Seed.UPDATE,
            Seed.REMOVE,
            Seed.TEARDOWN,
            Seed.NACK,
            Seed.OVERLAY_PACKET,
            Seed.NET_PACKET,
            WireCodec.HELLO,
            WireCodec.HEARTBEAT,
            WireCodec.DATA,
            WireCodec.DATA_ACK);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, Counter> messages = new ConcurrentHashMap<>();
    private final Counter probesAnswered;
    private final Counter probesFailed;
    private final Counter sendsAcked;
    private final Counter sendsFailed;
    private final AtomicReference<NodeStatus> status = new AtomicReference<>();
    private final AtomicLong rewires = new AtomicLong();
    private final AtomicLong neighborsLost = new AtomicLong();
    private final AtomicLong dataForwarded = new AtomicLong();
    private final AtomicLong updatesAccepted = new AtomicLong();

    public NodeMetrics(String nodeId) {
        registry.config().commonTags("node", nodeId);
        probesAnswered =
                Counter.builder("egoist_node_probes").tag("result", "answered").register(registry);
        probesFailed =
                Counter.builder("egoist_node_probes").tag("result", "failed").register(registry);
        sendsAcked =
                Counter.builder("egoist_node_sends").tag("outcome", "acked").register(registry);
        sendsFailed =
                Counter.builder("egoist_node_sends").tag("outcome", "failed").register(registry);
        Gauge.builder(
                        "egoist_node_known_nodes",
                        status,
                        s -> s.get() == null ? 0 : s.get().knownNodes())
                .register(registry);
        Gauge.builder(
                        "egoist_node_neighbors",
                        status,
                        s -> s.get() == null ? 0 : s.get().neighbors().size())
                .register(registry);
        Gauge.builder(
                        "egoist_node_own_cost_ms",
                        status,
                        s -> s.get() == null ? Double.NaN : s.get().ownCost())
                .register(registry);
        Gauge.builder(
                        "egoist_node_unreachable",
                        status,
                        s -> s.get() == null ? 0 : s.get().unreachable())
                .register(registry);
        FunctionCounter.builder("egoist_node_rewirings", rewires, AtomicLong::get)
                .register(registry);
        FunctionCounter.builder("egoist_node_neighbors_lost", neighborsLost, AtomicLong::get)
                .register(registry);
        FunctionCounter.builder("egoist_node_data_forwarded", dataForwarded, AtomicLong::get)
                .register(registry);
        FunctionCounter.builder("egoist_node_updates_accepted", updatesAccepted, AtomicLong::get)
                .register(registry);
    }

    /** The packet type of a line: its first field, when it is one of the protocol's; else "other". */
    static String typeOf(String line) {
        int at = line.indexOf('@');
        String t = at < 0 ? line : line.substring(0, at);
        if (t.endsWith(Seed.SEG)) t = t.substring(0, t.length() - Seed.SEG.length());
        return TYPES.contains(t) ? t : "other";
    }

    private void count(String direction, String line) {
        String type = typeOf(line);
        messages.computeIfAbsent(
                        direction + "/" + type,
                        k -> Counter.builder("egoist_node_messages")
                                .description("protocol lines by direction and packet type")
                                .tag("direction", direction)
                                .tag("type", type)
                                .register(registry))
                .increment();
    }

    @Override
    public void onEvent(Event event) {
        if (event instanceof Event.LineReceived l) {
            count("in", l.line());
        } else if (event instanceof Event.ProbeResult p) {
            (p.answered() ? probesAnswered : probesFailed).increment();
        }
    }

    @Override
    public void onEffect(Effect effect) {
        if (effect instanceof Effect.Send s) count("out", s.line());
    }

    void sendOutcome(boolean acked) {
        (acked ? sendsAcked : sendsFailed).increment();
    }

    /** Takes the core's figures; call on the loop thread. */
    void refresh(NodeCore core) {
        status.set(core.status());
        NodeCounters c = core.counters();
        rewires.set(c.rewires);
        neighborsLost.set(c.neighborsLost);
        dataForwarded.set(c.dataForwarded);
        updatesAccepted.set(c.updatesAccepted);
    }

    /** Prometheus text exposition. */
    public String scrape() {
        return registry.scrape();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }
}
