package io.egoist.sim;

/**
 * One cell of the comparison: the overlay where every node uses {@code policy} with {@code k} links.
 *
 * @param meanCost        mean over nodes of C_i (ms; sum over destinations of the shortest overlay path)
 * @param socialCost      sum over nodes of C_i (ms)
 * @param ratioToBr       meanCost / BR's meanCost at the same k
 * @param ratioToFullMesh meanCost / the full mesh's meanCost
 * @param rounds          best-response rounds run (0 for one-shot heuristics and the full mesh)
 * @param rewirings       node re-wirings over all rounds (0 for one-shot heuristics and the full mesh)
 * @param converged       the last round changed nothing (always true for one-shot overlays)
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
        boolean converged) {}
