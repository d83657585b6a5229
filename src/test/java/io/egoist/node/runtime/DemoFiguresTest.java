package io.egoist.node.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.egoist.latency.LatencyMatrix;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The demo's pure figures: the farthest pair for the tunnels, and the DATA latency per hop. */
class DemoFiguresTest {

    @Test
    void theTunnelsTakeTheLivePairWithTheLargestDirectRtt() {
        LatencyMatrix ripe = LatencyMatrix.ripe();
        LatencyMatrix m = ripe.subset(Demo.spreadOut(ripe, 8));
        List<Integer> live = new ArrayList<>(List.of(0, 1, 2, 3, 4, 5, 6, 7));
        int[] far = DemoTunnels.farthest(m, live);
        for (int a : live)
            for (int b : live) if (a != b) assertThat(m.rtt(far[0], far[1])).isGreaterThanOrEqualTo(m.rtt(a, b));
        // without one of the two (a crashed node), the next farthest pair among the others
        live.remove(Integer.valueOf(far[1]));
        int[] next = DemoTunnels.farthest(m, live);
        assertThat(next[0]).isNotEqualTo(far[1]);
        assertThat(next[1]).isNotEqualTo(far[1]);
        assertThat(m.rtt(next[0], next[1])).isLessThanOrEqualTo(m.rtt(far[0], far[1]));
    }

    @Test
    void perHopLatencyIsTheRoundTripOverTheHopsThereAndBackAndWhatIsLeftBeyondTheEmulatedDelay() {
        List<DemoHops.Sample> s = List.of(
                new DemoHops.Sample("A", "B", 2, 102, 100), // 51 per hop, 1 beyond
                new DemoHops.Sample("A", "C", 4, 212, 200), // 53 per hop, 3 beyond
                new DemoHops.Sample("B", "C", 3, 159, 150)); // 53 per hop, 3 beyond
        DemoHops.Result r = DemoHops.summarize(s);
        assertThat(r.samples()).isEqualTo(3);
        assertThat(r.hops()).isEqualTo(9);
        assertThat(r.medianRttPerHopMs()).isCloseTo(53, within(1e-9));
        assertThat(r.medianOverheadPerHopMs()).isCloseTo(3, within(1e-9));
        assertThat(r.overallOverheadPerHopMs()).isCloseTo((2 + 12 + 9) / 9.0, within(1e-9));
        assertThat(DemoHops.summarize(List.of()).medianRttPerHopMs()).isNaN();
    }
}
