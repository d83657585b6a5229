package io.egoist.wire;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The hand-written cost check accepts exactly what the cost pattern accepts (every string up to 6 characters). */
class PlainCostScanTest {
    private static final char[] ALPHABET = "09.eE+-x".toCharArray();

    @Test
    void scannerAndPatternAgreeOnEveryShortString() {
        int checked = 0, accepted = 0;
        StringBuilder sb = new StringBuilder();
        for (int len = 0; len <= 6; len++) {
            int total = (int) Math.pow(ALPHABET.length, len);
            for (int code = 0; code < total; code++) {
                sb.setLength(0);
                for (int k = 0, c = code; k < len; k++, c /= ALPHABET.length) sb.append(ALPHABET[c % ALPHABET.length]);
                String s = sb.toString();
                boolean expected = WireCodec.COST.matcher(s).matches();
                assertThat(WireCodec.plainCost(s)).as("'%s'", s).isEqualTo(expected);
                checked++;
                if (expected) accepted++;
            }
        }
        assertThat(checked).isGreaterThan(299_000);
        assertThat(accepted).isGreaterThan(1_000); // the accepted side is exercised, not only rejections
    }

    @Test
    void typicalCostsAndTheirNearMisses() {
        for (String ok : new String[] {"0", "35.2", "120.125", "1e5", "2.5E-3", "7E+10", "300000"}) {
            assertThat(WireCodec.plainCost(ok)).as(ok).isTrue();
        }
        for (String bad : new String[] {"", ".5", "5.", "1e", "1e+", "-1", "+1", "1.2.3", "NaN", "0x1p3", "1 "}) {
            assertThat(WireCodec.plainCost(bad)).as(bad).isFalse();
        }
    }
}
