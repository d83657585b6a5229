package io.egoist.node.probe;

import static io.egoist.node.Parts.ofType;
import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.core.Effect;
import io.egoist.node.NodeConfig;
import io.egoist.node.NodeContext;
import io.egoist.node.Parts;
import io.egoist.wire.NodeId;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bounds on measuring: how many nodes in all, how many first probes per ping period. */
class MeasurementsBoundsTest {
    private final NodeConfig cfg = Parts.config(1);
    private final NodeContext ctx = Parts.context(cfg);
    private final Measurements m = new Measurements(ctx);

    private static NodeId node(int i) {
        return new NodeId("10.1." + (i / 250) + "." + (i % 250 + 1), 7000);
    }

    @Test
    void atMostMaxMeasuredNodesAreMeasuredAndFurtherIdsAreIgnoredAndCounted() {
        for (int i = 0; i < Measurements.MAX_MEASURED + 50; i++) m.learn(node(i));
        assertThat(m.size()).isEqualTo(Measurements.MAX_MEASURED);
        assertThat(m.refused()).isEqualTo(50);
        assertThat(m.peer(node(Measurements.MAX_MEASURED + 10))).isNull();
        List<Effect.SetTimer> timers = ofType(ctx.drain(), Effect.SetTimer.class);
        assertThat(timers).hasSize(Measurements.MAX_MEASURED); // no probe is ever scheduled for an ignored id
        // once one is forgotten there is room again
        m.forget(m.peer(node(0)));
        assertThat(m.learn(node(Measurements.MAX_MEASURED + 1))).isNotNull();
    }

    @Test
    void aFloodOfLearnedIdsIsFirstProbedAtMostMaxFirstProbesAtOnceAndPerPingPeriod() {
        int n = 3 * Measurements.MAX_FIRST_PROBES + 10;
        for (int i = 0; i < n; i++) m.learn(node(i));
        List<Effect.SetTimer> timers = ofType(ctx.drain(), Effect.SetTimer.class);
        assertThat(timers).hasSize(n);
        long first = ctx.now() + cfg.firstProbeDelayMs();
        long period = cfg.pingPeriodMs();
        long atOnce = timers.stream().filter(t -> t.atMillis() == first).count();
        assertThat(atOnce).isEqualTo(Measurements.MAX_FIRST_PROBES);
        // in any window of one ping period after the burst, at most MAX_FIRST_PROBES (+1 for the boundary)
        for (long start = first + 1; start < first + 4 * period; start += period / 7) {
            long s = start;
            long inWindow = timers.stream()
                    .filter(t -> t.atMillis() >= s && t.atMillis() < s + period)
                    .count();
            assertThat(inWindow).isLessThanOrEqualTo(Measurements.MAX_FIRST_PROBES + 1);
        }
        // and every node does get its first probe, the last within ~3 periods
        long last = timers.stream().mapToLong(Effect.SetTimer::atMillis).max().orElseThrow();
        assertThat(last).isLessThanOrEqualTo(first + 3 * period + period / 10);
    }

    @Test
    void aFewNewNodesAfterAQuietPeriodAreProbedAtOnce() {
        for (int i = 0; i < Measurements.MAX_FIRST_PROBES; i++) m.learn(node(i));
        ctx.drain();
        Parts.at(ctx, ctx.now() + cfg.pingPeriodMs()); // the bucket refills within one period
        for (int i = 0; i < 20; i++) m.learn(node(1000 + i));
        List<Effect.SetTimer> timers = ofType(ctx.drain(), Effect.SetTimer.class);
        assertThat(timers).allMatch(t -> t.atMillis() == ctx.now() + cfg.firstProbeDelayMs());
    }
}
