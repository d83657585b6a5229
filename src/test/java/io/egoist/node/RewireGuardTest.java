package io.egoist.node;

import static io.egoist.node.Driver.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.egoist.core.ConnId;
import io.egoist.core.Event;
import io.egoist.node.wiring.RewireGuard;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The measurement-noise guard of policy br: re-wire only for a gain above max(5 ms, 1 % of C_i). */
class RewireGuardTest {

    @Test
    void aGainIsRealOnlyAboveBothTheAbsoluteAndTheRelativeThreshold() {
        NodeConfig cfg = Driver.config(1);
        assertThat(cfg.rewireMinGainMs()).isEqualTo(5.0);
        assertThat(cfg.rewireMinGainFraction()).isEqualTo(0.01);
        assertThat(RewireGuard.applies(cfg)).isTrue();
        assertThat(RewireGuard.worthIt(cfg, 200, 196)).isFalse(); // 4 ms < 5 ms
        assertThat(RewireGuard.worthIt(cfg, 200, 194.9)).isTrue(); // 5.1 ms > max(5, 2)
        assertThat(RewireGuard.worthIt(cfg, 1000, 994)).isFalse(); // 6 ms < 1 % = 10 ms
        assertThat(RewireGuard.worthIt(cfg, 1000, 989)).isTrue();
        assertThat(RewireGuard.worthIt(cfg, 200, 210)).isFalse(); // worse
        assertThat(RewireGuard.worthIt(cfg, Double.NaN, 300)).isTrue(); // nothing to keep
        assertThat(RewireGuard.applies(cfg.withPolicy("br-eps"))).isFalse();
        assertThat(RewireGuard.applies(cfg.withPolicy("k-closest"))).isFalse();
        assertThat(RewireGuard.applies(cfg.withRewireMinGain(0, 0))).isFalse();
        assertThatThrownBy(() -> cfg.withRewireMinGain(-1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> cfg.withRewireMinGain(5, 1.0)).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * Node 1 with k = 1 over nodes 2 and 3 (which link to each other at 10 ms): with RTT 100 / 104 it links to 2
     * (C = 105 vs 109); then 2's RTT drifts to 106 (C = 111 vs 109) and later to 130 (C = 135 vs 109).
     */
    private static Driver drifting(NodeConfig cfg) {
        Driver d =
                new Driver(cfg.withK(1).withPolicy("br").withPingPeriodMs(1_000).withRewirePeriodMs(3_000));
        d.rtts.put(id(2), 100.0);
        d.rtts.put(id(3), 104.0);
        d.features.put(id(2), List.of("hb", "data"));
        d.features.put(id(3), List.of("hb", "data"));
        d.join(List.of(id(2), id(3)), List.of());
        d.advance(700);
        ConnId in2 = new ConnId(-2), in3 = new ConnId(-3);
        d.on(new Event.Accepted(in2, "10.0.0.2", 40002));
        d.on(new Event.Accepted(in3, "10.0.0.3", 40003));
        d.on(new Event.LineReceived(in2, Driver.update("d002", 10, id(2), 10.0, id(3))));
        d.on(new Event.LineReceived(in3, Driver.update("d003", 10, id(3), 10.0, id(2))));
        d.advance(10_000);
        assertThat(d.core.neighbors()).containsExactly(id(2));
        d.rtts.put(id(2), 106.0);
        d.advance(15_000);
        return d;
    }

    @Test
    void brKeepsItsWiringWhenTheBetterOneGainsLessThanTheNoise() {
        Driver d = drifting(Driver.config(1));
        assertThat(d.core.neighbors()).containsExactly(id(2)); // 111 -> 109 is 2 ms: noise
        assertThat(d.core.counters().guarded).isPositive();
        d.rtts.put(id(2), 130.0);
        d.advance(15_000);
        assertThat(d.core.neighbors()).containsExactly(id(3)); // 135 -> 109: a real gain
    }

    @Test
    void withoutTheGuardBrFollowsEveryGain() {
        Driver d = drifting(Driver.config(1).withRewireMinGain(0, 0));
        assertThat(d.core.neighbors()).containsExactly(id(3));
        assertThat(d.core.counters().guarded).isZero();
    }
}
