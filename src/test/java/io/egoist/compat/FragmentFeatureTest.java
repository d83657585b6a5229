package io.egoist.compat;

import static io.egoist.compat.OurNodes.features;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.egoist.node.NodeConfig;
import io.egoist.node.runtime.EgoistNode;
import io.egoist.tracker.TrackerConfig;
import io.egoist.tracker.TrackerServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * DATA fragments go only to a destination that announced reassembly (HELLO feature {@code frag}); to another one
 * (an older node of ours) a payload over one line fails at the sender with a clear error, and nothing reaches it.
 */
class FragmentFeatureTest {
    @TempDir
    Path dir;

    @RegisterExtension
    final Closer closer = new Closer();

    @Test
    void aPayloadOverOneLineGoesOnlyToANodeThatReassemblesFragments() throws Exception {
        TrackerServer t = closer.track(
                TrackerServer.start(TrackerConfig.forTest(dir).withHttpPort(-1).withExpireAfterMs(60_000)));
        EgoistNode withFrag = closer.track(OurNodes.start(OurNodes.config(t.port(), 1)));
        List<String> old = List.of(NodeConfig.FEATURE_HB, NodeConfig.FEATURE_DATA, NodeConfig.FEATURE_BACK);
        EgoistNode without =
                closer.track(OurNodes.start(OurNodes.config(t.port(), 1).withFeatures(old)));
        CopyOnWriteArrayList<byte[]> gotWithout = new CopyOnWriteArrayList<>();
        without.onReceive(m -> gotWithout.add(m.payload()));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(features(withFrag, without.id())).containsExactlyElementsOf(old);
            assertThat(features(without, withFrag.id())).contains(NodeConfig.FEATURE_FRAG);
            assertThat(OurNodes.route(withFrag, without.id())).isPresent();
            assertThat(OurNodes.route(without, withFrag.id())).isPresent();
        });
        byte[] big = new byte[20_000];
        new Random(3).nextBytes(big);

        assertThat(withFrag.send(without.id(), big))
                .failsWithin(Duration.ofSeconds(10))
                .withThrowableOfType(ExecutionException.class)
                .withMessageContaining("does not reassemble fragments")
                .withMessageContaining("20000 bytes");
        // a payload of one line still goes
        withFrag.send(without.id(), new byte[1_000]).get(20, TimeUnit.SECONDS);
        assertThat(gotWithout).singleElement().satisfies(p -> assertThat(p).hasSize(1_000));
        // and the node that reassembles gets the big one
        CopyOnWriteArrayList<byte[]> gotWith = new CopyOnWriteArrayList<>();
        withFrag.onReceive(m -> gotWith.add(m.payload()));
        without.send(withFrag.id(), big).get(20, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> gotWith.stream().anyMatch(p -> java.util.Arrays.equals(p, big)));
    }
}
