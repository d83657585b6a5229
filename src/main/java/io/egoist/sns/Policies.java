package io.egoist.sns;

import java.util.List;

/** The catalogue of wiring policies by the names the CLI uses. */
public final class Policies {
    private Policies() {}

    /** br, br-eps, k-random, k-closest, k-regular, full-mesh, hybrid-br, legacy-swap, sampling-br. */
    public static final List<String> NAMES = List.of(
            "br", "br-eps", "k-random", "k-closest", "k-regular", "full-mesh", "hybrid-br", "legacy-swap", "sampling-br");

    /** The policy with default parameters (ε = 0.1, sampling m = 50 uniform, hybrid k2 = 2 when k ≥ 3). */
    public static WiringPolicy byName(String name) { throw new UnsupportedOperationException("TODO sns"); }
}
