package io.egoist.sns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class PolicyStructureProperties {

    @Provide
    Arbitrary<String> policyNames() {
        return Arbitraries.of(Policies.NAMES);
    }

    /** A problem where some nodes are dead (NaN direct cost) and self has a possibly stale current set. */
    static WiringProblem problem(int n, int k, long seed) {
        Random r = new Random(seed);
        double[][] d = Instances.geometricDelays(n, r);
        int self = r.nextInt(n);
        Graph g = Instances.randomResidual(d, 3, self, r);
        double[] direct = d[self].clone();
        direct[self] = 0;
        for (int j = 0; j < n; j++) {
            if (j != self && r.nextInt(6) == 0) {
                direct[j] = Double.NaN;
            }
        }
        int[] current = Sampling.draw(allBut(n, self), Math.min(k, n - 1), r);
        return WiringProblem.delay(self, k, direct, g, current);
    }

    static int[] allBut(int n, int self) {
        int[] a = new int[n - 1];
        for (int i = 0, c = 0; i < n; i++) {
            if (i != self) {
                a[c++] = i;
            }
        }
        return a;
    }

    @Property(tries = 300)
    void everyPolicyPicksMinKDistinctCandidatesNeverSelf(
            @ForAll("policyNames") String name,
            @ForAll @IntRange(min = 2, max = 40) int n,
            @ForAll @IntRange(min = 0, max = 9) int k,
            @ForAll long seed) {
        WiringProblem p = problem(n, k, seed);
        int[] cands = ServiceTable.candidates(p);
        int[] chosen = Policies.byName(name).choose(p, new Random(seed));
        Set<Integer> candSet = new HashSet<>();
        for (int c : cands) {
            candSet.add(c);
        }
        int expected = name.equals("full-mesh") ? cands.length : Math.min(k, cands.length);
        assertThat(chosen).hasSize(expected);
        assertThat(Arrays.stream(chosen).distinct().count()).isEqualTo(expected);
        for (int c : chosen) {
            assertThat(c).isNotEqualTo(p.self());
            assertThat(candSet).contains(c);
        }
    }

    @Property(tries = 100)
    void policiesAreDeterministicGivenTheRandom(
            @ForAll("policyNames") String name,
            @ForAll @IntRange(min = 2, max = 30) int n,
            @ForAll @IntRange(min = 1, max = 5) int k,
            @ForAll long seed) {
        WiringProblem p = problem(n, k, seed);
        WiringPolicy policy = Policies.byName(name);
        assertThat(policy.choose(p, new Random(seed))).containsExactly(policy.choose(p, new Random(seed)));
    }

    @Property(tries = 200)
    void kRegularUsesTheChordOffsetsWhenEveryoneIsAlive(
            @ForAll @IntRange(min = 2, max = 60) int n,
            @ForAll @IntRange(min = 1, max = 8) int k,
            @ForAll @IntRange(min = 0, max = 59) int selfRaw) {
        int self = selfRaw % n;
        double[] direct = new double[n];
        Arrays.fill(direct, 1.0);
        WiringProblem p = WiringProblem.delay(self, k, direct, new Graph(n), new int[0]);
        int[] chosen = Policies.kRegular().choose(p, new Random(0));
        int step = (n - 1) / (k + 1);
        if (step >= 1 && k <= n - 1) {
            // distinct offsets 1, 1+step, ..., all < n: exactly the formula
            for (int j = 1; j <= k; j++) {
                assertThat(chosen[j - 1]).isEqualTo((self + 1 + (j - 1) * step) % n);
            }
        } else {
            assertThat(chosen).hasSize(Math.min(k, n - 1));
        }
    }

    @Test
    void kRegularSkipsADeadTargetToTheNextCandidateClockwise() {
        int n = 20;
        double[] direct = new double[n];
        Arrays.fill(direct, 1.0);
        direct[7] = Double.NaN; // target of o_2 = 1 + 6 = 7 from node 0 with k = 2
        WiringProblem p = WiringProblem.delay(0, 2, direct, new Graph(n), new int[0]);
        assertThat(Policies.kRegular().choose(p, new Random(0))).containsExactly(1, 8);
    }

    @Test
    void kClosestTakesTheLowestDirectCosts() {
        double[] direct = {0, 9, 3, 7, 1, 5};
        WiringProblem p = WiringProblem.delay(0, 3, direct, new Graph(6), new int[0]);
        assertThat(Policies.kClosest().choose(p, new Random(0))).containsExactly(2, 4, 5);
        WiringProblem bw = new WiringProblem(0, 2, direct, new Graph(6), new int[0], Metric.BANDWIDTH, null);
        assertThat(Policies.kClosest().choose(bw, new Random(0))).containsExactly(1, 3);
    }

    @Test
    void fullMeshTakesEveryCandidate() {
        double[] direct = {1, 0, Double.NaN, 2, 3};
        WiringProblem p = WiringProblem.delay(1, 2, direct, new Graph(5), new int[0]);
        assertThat(Policies.fullMesh().choose(p, new Random(0))).containsExactly(0, 3, 4);
    }

    @Test
    void kRandomCoversAllCandidatesOverManyDraws() {
        double[] direct = new double[10];
        Arrays.fill(direct, 1);
        WiringProblem p = WiringProblem.delay(0, 2, direct, new Graph(10), new int[0]);
        Set<Integer> seen = new HashSet<>();
        Random r = new Random(5);
        for (int i = 0; i < 200; i++) {
            for (int c : Policies.kRandom().choose(p, r)) {
                seen.add(c);
            }
        }
        assertThat(seen).containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6, 7, 8, 9);
    }

    @Test
    void unknownPolicyNameIsRejectedWithTheKnownNames() {
        assertThatThrownBy(() -> Policies.byName("nope"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("k-closest");
        for (String name : Policies.NAMES) {
            assertThat(Policies.byName(name).name()).isEqualTo(name);
        }
    }
}
