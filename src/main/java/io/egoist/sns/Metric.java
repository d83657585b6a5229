package io.egoist.sns;

/** How a path is valued; one at a time, never mixed. */
public enum Metric {
    /** Additive: path cost = sum of link delays; lower is better. */
    DELAY,
    /** Bottleneck: path value = the minimum link bandwidth (widest path); higher is better. */
    BANDWIDTH
}
