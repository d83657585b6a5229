package io.egoist.node;

import static io.egoist.node.Driver.id;
import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.core.ConnId;
import io.egoist.core.Effect;
import io.egoist.core.Event;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Two rules of the node that nothing else pins down: a link cost that moves by more than 10 % is announced at
 * the next wiring step (not only at the 5-minute refresh), and a node believed dead that floods an update is
 * probed at once (it may have restarted) instead of at its next periodic probe.
 */
class NodeAnnounceAndReviveTest {

    @Test
    void aLinkCostMovedByMoreThanTenPercentIsAnnouncedBeforeTheRefreshIsDue() {
        Driver d = new Driver(Driver.config(1).withK(1).withPolicy("k-closest"));
        d.rtts.put(id(2), 100.0);
        d.rtts.put(id(3), 300.0);
        d.join(List.of(id(2), id(3)), List.of());
        d.advance(2_000);
        int first = d.core.ownSequence();
        assertThat(first).isNotNegative();
        assertThat(d.core.announcedLinks())
                .singleElement()
                .satisfies(l -> assertThat(l.cost()).isEqualTo(100.0));
        long refreshDue = d.now - 2_000 + d.core.config().announceRefreshMs();

        d.rtts.put(id(2), 105.0); // 5 %: noise, not announced
        d.advance(150_000);
        assertThat(d.core.ownSequence()).isEqualTo(first);

        d.rtts.put(id(2), 130.0); // 30 %: announced at the next wiring step
        d.advanceTo(refreshDue - 5_000);
        assertThat(d.core.ownSequence()).isEqualTo(first + 1);
        assertThat(d.core.announcedLinks())
                .singleElement()
                .satisfies(l -> assertThat(l.cost()).isGreaterThan(110.0)); // against the last announced 100
    }

    @Test
    void aDeadNodeThatFloodsAnUpdateIsProbedAtOnce() {
        Driver d = new Driver(Driver.config(1).withK(1).withPolicy("k-closest"));
        d.rtts.put(id(2), 10.0);
        d.rtts.put(id(5), -1.0); // does not answer: dead after its first probe
        d.join(List.of(id(2), id(5)), List.of());
        d.advance(5_000);
        assertThat(d.core.liveNodes()).containsExactly(id(2));
        assertThat(d.core.knownNodes()).contains(id(5));

        ConnId in = new ConnId(-7);
        d.on(new Event.Accepted(in, "10.0.0.5", 40007));
        List<Effect> e = d.on(new Event.LineReceived(in, Driver.update("ab12", 7, id(5), 10, id(2))));
        assertThat(Driver.ofType(e, Effect.Probe.class))
                .extracting(Effect.Probe::target)
                .containsExactly(id(5));
        assertThat(d.timers.get("probe:" + id(5)))
                .as("the periodic schedule is not moved")
                .isGreaterThan(d.now);
    }
}
