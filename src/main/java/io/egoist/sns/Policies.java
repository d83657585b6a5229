package io.egoist.sns;

import java.util.List;

/** The catalogue of wiring policies by the names the CLI uses, plus factories with parameters. */
public final class Policies {
    private Policies() {}

    /** br, br-eps, k-random, k-closest, k-regular, full-mesh, hybrid-br, legacy-swap, sampling-br. */
    public static final List<String> NAMES = List.of(
            "br",
            "br-eps",
            "k-random",
            "k-closest",
            "k-regular",
            "full-mesh",
            "hybrid-br",
            "legacy-swap",
            "sampling-br");

    /** Default sample size of {@code sampling-br}. */
    public static final int DEFAULT_SAMPLES = 50;
    /** Default donated links of {@code hybrid-br} (capped at k − 1 per problem). */
    public static final int DEFAULT_K2 = 2;

    /**
     * The policy with default parameters (ε = 0.1, sampling m = 50 uniform, hybrid k2 = 2 when k ≥ 3 — the
     * effective k2 is min(2, k − 1)).
     *
     * @throws IllegalArgumentException for an unknown name (the message lists the known ones)
     */
    public static WiringPolicy byName(String name) {
        if (name == null) {
            throw new IllegalArgumentException("policy name is null; known: " + String.join(", ", NAMES));
        }
        switch (name) {
            case "br":
                return br();
            case "br-eps":
                return brEpsilon(BrEpsilonPolicy.DEFAULT_EPSILON);
            case "k-random":
                return kRandom();
            case "k-closest":
                return kClosest();
            case "k-regular":
                return kRegular();
            case "full-mesh":
                return fullMesh();
            case "hybrid-br":
                return hybridBr(DEFAULT_K2);
            case "legacy-swap":
                return legacySwap();
            case "sampling-br":
                return samplingBr(DEFAULT_SAMPLES, false);
            default:
                throw new IllegalArgumentException("unknown policy '" + name + "'; known: " + String.join(", ", NAMES));
        }
    }

    public static BestResponsePolicy br() {
        return new BestResponsePolicy();
    }

    /** br with an explicit exact-search budget in table cells (0 forces local search) and ρ (0 = auto, 1 or 2). */
    public static BestResponsePolicy br(long exactLimit, int rho) {
        return new BestResponsePolicy(exactLimit, rho);
    }

    public static BrEpsilonPolicy brEpsilon(double epsilon) {
        return new BrEpsilonPolicy(epsilon);
    }

    public static KRandomPolicy kRandom() {
        return new KRandomPolicy();
    }

    public static KClosestPolicy kClosest() {
        return new KClosestPolicy();
    }

    public static KRegularPolicy kRegular() {
        return new KRegularPolicy();
    }

    public static FullMeshPolicy fullMesh() {
        return new FullMeshPolicy();
    }

    public static HybridBrPolicy hybridBr(int k2) {
        return new HybridBrPolicy(k2);
    }

    public static LegacySwapPolicy legacySwap() {
        return new LegacySwapPolicy();
    }

    /** sampling-br with m samples, uniform or topology-biased (radius 1, m' = 2m). */
    public static SamplingBrPolicy samplingBr(int m, boolean biased) {
        return new SamplingBrPolicy(m, biased);
    }

    /** sampling-br with every parameter: biased radius r ∈ {1, 2}, m' = oversample·m drawn before scoring. */
    public static SamplingBrPolicy samplingBr(int m, boolean biased, int radius, int oversample) {
        return new SamplingBrPolicy(
                m, biased, radius, oversample, BestResponsePolicy.DEFAULT_EXACT_BUDGET, BestResponsePolicy.RHO_AUTO);
    }
}
