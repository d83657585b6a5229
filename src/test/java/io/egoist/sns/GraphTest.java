package io.egoist.sns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GraphTest {
    @Test
    void setEdgeAddsThenReplacesWithoutDuplicating() {
        Graph g = new Graph(3);
        g.setEdge(0, 1, 5);
        g.setEdge(0, 1, 7);
        assertThat(g.edgeCount()).isEqualTo(1);
        assertThat(g.weight(0, 1)).isEqualTo(7);
        assertThat(g.weight(1, 0)).isNaN();
    }

    @Test
    void removeAndClearOutEdgesKeepCountsRight() {
        Graph g = new Graph(4);
        g.setEdge(0, 1, 1);
        g.setEdge(0, 2, 2);
        g.setEdge(0, 3, 3);
        g.setEdge(1, 0, 4);
        g.removeEdge(0, 2);
        assertThat(g.outNeighbors(0)).containsExactlyInAnyOrder(1, 3);
        assertThat(g.edgeCount()).isEqualTo(3);
        g.removeEdge(0, 2); // absent: no-op
        assertThat(g.edgeCount()).isEqualTo(3);
        g.clearOutEdges(0);
        assertThat(g.outNeighbors(0)).isEmpty();
        assertThat(g.edgeCount()).isEqualTo(1);
        assertThat(g.weight(1, 0)).isEqualTo(4);
    }

    @Test
    void copyIsIndependent() {
        Graph g = new Graph(3);
        g.setEdge(0, 1, 1);
        Graph c = g.copy();
        c.setEdge(1, 2, 2);
        c.clearOutEdges(0);
        assertThat(g.edgeCount()).isEqualTo(1);
        assertThat(g.weight(0, 1)).isEqualTo(1);
        assertThat(c.edgeCount()).isEqualTo(1);
    }

    @Test
    void manyEdgesGrowAdjacency() {
        Graph g = new Graph(100);
        for (int v = 1; v < 100; v++) {
            g.setEdge(0, v, v);
        }
        assertThat(g.outDegree(0)).isEqualTo(99);
        assertThat(g.weight(0, 99)).isEqualTo(99);
    }

    @Test
    void rejectsSelfLoopsNegativeAndNonFiniteWeights() {
        Graph g = new Graph(2);
        assertThatThrownBy(() -> g.setEdge(0, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> g.setEdge(0, 1, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> g.setEdge(0, 1, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> g.setEdge(0, 1, Double.POSITIVE_INFINITY))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> g.setEdge(0, 2, 1)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
