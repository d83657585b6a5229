package io.egoist.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ConnId's written-out equals/hashCode behave as the record's: by value, hash {@code Long.hashCode(value)}. */
class ConnIdTest {

    @Test
    void equalByValueWithTheLongsHash() {
        for (long v : new long[] {0, 1, -1, 42, -123_456_789_012L, Long.MAX_VALUE, Long.MIN_VALUE}) {
            ConnId a = new ConnId(v), b = new ConnId(v);
            assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
            assertThat(a.hashCode()).isEqualTo(Long.hashCode(v));
            assertThat(a).isNotEqualTo(new ConnId(v + 1)).isNotEqualTo(v).isNotEqualTo(null);
        }
    }

    @Test
    void worksAsAMapKey() {
        Map<ConnId, String> m = new HashMap<>();
        for (long v = -500; v < 500; v++) m.put(new ConnId(v), "c" + v);
        for (long v = -500; v < 500; v++) assertThat(m.get(new ConnId(v))).isEqualTo(new ConnId(v).toString());
        assertThat(m).hasSize(1000);
    }
}
