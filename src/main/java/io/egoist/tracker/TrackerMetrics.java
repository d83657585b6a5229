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
import java.util.function.Supplier;

/**
 * Prometheus metrics of a tracker via Micrometer. Every value is read where it is kept, from the scraping thread:
 * the core's figures from its {@link TrackerStats} (never on the protocol thread), the runtime's defence counts
 * (per-address cap, first-line deadline, stalled readers; the HTTP server's cap and idle closes) from their
 * atomic counters, the store's from its volatile fields. Names and meanings are listed in docs/METRICS.md.
 */
public final class TrackerMetrics {

    /** The nack reasons of the tracker's limits: exported from the first scrape on, at 0 until one bites. */
    static final List<String> LIMIT_NACKS = List.of(
            TrackerCore.NACK_BUSY,
            TrackerCore.NACK_FULL_NODES,
            TrackerCore.NACK_FULL_LINKS,
            TrackerCore.NACK_TOO_MANY_REGS,
            TrackerCore.NACK_REG_RATE);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final TrackerStats stats;
    private volatile TrackerCounters latest = new TrackerCounters(Map.of(), Map.of(), Map.of(), 0);
    private final Set<String> registered = new HashSet<>();
    /** Held here: Micrometer keeps only weak references to gauge objects. */
    private final TrackerStore store;

    private final Supplier<long[]> guard;
    private final Supplier<long[]> http;

    /**
     * @param guard the line port's defence counts: {refused by the per-address cap, first-line timeouts, stalled
     *     closes} ({@code CoreHost.guardCounts})
     * @param http the HTTP server's {open, refused by the cap, idle closes} and the /api/overlay budget's {delayed,
     *     refused}, or null without HTTP
     */
    public TrackerMetrics(TrackerStats stats, TrackerStore store, Supplier<long[]> guard, Supplier<long[]> http) {
        this.stats = stats;
        this.store = store;
        this.guard = guard;
        this.http = http;
        Gauge.builder("egoist.tracker.nodes", this, m -> m.stats.nodes())
                .description("registered nodes")
                .register(registry);
        Gauge.builder("egoist.tracker.links", this, m -> m.stats.links())
                .description("known links")
                .register(registry);
        Gauge.builder("egoist.tracker.suspects", this, m -> m.stats.suspects())
                .description("nodes reported dead (RMV) and not yet cleared or removed")
                .register(registry);
        Gauge.builder("egoist.tracker.connections", this, m -> m.stats.connections())
                .description("open node connections")
                .register(registry);
        Gauge.builder("egoist.tracker.acks.held", this, m -> m.stats.heldAcks())
                .description("acknowledgements (replies, closes) waiting for their change to be on disk")
                .register(registry);
        Gauge.builder("egoist.tracker.store.pending", this, m -> m.store.pendingCount())
                .description("changes not yet written to the database")
                .register(registry);
        Gauge.builder("egoist.tracker.store.failing", this, m -> m.store.failure() == null ? 0 : 1)
                .description("1 while writes to the database fail (they are retried), else 0")
                .register(registry);
        FunctionCounter.builder("egoist.tracker.store.failed.writes", this, m -> m.store.failedWrites())
                .description("batch writes to the database that failed (each is retried)")
                .register(registry);
        FunctionCounter.builder("egoist.tracker.idle.closes", this, m -> m.latest.idleCloses())
                .description("connections closed by the tracker after the idle timeout")
                .register(registry);
        FunctionCounter.builder(
                        "egoist.tracker.address.cap.refused", this, m -> m.guard.get()[0])
                .description("connections refused by the per-address cap")
                .register(registry);
        FunctionCounter.builder(
                        "egoist.tracker.first.line.timeouts", this, m -> m.guard.get()[1])
                .description("connections closed for sending no complete first line in time")
                .register(registry);
        FunctionCounter.builder(
                        "egoist.tracker.stalled.closes", this, m -> m.guard.get()[2])
                .description("connections closed because they did not read their replies")
                .register(registry);
        if (http != null) {
            Gauge.builder("egoist.tracker.http.connections", this, m -> m.http.get()[0])
                    .description("open HTTP connections")
                    .register(registry);
            FunctionCounter.builder("egoist.tracker.http.refused", this, m -> m.http.get()[1])
                    .description("HTTP connections refused by the cap")
                    .register(registry);
            FunctionCounter.builder("egoist.tracker.http.idle.closes", this, m -> m.http.get()[2])
                    .description("HTTP connections closed as idle")
                    .register(registry);
            FunctionCounter.builder("egoist.tracker.http.overlay.delayed", this, m -> m.http.get()[3])
                    .description("/api/overlay responses delayed by the byte budget")
                    .register(registry);
            FunctionCounter.builder("egoist.tracker.http.overlay.refused", this, m -> m.http.get()[4])
                    .description("/api/overlay responses refused (503) because the budget's wait was too long")
                    .register(registry);
        }
        for (String t : List.of(Seed.REGISTER, Seed.UPDATE, Seed.REMOVE, "EMPTY")) counter("messages", "type", t);
        for (String c : List.of(TrackerCore.CAUSE_EXPIRED, TrackerCore.CAUSE_DEAD_AFTER_RMV))
            counter("removals", "cause", c);
        for (String r : LIMIT_NACKS) counter("nacks", "reason", r);
    }

    /** The Prometheus text exposition, read on the calling thread. */
    public synchronized String scrape() {
        TrackerCounters c = stats.counters();
        latest = c;
        c.messages().keySet().forEach(k -> counter("messages", "type", k));
        c.nacks().keySet().forEach(k -> counter("nacks", "reason", k));
        c.removals().keySet().forEach(k -> counter("removals", "cause", k));
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
                    TrackerCounters c = m.latest;
                    Map<String, Long> map =
                            name.equals("messages") ? c.messages() : name.equals("nacks") ? c.nacks() : c.removals();
                    return map.getOrDefault(value, 0L);
                })
                .tag(tag, value)
                .description(description)
                .register(registry);
    }
}
