package io.egoist.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Large bodies are copied to direct memory once per array and shared; small ones are wrapped; the cache is bounded. */
class SharedBodiesTest {
    private static byte[] body(int size, int fill) {
        byte[] b = new byte[size];
        Arrays.fill(b, (byte) fill);
        return b;
    }

    @Test
    void theSameLargeArrayIsServedFromOneDirectCopy() {
        SharedBodies bodies = new SharedBodies();
        byte[] b = body(SharedBodies.MIN_BYTES, 'x');
        ByteBuf one = bodies.body(b);
        ByteBuf two = bodies.body(b);
        try {
            assertThat(one.isDirect()).isTrue();
            assertThat(ByteBufUtil.getBytes(one)).isEqualTo(b);
            assertThat(two.unwrap()).isSameAs(one.unwrap()); // views of one buffer, not two copies
            assertThat(bodies.size()).isEqualTo(1);
        } finally {
            one.release();
            two.release();
            bodies.clear();
        }
    }

    @Test
    void smallBodiesAreWrappedNotKept() {
        SharedBodies bodies = new SharedBodies();
        byte[] small = body(100, 'y');
        ByteBuf buf = bodies.body(small);
        assertThat(buf.isDirect()).isFalse();
        assertThat(ByteBufUtil.getBytes(buf)).isEqualTo(small);
        assertThat(bodies.size()).isZero();
        buf.release();
    }

    @Test
    void atMostMaxEntriesAreKeptAndAnEvictedBodyStaysReadableWhileAResponseHoldsIt() {
        SharedBodies bodies = new SharedBodies();
        byte[] first = body(SharedBodies.MIN_BYTES, 1);
        ByteBuf held = bodies.body(first); // a response still being written
        for (int i = 0; i < SharedBodies.MAX_ENTRIES + 2; i++)
            bodies.body(body(SharedBodies.MIN_BYTES, 2 + i)).release();
        assertThat(bodies.size()).isEqualTo(SharedBodies.MAX_ENTRIES);
        assertThat(held.refCnt()).isPositive();
        assertThat(ByteBufUtil.getBytes(held)).isEqualTo(first);
        held.release();
        assertThat(held.unwrap().refCnt()).isZero(); // freed once its last view is released
        bodies.clear();
    }
}
