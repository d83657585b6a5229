package io.egoist.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.egoist.compat.V02Node.Config;
import io.egoist.tracker.TrackerConfig;
import io.egoist.tracker.TrackerCore;
import io.egoist.tracker.TrackerServer;
import io.egoist.wire.NodeId;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Silence is not death: three v0.2 nodes with k = 2 never re-wire (they would need k + 2 nodes), so after
 * their first UPT they send the tracker nothing more; their echo ports still answer. Our tracker (source checks
 * on) probes them when they have been silent for expire-after and keeps them; a node that is really gone (its
 * echo port closed) is then expired.
 */
class SilentV02NodesStayTest {

    @TempDir
    Path dir;

    @RegisterExtension
    final Closer closer = new Closer();

    @Test
    void silentV02NodesThatAnswerProbesAreNotExpiredAndADeadOneIs() throws Exception {
        TrackerServer t = closer.track(TrackerServer.start(TrackerConfig.forTest(dir)
                .withHttpPort(-1)
                .withRemovePeriodMs(300)
                .withExpireAfterMs(600)
                .withPingTimeoutMs(500)));
        V02Node a = closer.track(V02Node.start(t.port(), Config.of(2)));
        V02Node b = closer.track(V02Node.start(t.port(), Config.of(2)));
        V02Node c = closer.track(V02Node.start(t.port(), Config.of(2)));
        List<NodeId> ids = List.of(NodeId.parse(a.id()), NodeId.parse(b.id()), NodeId.parse(c.id()));
        await().atMost(Duration.ofSeconds(10)).until(() -> t.snapshot().ids().containsAll(ids));

        // many times expire-after and many sweeps: all three stay, because their echo ports answer
        await().during(Duration.ofSeconds(4))
                .atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> t.snapshot().ids().containsAll(ids));
        assertThat(a.echoLines()).as("the tracker probed a").isNotEmpty();
        assertThat(t.counters().removal(TrackerCore.CAUSE_EXPIRED)).isZero();

        c.close(); // gone: its echo port no longer answers
        await().atMost(Duration.ofSeconds(15)).until(() -> !t.snapshot().ids().contains(ids.get(2)));
        assertThat(t.snapshot().ids()).containsExactly(ids.get(0), ids.get(1));
        assertThat(t.counters().removal(TrackerCore.CAUSE_EXPIRED)).isEqualTo(1);
        assertThat(t.counters().nacks()).isEmpty();
    }
}
