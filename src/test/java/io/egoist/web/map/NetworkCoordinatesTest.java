package io.egoist.web.map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.egoist.latency.LatencyMatrix;
import io.egoist.node.runtime.Demo;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NetworkCoordinatesTest {

    static double dist(double[] a, double[] b) {
        return Math.hypot(a[0] - b[0], a[1] - b[1]);
    }

    @Test
    void delaysThatComeFromPointsInThePlaneAreReproducedExactly() {
        Random r = new Random(7);
        int n = 25;
        double[][] p = new double[n][];
        for (int i = 0; i < n; i++) p[i] = new double[] {r.nextDouble() * 300, r.nextDouble() * 100};
        double[][] d = new double[n][n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) d[i][j] = dist(p[i], p[j]);
        double[][] xy = NetworkCoordinates.classicalMds(d);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) assertThat(dist(xy[i], xy[j])).isCloseTo(d[i][j], within(1e-6));
        }
    }

    @Test
    void nodesCloseInDelayEndUpCloseOnScreen() {
        // two continents of five nodes: 10-20 ms apart inside, 150 ms between them, wired sparsely (a ring in
        // each plus one bridge), as an overlay is
        int n = 10;
        double[][] costs = new double[n][n];
        for (double[] row : costs) Arrays.fill(row, Double.NaN);
        for (int c = 0; c < 2; c++) {
            for (int i = 0; i < 5; i++) {
                int a = 5 * c + i, b = 5 * c + (i + 1) % 5;
                costs[a][b] = 10 + i * 2;
                costs[b][a] = 10 + i * 2 + 1;
            }
        }
        costs[0][5] = 150;
        costs[5][0] = 152;
        double[][] delays = NetworkCoordinates.overlayDelays(costs);
        assertThat(delays[1][6]).isEqualTo(10 + 150 + 10); // 1-0 (10), 0-5 (150), 5-6 (10)
        double[][] xy = NetworkCoordinates.place(delays);
        double maxInside = 0, minBetween = Double.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double d = dist(xy[i], xy[j]);
                if (i / 5 == j / 5) maxInside = Math.max(maxInside, d);
                else minBetween = Math.min(minBetween, d);
            }
        }
        assertThat(maxInside).isLessThan(minBetween / 3);
        // and the scale is the delay's: the bridge is about 150 ms long on screen
        assertThat(dist(xy[0], xy[5])).isBetween(100.0, 200.0);
    }

    /** How many nodes have, as their nearest node on screen, one of their {@code within} nearest in delay. */
    static int nearestKept(double[][] rtt, double[][] xy, int within) {
        int n = rtt.length, kept = 0;
        for (int i = 0; i < n; i++) {
            int best = -1;
            for (int j = 0; j < n; j++) {
                if (j != i && (best < 0 || dist(xy[i], xy[j]) < dist(xy[i], xy[best]))) best = j;
            }
            int closer = 0;
            for (int j = 0; j < n; j++) if (j != i && rtt[i][j] < rtt[i][best]) closer++;
            if (closer < within) kept++;
        }
        return kept;
    }

    @Test
    void onRealLatenciesTheRefinedPlacementKeepsNearNodesNearBetterThanMdsAlone() {
        // 40 countries of the RIPE matrix, wired sparsely as an overlay is: each to its 2 closest and 1 random
        LatencyMatrix ripe = LatencyMatrix.ripe();
        double[][] rtt = ripe.subset(Demo.spreadOut(ripe, 40)).toArray();
        int n = rtt.length;
        Random random = new Random(1);
        double[][] costs = new double[n][n];
        for (double[] row : costs) Arrays.fill(row, Double.NaN);
        for (int i = 0; i < n; i++) {
            int self = i;
            Integer[] byDelay = new Integer[n];
            for (int j = 0; j < n; j++) byDelay[j] = j;
            Arrays.sort(byDelay, (a, b) -> Double.compare(rtt[self][a], rtt[self][b]));
            costs[i][byDelay[1]] = rtt[i][byDelay[1]];
            costs[i][byDelay[2]] = rtt[i][byDelay[2]];
            int j = random.nextInt(n);
            if (j != i) costs[i][j] = rtt[i][j];
        }
        double[][] delays = NetworkCoordinates.overlayDelays(costs);
        double[][] mds = NetworkCoordinates.classicalMds(delays);
        double[][] placed = NetworkCoordinates.place(delays);
        assertThat(NetworkCoordinates.stress(delays, placed)).isLessThan(NetworkCoordinates.stress(delays, mds) / 2);
        assertThat(nearestKept(rtt, placed, 3))
                .isGreaterThan(nearestKept(rtt, mds, 3))
                .isGreaterThan(n / 2);
        // each round of refinement does not make the weighted stress worse
        double before = NetworkCoordinates.stress(delays, mds);
        double[][] xy = mds;
        for (int round = 0; round < 20; round++) {
            xy = NetworkCoordinates.refine(delays, xy, 1);
            double now = NetworkCoordinates.stress(delays, xy);
            assertThat(now).isLessThanOrEqualTo(before * (1 + 1e-9));
            before = now;
        }
    }

    @Test
    void delaysUseTheCheaperDirectionAndPutSeparatePartsApart() {
        double[][] costs = {
            {Double.NaN, 30, Double.NaN},
            {20, Double.NaN, Double.NaN},
            {Double.NaN, Double.NaN, Double.NaN}
        };
        double[][] d = NetworkCoordinates.overlayDelays(costs);
        assertThat(d[0][1]).isEqualTo(20);
        assertThat(d[1][0]).isEqualTo(20);
        assertThat(d[0][2]).isEqualTo(30); // 1.5 times the largest finite delay
        assertThat(d[2][2]).isZero();
        double[][] xy = NetworkCoordinates.classicalMds(d);
        assertThat(dist(xy[0], xy[1])).isLessThan(dist(xy[0], xy[2]));
    }

    @Test
    void placementIsDeterministicAndCopesWithTinyInputs() {
        assertThat(NetworkCoordinates.classicalMds(new double[0][0])).isEmpty();
        assertThat(NetworkCoordinates.classicalMds(new double[][] {{0}})[0]).containsExactly(0, 0);
        double[][] two = NetworkCoordinates.classicalMds(new double[][] {{0, 40}, {40, 0}});
        assertThat(dist(two[0], two[1])).isCloseTo(40, within(1e-9));
        double[][] d = {{0, 3, 4}, {3, 0, 5}, {4, 5, 0}};
        assertThat(NetworkCoordinates.classicalMds(d)).isDeepEqualTo(NetworkCoordinates.classicalMds(d));
    }
}
