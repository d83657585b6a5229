package io.egoist.sns;

/**
 * What node {@code self} knows when it chooses its {@code k} out-neighbors.
 *
 * @param self       the choosing node
 * @param k          how many out-neighbors to choose (less when fewer candidates exist)
 * @param direct     {@code direct[j]} = the cost (or bandwidth) of a direct link self → j as self measures it;
 *                   {@code NaN} or infinite = not a candidate (unknown or dead); {@code direct[self]} is ignored;
 *                   negative values are rejected. With uniform preferences the candidates are also the
 *                   destinations C_i averages over (see {@link Costs})
 * @param residual   the overlay without self's own out-links (G − i); any out-links of self still in it are
 *                   ignored, so passing the whole overlay G is equivalent (and saves a copy)
 * @param current    self's current out-neighbors (may be empty); BR(ε) and the legacy swap start from them
 * @param metric     delay (additive, minimise) or bandwidth (bottleneck, maximise)
 * @param preference {@code preference[j]} = p_ij, or {@code null} for uniform preferences
 */
public record WiringProblem(
        int self, int k, double[] direct, Graph residual, int[] current, Metric metric, double[] preference) {

    public static WiringProblem delay(int self, int k, double[] direct, Graph residual, int[] current) {
        return new WiringProblem(self, k, direct, residual, current, Metric.DELAY, null);
    }

    public int size() {
        return direct.length;
    }
}
