package io.egoist.wire;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class NodeIdOrderProperties {

    @Property(tries = 500)
    void ordersByAddressNumericallyThenByPort(
            @ForAll @IntRange(min = 0, max = 255) int a1,
            @ForAll @IntRange(min = 0, max = 255) int a2,
            @ForAll @IntRange(min = 0, max = 255) int b1,
            @ForAll @IntRange(min = 0, max = 255) int b2,
            @ForAll @IntRange(min = 1, max = 65535) int p1,
            @ForAll @IntRange(min = 1, max = 65535) int p2) {
        NodeId x = NodeId.parse(a1 + ".1." + a2 + ".9:" + p1);
        NodeId y = NodeId.parse(b1 + ".1." + b2 + ".9:" + p2);
        long ax = ((long) a1 << 24) | (1L << 16) | ((long) a2 << 8) | 9;
        long ay = ((long) b1 << 24) | (1L << 16) | ((long) b2 << 8) | 9;
        int expected = ax != ay ? Long.compare(ax, ay) : Integer.compare(p1, p2);
        assertThat(Integer.signum(x.compareTo(y))).isEqualTo(Integer.signum(expected));
    }
}
