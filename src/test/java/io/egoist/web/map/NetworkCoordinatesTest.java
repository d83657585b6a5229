package io.egoist.web.map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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
        double[][] xy = NetworkCoordinates.classicalMds(delays);
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
