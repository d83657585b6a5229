package io.egoist.sns;

import java.util.Random;

/** A rule for choosing a node's out-neighbors. Pure: all randomness comes from the given Random. */
public interface WiringPolicy {

    /** The policy's name as the CLI spells it (e.g. {@code br}, {@code k-closest}). */
    String name();

    /**
     * Node {@code problem.self()}'s new out-neighbors: distinct, never self, only candidates with a
     * finite direct cost, {@code min(k, candidates)} of them.
     */
    int[] choose(WiringProblem problem, Random random);
}
