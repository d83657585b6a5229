package io.egoist.sim.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.node.NodeConfig;
import io.egoist.wire.NodeId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Messages sent continuously while 30 nodes join and re-wire (demo periods: probe every 2 s, a BR step every 3 s)
 * on the RIPE matrix. Without holding, messages die whenever a destination's in-links are all being replaced
 * at once (its in-neighbors re-wire within the same few hundred ms) or its link state has not arrived yet.
 */
class DataDuringRewiringTest {

    record Run(List<VirtualNetwork.DataOutcome> outcomes, Map<String, Long> drops, long held, long heldSent) {
        List<VirtualNetwork.DataOutcome> lost() {
            return outcomes.stream().filter(x -> !x.acked()).toList();
        }
    }

    /** 30 nodes start within 10 s; from 15 s to 105 s a message every 50 ms between random pairs. */
    static Run run(long seed, UnaryOperator<NodeConfig> tune) {
        SimOverlay o = SimOverlay.ripe(
                30,
                seed,
                c -> tune.apply(c.withPingPeriodMs(2000).withPingTimeoutMs(1000).withRewirePeriodMs(3000)));
        VirtualNetwork net = o.net();
        long[] dataLinesLost = {0};
        net.addListener(new VirtualNetwork.Listener() {
            @Override
            public void lineLost(String from, String to, String line) {
                if (line.startsWith("DATA@") || line.startsWith("DACK@")) dataLinesLost[0]++;
            }
        });
        o.startAll(10_000, new Random(seed));
        Random r = new Random(seed + 100);
        List<VirtualNetwork.DataOutcome> outs = new ArrayList<>();
        int i = 0;
        for (long t = 15_000; t < 105_000; t += 50) {
            net.runUntil(t);
            NodeId a = o.ids().get(r.nextInt(30));
            NodeId b = o.ids().get(r.nextInt(30));
            if (a.equals(b)) continue;
            outs.add(net.sendData(a, b, ("m" + i++).getBytes(StandardCharsets.UTF_8)));
        }
        net.runFor(8_000); // every outcome is in: data timeout 5 s
        Map<String, Long> drops = new TreeMap<>();
        long held = 0, heldSent = 0;
        for (NodeId id : o.ids()) {
            o.core(id).counters().drops.forEach((k, v) -> drops.merge(k, v, Long::sum));
            held += o.core(id).counters().held;
            heldSent += o.core(id).counters().heldSent;
        }
        assertThat(net.violations()).isZero();
        assertThat(dataLinesLost[0]).isZero(); // no DATA/DACK dies in the network (links close after their lines)
        return new Run(outs, drops, held, heldSent);
    }

    @Test
    void noMessageIsLostWhileTheOverlayConvergesAndReWires() {
        Run run = run(2, c -> c);
        System.out.println("data during re-wiring (30 nodes, seed 2): sent="
                + run.outcomes().size() + " lost=" + run.lost().size() + " held=" + run.held() + " sent_after_hold="
                + run.heldSent() + " drops=" + run.drops());
        assertThat(run.outcomes()).hasSizeGreaterThan(1700);
        assertThat(run.lost())
                .as("every destination is a live node that becomes reachable within the hold time")
                .isEmpty();
        assertThat(run.held())
                .as("the run does hit the windows without a route")
                .isPositive();
        assertThat(run.heldSent()).isEqualTo(run.held());
        assertThat(run.drops().getOrDefault("no_route", 0L) + run.drops().getOrDefault("no_route_for_ack", 0L))
                .isZero();
    }

    @Test
    void withoutHoldingTheSameRunLosesMessagesForLackOfARoute() {
        Run run = run(2, c -> c.withDataHoldMs(0));
        System.out.println("data during re-wiring without holding (seed 2): lost="
                + run.lost().size() + " drops=" + run.drops());
        assertThat(run.lost()).isNotEmpty();
        assertThat(run.held()).isZero();
        long noRoute = run.drops().getOrDefault("no_route", 0L) + run.drops().getOrDefault("no_route_for_ack", 0L);
        long failedAtSource = run.lost().stream()
                .filter(x -> x.failed() && x.reason().startsWith("no route"))
                .count();
        assertThat(noRoute + failedAtSource).isEqualTo(run.lost().size()); // every loss is a missing route
    }
}
