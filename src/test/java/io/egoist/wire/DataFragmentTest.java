package io.egoist.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class DataFragmentTest {
    private static final int MAX = 64 * 1024;

    @Test
    void theLargestSingleLinePayloadFitsOneLineOnTheLongestPath() {
        for (int ttl : new int[] {0, 1, 32, WireCodec.MAX_TTL}) {
            int max = DataFragment.maxLinePayload(ttl);
            NodeId far = new NodeId("255.255.255.255", 65535);
            List<NodeId> path = new ArrayList<>();
            for (int i = 0; i <= ttl; i++) path.add(far);
            String line = WireCodec.encode(
                    new Message.Data("f".repeat(WireCodec.MAX_MSG_ID_LENGTH), ttl, far, far, path, new byte[max]));
            assertThat(line.length()).as("ttl %d", ttl).isLessThanOrEqualTo(Seed.MAX_LENGTH);
            assertThat(WireCodec.decode(WireCodec.Context.PEER_LINK, line)).isInstanceOf(Decoded.Ok.class);
        }
        assertThat(DataFragment.maxLinePayload(32)).isGreaterThan(11_000);
    }

    @Test
    void aSmallPlainPayloadTravelsAsItIs() {
        byte[] p = "hello".getBytes();
        assertThat(DataFragment.split(p, 1, 1000)).containsExactly(p);
        assertThat(DataFragment.parse(p, MAX)).isNull();
    }

    @Test
    void aPayloadThatLooksLikeAFragmentIsSentAsAGroupOfOne() {
        byte[] p = {0, 'E', 'G', 'F', 1, 2, 3};
        List<byte[]> pieces = DataFragment.split(p, 9, 1000);
        assertThat(pieces).hasSize(1);
        DataFragment.Fragment f = DataFragment.parse(pieces.get(0), MAX);
        assertThat(f.count()).isEqualTo(1);
        assertThat(f.data()).isEqualTo(p);
    }

    @Property(tries = 200)
    void splitThenParseGivesBackThePayload(
            @ForAll @IntRange(min = 0, max = MAX) int size, @ForAll @IntRange(min = 100, max = 20_000) int line) {
        byte[] p = new byte[size];
        new Random(size * 31L + line).nextBytes(p);
        List<byte[]> pieces = DataFragment.split(p, 42, line);
        for (byte[] piece : pieces) assertThat(piece.length).isLessThanOrEqualTo(line);
        if (pieces.size() == 1 && DataFragment.parse(pieces.get(0), MAX) == null) {
            assertThat(pieces.get(0)).isEqualTo(p);
            return;
        }
        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        for (int i = 0; i < pieces.size(); i++) {
            DataFragment.Fragment f = DataFragment.parse(pieces.get(i), MAX);
            assertThat(f.group()).isEqualTo(42);
            assertThat(f.index()).isEqualTo(i);
            assertThat(f.count()).isEqualTo(pieces.size());
            assertThat(f.total()).isEqualTo(size);
            whole.writeBytes(f.data());
        }
        assertThat(whole.toByteArray()).isEqualTo(p);
    }

    @Test
    void malformedFragmentsAreRefusedWithAReason() {
        byte[] good = DataFragment.split(new byte[30_000], 5, 11_000).get(1);
        assertThatThrownBy(() -> DataFragment.parse(Arrays.copyOf(good, 10), MAX))
                .hasMessageContaining("header");
        byte[] badVersion = good.clone();
        badVersion[4] = 9;
        assertThatThrownBy(() -> DataFragment.parse(badVersion, MAX)).hasMessageContaining("version");
        byte[] badIndex = good.clone();
        badIndex[13] = 0x7f; // index high byte
        assertThatThrownBy(() -> DataFragment.parse(badIndex, MAX)).hasMessageContaining("index");
        assertThatThrownBy(() -> DataFragment.parse(good, 1000)).hasMessageContaining("total length");
    }
}
