package io.egoist.node.wiring;

import io.egoist.node.NodeConfig;

/**
 * The measurement-noise guard of policy {@code br}: link costs are means of three RTT samples, which move by a
 * few ms and about 1 % from one probe round to the next without any change in the network. A best response that
 * lowers C_i by less than that is indistinguishable from noise; following it makes nodes flip between two
 * wirings of (really) the same cost, which floods link state and keeps the overlay from settling. So a periodic
 * step re-wires only if the new cost is lower by more than max(minGainMs, minGainFraction x current cost).
 * A wiring that is incomplete (a lost or missing neighbor) is always replaced; {@code br-eps} keeps its own ε
 * rule and other policies are not affected.
 */
public final class RewireGuard {
    private RewireGuard() {}

    /** True when the guard applies to this configuration (policy {@code br} with a positive threshold). */
    public static boolean applies(NodeConfig cfg) {
        return cfg.policy().equals("br") && (cfg.rewireMinGainMs() > 0 || cfg.rewireMinGainFraction() > 0);
    }

    /** The smallest gain (ms) that counts as real for a current cost of {@code currentCost}. */
    public static double threshold(NodeConfig cfg, double currentCost) {
        return Math.max(cfg.rewireMinGainMs(), cfg.rewireMinGainFraction() * currentCost);
    }

    /** True iff moving from {@code currentCost} to {@code newCost} is a gain above the noise. */
    public static boolean worthIt(NodeConfig cfg, double currentCost, double newCost) {
        if (!Double.isFinite(currentCost)) return Double.isFinite(newCost) || Double.isNaN(currentCost);
        if (!(newCost < currentCost)) return false;
        return currentCost - newCost > threshold(cfg, currentCost);
    }
}
