package io.egoist.node.wiring;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.sns.Graph;
import io.egoist.sns.WiringProblem;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** How a wiring is adjusted so that a mixed overlay stays usable for DATA. */
class DataPreferenceTest {
    private static final double NAN = Double.NaN;

    private static int[] sorted(int[] a) {
        int[] s = a.clone();
        Arrays.sort(s);
        return s;
    }

    /**
     * Self 0; 1 and 2 are v0.2 nodes 1-2 ms away that link to everyone at 1 ms; 3 and 4 are data-capable, 50 and
     * 60 ms away, linking to each other. By cost alone the two v0.2 nodes are the best pair.
     */
    private static WiringProblem legacyBait() {
        Graph g = new Graph(5);
        for (int u = 1; u <= 2; u++) for (int v = 1; v <= 4; v++) if (u != v) g.setEdge(u, v, 1);
        g.setEdge(3, 4, 5);
        g.setEdge(4, 3, 5);
        return WiringProblem.delay(0, 2, new double[] {NAN, 1, 2, 50, 60}, g, new int[0]);
    }

    private static final boolean[] DATA = {false, false, false, true, true};
    private static final boolean[] LEGACY = {false, true, true, false, false};

    @Test
    void aNodeWithDataCapableCandidatesKeepsOneSoThatItReachesThemAll() {
        WiringProblem pr = legacyBait();
        int[] r = DataPreference.apply(pr, new int[] {1, 2}, DATA, LEGACY, false);
        // one v0.2 neighbor swapped for the cheapest data-capable one, through which 4 is reached too
        assertThat(sorted(r)).containsExactly(1, 3);
        // the margin step keeps it: swapping 1 for 4 would cut the v0.2 nodes off (far beyond 5 %)
        assertThat(sorted(DataPreference.apply(pr, r, DATA, LEGACY, true))).containsExactly(1, 3);
    }

    @Test
    void nothingChangesWhereNoNodeIsKnownToLackTheDataExtension() {
        WiringProblem pr = legacyBait();
        int[] chosen = {1, 2};
        boolean[] none = new boolean[5];
        assertThat(DataPreference.apply(pr, chosen, DATA, none, true)).isSameAs(chosen);
        // no data-capable candidate at all: nothing to prefer
        assertThat(DataPreference.apply(pr, chosen, new boolean[5], LEGACY, true))
                .isSameAs(chosen);
    }

    /** 1 is a v0.2 node 10 ms away, 2 a data-capable one {@code direct2} away, 3 data-capable 20 ms away. */
    private static WiringProblem nearTie(double direct2) {
        Graph g = new Graph(4);
        for (int u = 1; u <= 3; u++) for (int v = 1; v <= 3; v++) if (u != v) g.setEdge(u, v, 1);
        return WiringProblem.delay(0, 2, new double[] {NAN, 10, direct2, 20}, g, new int[0]);
    }

    private static final boolean[] DATA4 = {false, false, true, true};
    private static final boolean[] LEGACY4 = {false, true, false, false};

    @Test
    void withinTheMarginADataCapableNeighborIsPreferredAndBeyondItNot() {
        // {1, 3} already reaches both data-capable nodes: only the margin can swap 1 out
        assertThat(sorted(DataPreference.apply(nearTie(10.2), new int[] {1, 3}, DATA4, LEGACY4, true)))
                .containsExactly(2, 3);
        assertThat(DataPreference.apply(nearTie(10.2), new int[] {1, 3}, DATA4, LEGACY4, false))
                .containsExactly(1, 3);
        // 2 at 50 ms: {2, 3} costs 62 against 41, far beyond 5 %
        assertThat(DataPreference.apply(nearTie(50), new int[] {1, 3}, DATA4, LEGACY4, true))
                .containsExactly(1, 3);
    }
}
