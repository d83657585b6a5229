package io.egoist.node.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.egoist.core.ConnId;
import io.egoist.core.Effect;
import io.egoist.core.Event;
import io.egoist.latency.LatencyMatrix;
import io.egoist.wire.NodeId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LatencyEmulationTest {
    private static final LatencyMatrix M =
            LatencyMatrix.parse("test.csv", "node,A,B,C\nA,0,100,40\nB,100,0,70\nC,40,70,0\n");
    private static final NodeId A = NodeId.parse("127.0.0.1:7000");
    private static final NodeId B = NodeId.parse("127.0.0.1:7002");
    private static final NodeId C = NodeId.parse("127.0.0.1:7004");

    @Test
    void delayIsHalfTheMatrixRttToTheMappedPeerOnItsMainAndEchoPort() {
        LatencyEmulation e = LatencyEmulation.withMap(M, "A", Map.of(B, "B", C, "C"));
        assertThat(e.delayMillis("127.0.0.1", 7002)).isEqualTo(50.0);
        assertThat(e.delayMillis("127.0.0.1", 7003)).isEqualTo(50.0); // B's echo port
        assertThat(e.delayMillis("127.0.0.1", 7004)).isEqualTo(20.0);
        assertThat(e.rttTo(C)).hasValue(40.0);
        assertThat(e.nameOf(B)).hasValue("B");
    }

    @Test
    void aRefusedPeerRefusesConnectsToItsMainPortOnlyUntilAllowedAgain() {
        LatencyEmulation e = LatencyEmulation.withMap(M, "A", Map.of(B, "B", C, "C"));
        assertThat(e.refusesConnect("127.0.0.1", 7002)).isFalse(); // none by default
        e.refuseConnects(B, true);
        assertThat(e.refusesConnect("127.0.0.1", 7002)).isTrue();
        assertThat(e.refusesConnect("127.0.0.1", 7003)).isFalse(); // its echo port: still probed
        assertThat(e.refusesConnect("127.0.0.1", 7004)).isFalse(); // another peer
        assertThat(e.delayMillis("127.0.0.1", 7002)).isEqualTo(50.0); // the delay is unchanged
        assertThat(e.refusedConnects()).isEqualTo(1);
        e.refuseConnects(B, false);
        assertThat(e.refusesConnect("127.0.0.1", 7002)).isFalse();
        assertThat(e.refusedConnects()).isEqualTo(1);
    }

    @Test
    void unmappedPeersSuchAsTheTrackerGetNoDelay() {
        LatencyEmulation e = LatencyEmulation.withMap(M, "A", Map.of(B, "B"));
        assertThat(e.delayMillis("127.0.0.1", 61223)).isZero();
        assertThat(e.delayMillis("10.0.0.1", 7002)).isZero();
        assertThat(e.rttTo(C)).isEmpty();
    }

    @Test
    void registrationOrderMapsTheIthNodeOfTheTrackerListToTheIthName() {
        LatencyEmulation e = LatencyEmulation.byRegistrationOrder(M, "B");
        e.setSelf(B);
        assertThat(e.delayMillis("127.0.0.1", 7000)).isZero(); // nothing learned yet
        e.learnNodeList(List.of(A, B));
        assertThat(e.delayMillis("127.0.0.1", 7000)).isEqualTo(50.0);
        e.learnNodeList(List.of(A, B, C));
        assertThat(e.delayMillis("127.0.0.1", 7005)).isEqualTo(35.0);
        // a node keeps its first name even if the list shifts later (A removed)
        e.learnNodeList(List.of(B, C));
        assertThat(e.nameOf(C)).hasValue("C");
    }

    @Test
    void anExplicitMapIgnoresTheTrackerList() {
        LatencyEmulation e = LatencyEmulation.withMap(M, "A", Map.of(B, "C"));
        e.learnNodeList(List.of(C, B, A));
        assertThat(e.nameOf(B)).hasValue("C");
        assertThat(e.nameOf(C)).isEmpty();
    }

    @Test
    void unknownOwnNameIsRejectedWithTheMatrixNames() {
        assertThatThrownBy(() -> LatencyEmulation.byRegistrationOrder(M, "Z"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'Z'")
                .hasMessageContaining("A, B, C");
    }

    @Test
    void mapFileIsReadWithCommentsAndBlankLines(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("map.txt");
        Files.writeString(f, "# peers\n127.0.0.1:7000 A\n\n  127.0.0.1:7002   B  # the second\n");
        assertThat(LatencyEmulation.readMap(f, M)).containsExactly(Map.entry(A, "A"), Map.entry(B, "B"));
    }

    @Test
    void badMapFileLinesAreRejectedNamingTheLine(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("map.txt");
        Files.writeString(f, "127.0.0.1:7000 A\n127.0.0.1:7002\n");
        assertThatThrownBy(() -> LatencyEmulation.readMap(f, M))
                .hasMessageContaining("line 2")
                .hasMessageContaining("ip:port NAME");
        Files.writeString(f, "127.0.0.1:7000 Q\n");
        assertThatThrownBy(() -> LatencyEmulation.readMap(f, M))
                .hasMessageContaining("line 1")
                .hasMessageContaining("'Q'");
        Files.writeString(f, "127.0.0.1:99999 A\n");
        assertThatThrownBy(() -> LatencyEmulation.readMap(f, M))
                .hasMessageContaining("line 1")
                .hasMessageContaining("port");
        Files.writeString(f, "127.0.0.1:7000 A\n127.0.0.1:7000 B\n");
        assertThatThrownBy(() -> LatencyEmulation.readMap(f, M))
                .hasMessageContaining("line 2")
                .hasMessageContaining("twice");
    }

    @Test
    void trackerRepliesSeenOnTrackerConnectionsYieldTheNodeListInOrder() {
        List<List<NodeId>> lists = new ArrayList<>();
        TrackerListSniffer s = new TrackerListSniffer("127.0.0.1", 61223, lists::add);
        ConnId tracker = new ConnId(1), peer = new ConnId(2);
        s.onEffect(new Effect.Connect(tracker, "127.0.0.1", 61223));
        s.onEffect(new Effect.Connect(peer, "127.0.0.1", 7002));
        // a peer cannot inject a node list
        s.onEvent(new Event.LineReceived(peer, "REG@127.0.0.1:9999#"));
        assertThat(lists).isEmpty();
        // a segmented reply: OVER lines, then NET lines
        s.onEvent(new Event.LineReceived(tracker, "OVER@127.0.0.1:7004@127.0.0.1:7000SEG"));
        s.onEvent(new Event.LineReceived(tracker, "OVER@127.0.0.1:7002"));
        assertThat(lists).isEmpty();
        s.onEvent(new Event.LineReceived(tracker, "NET"));
        assertThat(lists).containsExactly(List.of(C, A, B));
        // a one-line reply on a new tracker connection
        ConnId again = new ConnId(3);
        s.onEffect(new Effect.Connect(again, "127.0.0.1", 61223));
        s.onEvent(new Event.LineReceived(again, "REG@127.0.0.1:7000@127.0.0.1:7002#"));
        assertThat(lists).hasSize(2);
        assertThat(lists.get(1)).containsExactly(A, B);
    }
}
