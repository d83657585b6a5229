package io.egoist.sns;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class ShortestPathsProperties {

    @Property(tries = 200)
    void dijkstraEqualsFloydWarshall(
            @ForAll @IntRange(min = 1, max = 25) int n,
            @ForAll @DoubleRange(min = 0.02, max = 0.5) double p,
            @ForAll long seed) {
        Graph g = Instances.randomGraph(n, p, new Random(seed));
        double[][] fw = floydWarshall(g);
        for (int s = 0; s < n; s++) {
            assertThat(ShortestPaths.distances(g, s)).containsExactly(fw[s]);
        }
    }

    @Property(tries = 200)
    void widestPathEqualsFloydStyleMaxMin(
            @ForAll @IntRange(min = 1, max = 25) int n,
            @ForAll @DoubleRange(min = 0.02, max = 0.5) double p,
            @ForAll long seed) {
        Graph g = Instances.randomGraph(n, p, new Random(seed));
        double[][] mm = maxMin(g);
        for (int s = 0; s < n; s++) {
            assertThat(ShortestPaths.widths(g, s)).containsExactly(mm[s]);
        }
    }

    @Property(tries = 100)
    void treePathsAreRealPathsWithTheShortestCost(
            @ForAll @IntRange(min = 1, max = 30) int n,
            @ForAll @DoubleRange(min = 0.02, max = 0.4) double p,
            @ForAll long seed) {
        Graph g = Instances.randomGraph(n, p, new Random(seed));
        int s = Math.floorMod((int) seed, n);
        ShortestPaths.Tree t = ShortestPaths.tree(g, s);
        double[] dist = ShortestPaths.distances(g, s);
        assertThat(t.dist()).containsExactly(dist);
        for (int v = 0; v < n; v++) {
            int[] path = t.pathTo(v);
            if (dist[v] == Double.POSITIVE_INFINITY) {
                assertThat(path).isEmpty();
                continue;
            }
            assertThat(path[0]).isEqualTo(s);
            assertThat(path[path.length - 1]).isEqualTo(v);
            double sum = 0;
            for (int i = 1; i < path.length; i++) {
                double w = g.weight(path[i - 1], path[i]);
                assertThat(w).isNotNaN();
                sum += w;
            }
            assertThat(sum).isEqualTo(dist[v]);
        }
    }

    @Property(tries = 100)
    void skippingANodesOutEdgesEqualsSearchingTheResidualCopy(
            @ForAll @IntRange(min = 2, max = 25) int n, @ForAll long seed) {
        Graph g = Instances.randomGraph(n, 0.2, new Random(seed));
        int skip = Math.floorMod((int) (seed >>> 3), n);
        Graph residual = g.copy();
        residual.clearOutEdges(skip);
        for (int s = 0; s < n; s++) {
            if (s == skip) {
                continue;
            }
            assertThat(ShortestPaths.distances(g, s, skip)).containsExactly(ShortestPaths.distances(residual, s));
            assertThat(ShortestPaths.widths(g, s, skip)).containsExactly(ShortestPaths.widths(residual, s));
        }
    }

    @Test
    void unreachableIsInfiniteDistanceAndZeroWidthAndSourceIsZeroAndInfinite() {
        Graph g = new Graph(3);
        g.setEdge(0, 1, 4);
        assertThat(ShortestPaths.distances(g, 0)).containsExactly(0, 4, Double.POSITIVE_INFINITY);
        assertThat(ShortestPaths.widths(g, 0)).containsExactly(Double.POSITIVE_INFINITY, 4, 0);
        assertThat(ShortestPaths.tree(g, 0).pathTo(2)).isEmpty();
        assertThat(ShortestPaths.tree(g, 0).pathTo(0)).containsExactly(0);
    }

    static double[][] floydWarshall(Graph g) {
        int n = g.size();
        double[][] d = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double w = g.weight(i, j);
                d[i][j] = i == j ? 0 : Double.isNaN(w) ? Double.POSITIVE_INFINITY : w;
            }
        }
        for (int m = 0; m < n; m++) {
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    if (d[i][m] + d[m][j] < d[i][j]) {
                        d[i][j] = d[i][m] + d[m][j];
                    }
                }
            }
        }
        return d;
    }

    static double[][] maxMin(Graph g) {
        int n = g.size();
        double[][] b = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double w = g.weight(i, j);
                b[i][j] = i == j ? Double.POSITIVE_INFINITY : Double.isNaN(w) ? 0 : w;
            }
        }
        for (int m = 0; m < n; m++) {
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    double via = Math.min(b[i][m], b[m][j]);
                    if (via > b[i][j]) {
                        b[i][j] = via;
                    }
                }
            }
        }
        return b;
    }
}
