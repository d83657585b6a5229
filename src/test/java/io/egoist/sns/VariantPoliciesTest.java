package io.egoist.sns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** br-eps, hybrid-br, sampling-br and legacy-swap: their exact rules. */
class VariantPoliciesTest {

    private static WiringProblem withCurrent(WiringProblem p, int[] current) {
        return new WiringProblem(p.self(), p.k(), p.direct(), p.residual(), current, p.metric(), p.preference());
    }

    @Test
    void brEpsKeepsCurrentExactlyWhenTheRelativeGainIsAtMostEpsilon() {
        Random r = new Random(21);
        int kept = 0;
        int moved = 0;
        for (int trial = 0; trial < 200; trial++) {
            WiringProblem p0 = Instances.delayProblem(6 + r.nextInt(12), 1 + r.nextInt(3), r);
            int[] cur = Sampling.draw(ServiceTable.candidates(p0), p0.k(), r);
            Arrays.sort(cur);
            WiringProblem p = withCurrent(p0, cur);
            double best = Policies.br().solve(p0).cost();
            double curCost = Costs.cost(p, cur);
            double gain = (curCost - best) / curCost;
            double eps = r.nextDouble() * 0.3;
            if (Math.abs(gain - eps) < 1e-9) {
                continue;
            }
            int[] chosen = Policies.brEpsilon(eps).choose(p, r);
            if (gain <= eps) {
                assertThat(chosen).containsExactly(cur);
                kept++;
            } else {
                assertThat(Costs.cost(p, chosen)).isCloseTo(best, within(1e-9 * best));
                moved++;
            }
        }
        assertThat(kept).isPositive();
        assertThat(moved).isPositive();
    }

    @Test
    void brEpsRewiresWhenACurrentNeighborIsNoLongerACandidate() {
        Random r = new Random(22);
        WiringProblem p0 = Instances.delayProblem(12, 3, r);
        int[] cur = Policies.br().choose(p0, r);
        double[] direct = p0.direct().clone();
        direct[cur[0]] = Double.NaN;
        WiringProblem p = new WiringProblem(p0.self(), 3, direct, p0.residual(), cur, Metric.DELAY, null);
        int[] chosen = Policies.brEpsilon(0.5).choose(p, r);
        assertThat(chosen).doesNotContain(cur[0]).hasSize(3);
    }

    @Test
    void hybridDonatesBidirectionalRingLinksByIdOffset() {
        int n = 10;
        double[] direct = new double[n];
        Arrays.fill(direct, 5);
        direct[3] = Double.NaN; // dead: the ring skips it
        WiringProblem p = WiringProblem.delay(2, 5, direct, new Graph(n), new int[0]);
        HybridBrPolicy h = Policies.hybridBr(4);
        assertThat(h.donated(p)).containsExactly(4, 1, 5, 0);
        WiringProblem last = WiringProblem.delay(9, 3, direct, new Graph(n), new int[0]);
        assertThat(Policies.hybridBr(2).donated(last)).containsExactly(0, 8);
        // k = 2: effective k2 = 1 (one clockwise link), one BR link
        WiringProblem k2 = WiringProblem.delay(9, 2, direct, new Graph(n), new int[0]);
        assertThat(Policies.hybridBr(2).donated(k2)).containsExactly(0);
    }

    @Test
    void hybridBrLinksAreTheBestResponseGivenTheDonatedOnes() {
        Random r = new Random(23);
        for (int trial = 0; trial < 60; trial++) {
            WiringProblem p = Instances.delayProblem(8 + r.nextInt(8), 3 + r.nextInt(2), r);
            HybridBrPolicy h = Policies.hybridBr(2);
            int[] ring = h.donated(p);
            int[] chosen = h.choose(p, r);
            assertThat(ring).hasSize(2);
            assertThat(Arrays.copyOf(chosen, 2)).containsExactly(ring);
            // brute force over the remaining k1 links
            int[] pool = Arrays.stream(ServiceTable.candidates(p))
                    .filter(c -> !BestResponseTest.contains(ring, c))
                    .toArray();
            int k1 = p.k() - 2;
            double[] best = {Double.POSITIVE_INFINITY};
            Oracle.subsets(pool, k1, 0, new int[k1], 0, s -> {
                int[] all = Arrays.copyOf(ring, p.k());
                System.arraycopy(s, 0, all, 2, k1);
                best[0] = Math.min(best[0], Oracle.cost(p, all));
            });
            assertThat(Oracle.cost(p, chosen)).isCloseTo(best[0], within(1e-9 * best[0]));
        }
    }

    @Test
    void hybridOverlayStaysStronglyConnectedWhateverBrPicks() {
        Random r = new Random(24);
        int n = 40;
        double[][] d = Instances.geometricDelays(n, r);
        int[][] wiring = new int[n][];
        Graph overlay = new Graph(n);
        for (int i = 0; i < n; i++) {
            wiring[i] = Policies.hybridBr(2).choose(WiringProblem.delay(i, 3, d[i], overlay, new int[0]), r);
        }
        assertThat(Overlays.stronglyConnected(Overlays.build(wiring, d))).isTrue();
    }

