package io.egoist.node.probe;

import static io.egoist.node.Parts.id;
import static io.egoist.node.Parts.ofType;
import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.core.Effect;
import io.egoist.node.NodeConfig;
import io.egoist.node.NodeContext;
import io.egoist.node.NodeTimers;
import io.egoist.node.Parts;
import org.junit.jupiter.api.Test;

/** Measurements alone: probe schedule, RTT history, dead/alive. */
class MeasurementsTest {
    private final NodeConfig cfg = Parts.config(1);
    private final NodeContext ctx = Parts.context(cfg);
    private final Measurements m = new Measurements(ctx);

    @Test
    void aLearnedNodeIsProbedAfterTheFirstDelayThenEveryPeriod() {
        assertThat(m.learn(id(1))).isNull(); // ourselves
        Peer p = m.learn(id(2));
        assertThat(p).isNotNull();
        assertThat(m.learn(id(2))).isNull(); // known
        assertThat(ofType(ctx.drain(), Effect.SetTimer.class))
                .containsExactly(new Effect.SetTimer(NodeTimers.probe(id(2)), ctx.now() + cfg.firstProbeDelayMs()));
        assertThat(m.allProbed()).isFalse();
        m.onProbeTimer(id(2));
        assertThat(ctx.drain())
                .containsExactly(
                        new Effect.Probe(id(2), cfg.pingTimeoutMs()),
                        new Effect.SetTimer(NodeTimers.probe(id(2)), ctx.now() + cfg.pingPeriodMs()));
    }

    @Test
    void theFirstAnswerIsReTakenAtOnceThenTheCostIsTheMeanOfTheLastThree() {
        m.learn(id(2));
        ctx.drain();
        m.onProbeResult(id(2), 118); // a cold first answer
        assertThat(ctx.drain()).containsExactly(new Effect.Probe(id(2), cfg.pingTimeoutMs()));
        assertThat(m.allProbed()).as("the first wiring waits for the re-take").isFalse();
        m.onProbeResult(id(2), 30);
        assertThat(m.allProbed()).isTrue();
        assertThat(m.measuredCost(id(2)))
                .as("the re-take replaces the warm-up answer")
                .isEqualTo(30.0);
        assertThat(ctx.drain()).isEmpty();
        m.onProbeResult(id(2), 60);
        assertThat(m.measuredCost(id(2))).isEqualTo(40.0);
        m.onProbeResult(id(2), 90);
        m.onProbeResult(id(2), 90);
        assertThat(m.measuredCost(id(2))).isEqualTo(80.0);
    }

    @Test
    void anUnansweredProbeMakesANodeDeadUntilItAnswersAgain() {
        m.learn(id(2));
        m.onProbeResult(id(2), 30);
        Measurements.Outcome o = m.onProbeResult(id(2), -1);
        assertThat(o.changed()).isTrue();
        assertThat(o.peer().dead()).isTrue();
        assertThat(o.peer().candidate()).isFalse();
        assertThat(m.liveIds()).isEmpty();
        assertThat(m.measuredCost(id(2))).isNaN();
        o = m.onProbeResult(id(2), 50);
        assertThat(o.wasDead()).isTrue();
        assertThat(o.peer().dead()).isFalse();
        assertThat(m.measuredCost(id(2))).isEqualTo(50.0); // the history is refilled, no HUGE_DELAY left
    }

    @Test
    void aRemovalAfterMissedHeartbeatsIsDueOnlyIfTheConfirmingProbeFails() {
        m.learn(id(2));
        m.learn(id(3));
        m.onProbeResult(id(2), 30);
        m.onProbeResult(id(3), 30);
        ctx.drain();
        m.linkFailed(m.peer(id(2)), true);
        assertThat(ctx.drain()).containsExactly(new Effect.Probe(id(2), cfg.pingTimeoutMs()));
        assertThat(m.onProbeResult(id(2), 31).reportRemove()).isFalse();
        m.linkFailed(m.peer(id(3)), true);
        assertThat(m.onProbeResult(id(3), -1).reportRemove()).isTrue();
    }
}
