package io.egoist.sim;

/**
 * One cell of the comparison: the overlay where every node uses {@code policy} with {@code k} links.
 *
 * @param meanCost        mean over nodes of C_i (ms): for BR variants that did not converge, averaged over the
 *                        last {@code roundsAveraged} rounds; for k-random, averaged over {@code draws} draws
 * @param socialCost      sum over nodes of C_i (ms), averaged the same way
 * @param ratioToBr       meanCost / BR's meanCost at the same k
 * @param ratioToFullMesh meanCost / the full mesh's meanCost
 * @param rounds          best-response rounds run (0 for one-shot heuristics and the full mesh)
 * @param rewirings       node re-wirings over all rounds (0 for one-shot heuristics and the full mesh)
 * @param converged       the last round changed nothing (always true for one-shot overlays)
 * @param meanCostSd      standard deviation of the averaged mean costs (rounds or draws; 0 when only one)
 * @param draws           independent random draws averaged (k-random; 1 otherwise)
 * @param roundsAveraged  last rounds averaged (BR variants that did not converge; 1 otherwise)
 */
public record PolicyResult(
        int k,
        String policy,
        double meanCost,
        double socialCost,
        double ratioToBr,
        double ratioToFullMesh,
        int rounds,
        int rewirings,
        boolean converged,
        double meanCostSd,
        int draws,
        int roundsAveraged) {}