    @Test
    void samplingBrChoosesOnlyAmongCurrentPlusMSamples() {
        Random r = new Random(25);
        for (int trial = 0; trial < 50; trial++) {
            WiringProblem p0 = Instances.delayProblem(60 + r.nextInt(40), 3, r);
            int[] cur = Sampling.draw(ServiceTable.candidates(p0), 3, r);
            WiringProblem p = withCurrent(p0, cur);
            boolean biased = r.nextBoolean();
            SamplingBrPolicy s = Policies.samplingBr(10, biased);
            long seed = r.nextLong();
            int[] sample = s.sample(p, new Random(seed));
            assertThat(sample).hasSize(13).contains(cur);
            int[] chosen = s.choose(p, new Random(seed));
            for (int c : chosen) {
                assertThat(sample).contains(c);
            }
            // never worse than keeping the current wiring
            assertThat(Costs.cost(p, chosen)).isLessThanOrEqualTo(Costs.cost(p, cur) + 1e-9);
        }
    }

    @Test
    void samplingWithMAtLeastTheCandidatesIsPlainBr() {
        Random r = new Random(26);
        for (int trial = 0; trial < 30; trial++) {
            WiringProblem p = Instances.delayProblem(10 + r.nextInt(10), 2 + r.nextInt(2), r);
            assertThat(Policies.samplingBr(50, r.nextBoolean()).choose(p, r))
                    .containsExactly(Policies.br().choose(p, r));
        }
    }

    @Test
    void biasedSamplingKeepsTheDrawnCandidatesWithTheClosestNeighbourhoods() {
        // self 0; candidates 1..40; residual: each j in 1..20 links to j+20 (a near or far neighbourhood)
        int n = 41;
        double[] direct = new double[n];
        Graph g = new Graph(n);
        for (int j = 1; j <= 20; j++) {
            direct[j] = 10;
            g.setEdge(j, j + 20, 1);
        }
        for (int j = 21; j <= 40; j++) {
            direct[j] = (j - 20) <= 5 ? 1 : 1000; // candidates too, with no out-links: F(j) = {j}
        }
        WiringProblem p = WiringProblem.delay(0, 2, direct, g, new int[0]);
        // m = 5, oversample 8 → m' = 40 = every candidate drawn; the best scores: 21..25 (direct 1, F = {j})
        // then 1..5 (F = {j, j+20}: 2 / 11). Keep 5 → exactly 21..25.
        int[] sample = Policies.samplingBr(5, true, 1, 8).sample(p, new Random(1));
        assertThat(sample).containsExactly(21, 22, 23, 24, 25);
        int[] sample10 = Policies.samplingBr(10, true, 1, 4).sample(p, new Random(1));
        assertThat(sample10).containsExactly(1, 2, 3, 4, 5, 21, 22, 23, 24, 25);
    }

    @Test
    void legacySwapChangesAtMostOneNeighborAndNeverRaisesTheCost() {
        Random r = new Random(27);
        int swapped = 0;
        for (int trial = 0; trial < 100; trial++) {
            WiringProblem p0 = Instances.delayProblem(8 + r.nextInt(30), 2 + r.nextInt(3), r);
            int[] cur = Sampling.draw(ServiceTable.candidates(p0), p0.k(), r);
            WiringProblem p = withCurrent(p0, cur);
            int[] next = Policies.legacySwap().choose(p, r);
            int diff = 0;
            for (int i = 0; i < cur.length; i++) {
                if (cur[i] != next[i]) {
                    diff++;
                }
            }
            assertThat(diff).isLessThanOrEqualTo(1);
            swapped += diff;
            assertThat(Costs.cost(p, next)).isLessThanOrEqualTo(Costs.cost(p, cur));
        }
        assertThat(swapped).isPositive();
    }

    @Test
    void legacySwapTakesTheBestReplacementOfTheNeighborItPicked() {
        Random r = new Random(28);
        for (int trial = 0; trial < 50; trial++) {
            WiringProblem p0 = Instances.delayProblem(8 + r.nextInt(15), 2 + r.nextInt(3), r);
            int[] cur = Sampling.draw(ServiceTable.candidates(p0), p0.k(), r);
            WiringProblem p = withCurrent(p0, cur);
            long seed = r.nextLong();
            int slot = new Random(seed).nextInt(cur.length);
            int[] next = Policies.legacySwap().choose(p, new Random(seed));
            double best = Costs.cost(p, cur);
            for (int w : ServiceTable.candidates(p)) {
                if (!BestResponseTest.contains(cur, w)) {
                    int[] t = cur.clone();
                    t[slot] = w;
                    best = Math.min(best, Costs.cost(p, t));
                }
            }
            assertThat(Costs.cost(p, next)).isCloseTo(best, within(1e-9 * best));
        }
    }

    @Test
    void legacySwapFillsAnEmptyWiringWithTheFirstCandidatesThenSwapsOne() {
        double[] direct = {0, 50, 40, 1, 2};
        WiringProblem p = WiringProblem.delay(0, 2, direct, new Graph(5), new int[0]);
        int[] next = Policies.legacySwap().choose(p, new Random(3));
        // filled {1, 2}; one of them is replaced by 3 (the best single replacement either way)
        assertThat(next).hasSize(2).contains(3);
        assertThat(next).containsAnyOf(1, 2);
    }
}
