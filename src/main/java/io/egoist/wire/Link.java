package io.egoist.wire;

/** A directed overlay link {@code @src@dst@cost|}, cost in milliseconds (finite, not negative). */
public record Link(NodeId src, NodeId dst, double cost) {
    public Link {
        if (src == null || dst == null) throw new IllegalArgumentException("link endpoint missing");
        if (!Double.isFinite(cost) || cost < 0) throw new IllegalArgumentException("bad link cost: " + cost);
        if (cost == 0) cost = 0.0; // -0.0 and 0.0 are the same cost on the wire; keep equals() consistent
    }
}
