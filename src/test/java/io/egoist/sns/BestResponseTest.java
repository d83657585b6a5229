package io.egoist.sns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class BestResponseTest {

    @Test
    void exactBrEqualsBruteForceOverEverySubset() {
        Random r = new Random(11);
        for (int trial = 0; trial < 150; trial++) {
            WiringProblem p = Instances.delayProblem(4 + r.nextInt(10), 1 + r.nextInt(4), r);
            BestResponsePolicy.Choice c = Policies.br().solve(p);
            assertThat(c.exact()).isTrue();
            double brute = Oracle.bruteForceBest(p);
            assertThat(Oracle.cost(p, c.neighbors())).isCloseTo(brute, within(1e-9 * Math.max(1, brute)));
            assertThat(c.cost()).isCloseTo(brute, within(1e-9 * Math.max(1, brute)));
        }
    }

    @Test
    void exactBandwidthBrEqualsBruteForceMaximum() {
        Random r = new Random(12);
        for (int trial = 0; trial < 100; trial++) {
            WiringProblem d = Instances.delayProblem(4 + r.nextInt(10), 1 + r.nextInt(3), r);
            WiringProblem p = new WiringProblem(d.self(), d.k(), d.direct(), d.residual(), d.current(),
                    Metric.BANDWIDTH, null);
            BestResponsePolicy.Choice c = Policies.br().solve(p);
            double brute = Oracle.bruteForceBest(p);
            assertThat(Oracle.cost(p, c.neighbors())).isCloseTo(brute, within(1e-9 * Math.max(1, brute)));
        }
    }
}
