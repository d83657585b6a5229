package io.egoist.sim.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.node.NodeConfig;
import io.egoist.wire.NodeId;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Policy br with and without the noise guard, 30 nodes on the RIPE matrix, demo periods (probe 2 s, step 3 s). */
class RewireNoiseGuardSimTest {

    /** changes = wiring changes by periodic steps; lastChangeS = virtual second of the last one; upt = UPT lines sent. */
    record Dyn(long changes, long lateChanges, double lastChangeS, long uptLines, double meanCost) {}

    static Dyn run(long seed, UnaryOperator<NodeConfig> tune, long untilMs) {
        SimOverlay o = SimOverlay.ripe(
                30,
                seed,
                c -> tune.apply(c.withPingPeriodMs(2000).withPingTimeoutMs(1000).withRewirePeriodMs(3000)));
        VirtualNetwork net = o.net();
        o.startAll(10_000, new Random(seed));
        long[] last = {0};
        long lastChanges = 0, late = 0;
        for (long t = 11_000; t <= untilMs; t += 1000) {
            net.runUntil(t);
            long c = 0;
            for (NodeId id : o.ids()) c += o.core(id).counters().changes;
            if (c != lastChanges) last[0] = t;
            if (t > untilMs / 2) late += c - lastChanges;
            lastChanges = c;
        }
        long upt = 0;
        double cost = 0;
        for (NodeId id : o.ids()) {
            long[] u = net.sentBy(id).get("node:UPT");
            upt += u == null ? 0 : u[0];
            cost += o.core(id).status().ownCost();
        }
        return new Dyn(lastChanges, late, last[0] / 1000.0, upt, cost / o.ids().size());
    }

    @Test
    void theNoiseGuardCutsReWiringsAndLinkStateTraffic() {
        long seed = 1;
        Dyn plain = run(seed, c -> c.withRewireMinGain(0, 0), 150_000);
        Dyn guarded = run(seed, c -> c, 150_000);
        System.out.println("br seed " + seed + " without guard: " + plain);
        System.out.println("br seed " + seed + " with guard:    " + guarded);
        assertThat(guarded.changes()).isLessThan(plain.changes());
        assertThat(guarded.uptLines()).isLessThan(plain.uptLines());
        assertThat(guarded.lastChangeS()).isLessThan(plain.lastChangeS());
    }
}
