package io.egoist.node;

import io.egoist.wire.NodeId;
import java.util.List;

/**
 * A snapshot of a node for the control API and tests.
 *
 * @param id         the node
 * @param phase      JOINING (waiting for the tracker), MEASURING (first probes) or RUNNING
 * @param policy     wiring policy name
 * @param k          configured number of out-neighbors
 * @param neighbors  current out-neighbors with their measured costs
 * @param knownNodes other nodes this node knows of (alive or not yet known dead), self excluded
 * @param ownCost    C_i: sum over known live destinations of the shortest-path cost over the node's view
 *                   (an unreachable one counts {@link io.egoist.sns.Costs#UNREACHABLE_PENALTY})
 * @param unreachable how many known live destinations have no route
 * @param features   our extensions
 */
public record NodeStatus(
        NodeId id,
        String phase,
        String policy,
        int k,
        List<Neighbor> neighbors,
        int knownNodes,
        double ownCost,
        int unreachable,
        List<String> features) {
    public NodeStatus {
        neighbors = List.copyOf(neighbors);
        features = List.copyOf(features);
    }

    /**
     * An out-neighbor: its measured cost (ms, mean of the last 3 RTTs), whether the link is up, and the
     * extensions it advertised ({@code null} while unknown; empty for a v0.2 peer).
     */
    public record Neighbor(NodeId node, double cost, boolean connected, List<String> features) {}
}
