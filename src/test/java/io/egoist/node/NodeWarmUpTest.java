package io.egoist.node;

import static io.egoist.node.Driver.id;
import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.core.Effect;
import io.egoist.core.Event;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The first wiring rests on steady-state RTTs: every node's first (warm-up) answer is re-taken at once. */
class NodeWarmUpTest {

    @Test
    void aColdFirstAnswerDoesNotDecideTheFirstWiring() {
        Driver d = new Driver(Driver.config(1).withK(1).withPolicy("k-closest"));
        d.join(List.of(id(2), id(3)), List.of()); // no automatic probe answers
        d.advance(600);
        assertThat(d.core.phase()).isEqualTo(NodeCore.Phase.MEASURING);
        // cold: 2 answers in 118 ms (its steady state is 1 ms), 3 in 40 ms
        assertThat(d.on(new Event.ProbeResult(id(2), 118))).contains(new Effect.Probe(id(2), 3_000));
        assertThat(d.on(new Event.ProbeResult(id(3), 40))).contains(new Effect.Probe(id(3), 3_000));
        assertThat(d.core.phase()).isEqualTo(NodeCore.Phase.MEASURING);
        d.on(new Event.ProbeResult(id(2), 1));
        d.on(new Event.ProbeResult(id(3), 40));
        assertThat(d.core.phase()).isEqualTo(NodeCore.Phase.RUNNING);
        assertThat(d.core.neighbors()).containsExactly(id(2));
        assertThat(d.core.measuredCost(id(2))).isEqualTo(1.0);
    }
}
