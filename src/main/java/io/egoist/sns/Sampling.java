package io.egoist.sns;

import java.util.Random;

/** Uniform sampling without replacement (partial Fisher–Yates), deterministic given the Random. */
final class Sampling {
    private Sampling() {}

    /** {@code count} distinct elements of {@code pool} chosen uniformly, in draw order. */
    static int[] draw(int[] pool, int count, Random random) {
        int[] a = pool.clone();
        count = Math.min(count, a.length);
        for (int i = 0; i < count; i++) {
            int j = i + random.nextInt(a.length - i);
            int tmp = a[i];
            a[i] = a[j];
            a[j] = tmp;
        }
        int[] out = new int[count];
        System.arraycopy(a, 0, out, 0, count);
        return out;
    }
}
