package io.egoist.node.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.wire.DataFragment;
import io.egoist.wire.NodeId;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReassemblyTest {
    private static final NodeId A = new NodeId("10.0.0.1", 7000), B = new NodeId("10.0.0.2", 7000);
    private static final int MAX = 64 * 1024;

    private static List<DataFragment.Fragment> fragments(byte[] payload, long group, int line) {
        return DataFragment.split(payload, group, line).stream()
                .map(p -> DataFragment.parse(p, MAX))
                .toList();
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void fragmentsInAnyOrderWithDuplicatesGiveTheMessageOnce() {
        Reassembly r = new Reassembly(10_000);
        byte[] p = bytes(50_000, 1);
        List<DataFragment.Fragment> fs = fragments(p, 7, 11_000);
        assertThat(fs).hasSize(5);
        assertThat(r.add(A, fs.get(3), 0)).isNull();
        assertThat(r.add(A, fs.get(0), 0)).isNull();
        assertThat(r.add(A, fs.get(3), 0)).isNull(); // duplicate
        assertThat(r.add(A, fs.get(4), 0)).isNull();
        assertThat(r.add(A, fs.get(2), 0)).isNull();
        assertThat(r.add(A, fs.get(1), 0)).isEqualTo(p);
        assertThat(r.unfinished()).isZero();
        assertThat(r.bufferedBytes()).isZero();
        // the same group id from another source is another message
        assertThat(r.add(B, fs.get(0), 0)).isNull();
        assertThat(r.unfinished()).isEqualTo(1);
    }

    @Test
    void anUnfinishedMessageExpires() {
        Reassembly r = new Reassembly(1_000);
        List<DataFragment.Fragment> fs = fragments(bytes(30_000, 2), 1, 11_000);
        r.add(A, fs.get(0), 0);
        assertThat(r.unfinished()).isEqualTo(1);
        r.add(B, fragments(bytes(30_000, 3), 2, 11_000).get(0), 1_000);
        assertThat(r.unfinished()).isEqualTo(1); // A's expired, B's is new
        assertThat(r.dropped()).isEqualTo(1);
        assertThat(r.add(A, fs.get(1), 1_000)).isNull(); // restarts as a new, incomplete message
    }

    @Test
    void unfinishedMessagesAndBufferedBytesAreCapped() {
        Reassembly r = new Reassembly(60_000);
        for (int g = 0; g < 200; g++) {
            r.add(A, fragments(bytes(60_000, g), g, 11_000).get(0), 0);
            assertThat(r.unfinished()).isLessThanOrEqualTo(Reassembly.MAX_PARTIAL);
            assertThat(r.bufferedBytes()).isLessThanOrEqualTo(Reassembly.MAX_BYTES);
        }
        assertThat(r.dropped()).isEqualTo(200 - Reassembly.MAX_PARTIAL);
        // the newest ones are kept and can still complete
        byte[] last = bytes(60_000, 199);
        byte[] whole = null;
        for (DataFragment.Fragment f : fragments(last, 199, 11_000)) whole = r.add(A, f, 0);
        assertThat(whole).isEqualTo(last);
    }

    @Test
    void inconsistentFragmentsDropTheirMessage() {
        Reassembly r = new Reassembly(10_000);
        List<DataFragment.Fragment> fs = fragments(bytes(30_000, 4), 3, 11_000);
        r.add(A, fs.get(0), 0);
        DataFragment.Fragment liar =
                new DataFragment.Fragment(3, 1, 3, 40_000, fs.get(1).data());
        assertThat(r.add(A, liar, 0)).isNull();
        assertThat(r.unfinished()).isZero();
        assertThat(r.dropped()).isEqualTo(1);
        // a group of one whose length does not match its total is dropped too
        assertThat(r.add(A, new DataFragment.Fragment(9, 0, 1, 10, new byte[5]), 0))
                .isNull();
        assertThat(r.dropped()).isEqualTo(2);
    }
}
