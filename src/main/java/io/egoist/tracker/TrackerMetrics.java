package io.egoist.tracker;

import io.egoist.wire.Seed;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Prometheus metrics of a tracker via Micrometer. The counts live in the core (a pure state machine); at
 * each scrape the server copies them out on the core's thread ({@link Sample}) and hands them to
 * {@link #scrape(Sample)}, which exposes them as gauges and counters:
 * {@code egoist_tracker_nodes}, {@code egoist_tracker_links}, {@code egoist_tracker_suspects},
 * {@code egoist_tracker_messages_total{type}}, {@code egoist_tracker_nacks_total{reason}},
 * {@code egoist_tracker_removals_total{cause}}, {@code egoist_tracker_idle_closes_total}, plus {@code egoist_tracker_store_pending}.
 */
public final class TrackerMetrics {

    /** What the core reports at one scrape. */
    public record Sample(int nodes, int links, int suspects, int connections, TrackerCounters counters) {
        public static Sample of(TrackerCore core) {
            return new Sample(
                    core.nodeCount(), core.linkCount(), core.suspectCount(), core.connectionCount(), core.counters());
        }
    }

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private volatile Sample latest = new Sample(0, 0, 0, 0, new TrackerCounters(Map.of(), Map.of(), Map.of(), 0));
    private final Set<String> registered = new HashSet<>();
    /** Held here: Micrometer keeps only weak references to gauge objects. */
    private final java.util.function.IntSupplier storePending;

    public TrackerMetrics(java.util.function.IntSupplier storePending) {
        this.storePending = storePending;
        Gauge.builder("egoist.tracker.nodes", this, m -> m.latest.nodes())
                .description("registered nodes")
                .register(registry);
        Gauge.builder("egoist.tracker.links", this, m -> m.latest.links())
                .description("known links")
                .register(registry);
        Gauge.builder("egoist.tracker.suspects", this, m -> m.latest.suspects())
                .description("nodes reported dead (RMV) and not yet cleared or removed")
                .register(registry);
        Gauge.builder("egoist.tracker.connections", this, m -> m.latest.connections())
                .description("open node connections")
                .register(registry);
        Gauge.builder("egoist.tracker.store.pending", this, m -> m.storePending.getAsInt())
                .description("changes not yet written to the database")
                .register(registry);
        FunctionCounter.builder(
                        "egoist.tracker.idle.closes",
                        this,
                        m -> m.latest.counters().idleCloses())
                .description("connections closed by the tracker after the idle timeout")
                .register(registry);
        for (String t : List.of(Seed.REGISTER, Seed.UPDATE, Seed.REMOVE, "EMPTY")) counter("messages", "type", t);
        for (String c : List.of(TrackerCore.CAUSE_EXPIRED, TrackerCore.CAUSE_DEAD_AFTER_RMV))
            counter("removals", "cause", c);
    }

    /** Takes a fresh sample and returns the Prometheus text exposition. */
    public synchronized String scrape(Sample sample) {
        latest = sample;
        sample.counters().messages().keySet().forEach(k -> counter("messages", "type", k));
        sample.counters().nacks().keySet().forEach(k -> counter("nacks", "reason", k));
        sample.counters().removals().keySet().forEach(k -> counter("removals", "cause", k));
        return registry.scrape();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    private void counter(String name, String tag, String value) {
        if (!registered.add(name + "/" + value)) return;
        String description = switch (name) {
            case "messages" -> "accepted messages by packet type";
            case "nacks" -> "rejected lines (NACK sent) by reason";
            default -> "removed nodes by cause";
        };
        FunctionCounter.builder("egoist.tracker." + name, this, m -> {
                    TrackerCounters c = m.latest.counters();
                    Map<String, Long> map =
                            name.equals("messages") ? c.messages() : name.equals("nacks") ? c.nacks() : c.removals();
                    return map.getOrDefault(value, 0L);
                })
                .tag(tag, value)
                .description(description)
                .register(registry);
    }
}
