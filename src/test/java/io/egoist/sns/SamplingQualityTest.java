package io.egoist.sns;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Sampling BR against exact BR on the RIPE matrix (n = 94, k = 3, every other node with 3 random links plus a
 * bidirectional ring, so nothing is unreachable):
 * prints the cost-ratio distribution per sample size; asserts what must hold (never better than the optimum,
 * and with m ≥ candidates it is plain br).
 */
class SamplingQualityTest {

    @Test
    void samplingBrIsNeverBetterThanExactBrAndPrintsItsGapOnTheRipeMatrix() {
        double[][] d = Instances.ripe();
        int n = d.length;
        int instances = 40;
        int[] ms = {6, 10, 20, 93};
        Random r = new Random(94);
        double[][][] ratios = new double[ms.length][2][instances];
        for (int t = 0; t < instances; t++) {
            int self = r.nextInt(n);
            Graph g = Instances.connectedResidual(d, 3, self, r);
            WiringProblem p = WiringProblem.delay(self, 3, d[self].clone(), g, new int[0]);
            BestResponsePolicy.Choice exactChoice =
                    Policies.br(Long.MAX_VALUE, 1).solve(p);
            assertThat(exactChoice.exact()).isTrue();
            double exact = exactChoice.cost();
            double plainBr = Policies.br().solve(p).cost();
            for (int mi = 0; mi < ms.length; mi++) {
                for (int b = 0; b < 2; b++) {
                    int[] s = Policies.samplingBr(ms[mi], b == 1).choose(p, new Random(t * 31L + mi));
                    double ratio = Costs.cost(p, s) / exact;
                    assertThat(ratio).isGreaterThanOrEqualTo(1 - 1e-9).isLessThan(10);
                    if (ms[mi] >= n - 1) { // the sample is every candidate: plain br
                        assertThat(Costs.cost(p, s))
                                .isCloseTo(plainBr, org.assertj.core.api.Assertions.within(1e-9 * plainBr));
                    }
                    ratios[mi][b][t] = ratio;
                }
            }
        }
        for (int mi = 0; mi < ms.length; mi++) {
            for (int b = 0; b < 2; b++) {
                double[] x = ratios[mi][b].clone();
                Arrays.sort(x);
                System.out.printf(
                        "sampling-br RIPE n=94 k=3 m=%d %s: mean=%.4f median=%.4f p90=%.4f max=%.4f%n",
                        ms[mi],
                        b == 1 ? "biased" : "uniform",
                        Arrays.stream(x).average().orElseThrow(),
                        x[instances / 2],
                        x[(int) Math.ceil(0.9 * instances) - 1],
                        x[instances - 1]);
            }
        }
    }
}
