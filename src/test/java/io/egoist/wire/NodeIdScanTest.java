package io.egoist.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link NodeId#tryParse}'s in-place scan accepts exactly what {@link NodeId#problem} calls valid (every string up to 10 characters over {@code 0.:9}, and random id-like ones). */
class NodeIdScanTest {
    private static final char[] ALPHABET = "0.:9".toCharArray();

    private static void agree(String s) {
        NodeId id = NodeId.tryParse(s);
        String why = NodeId.problem(s);
        assertThat(id == null).as("'%s' (problem: %s)", s, why).isEqualTo(why != null);
        if (id != null) assertThat(id.toString()).isEqualTo(s);
    }

    @Test
    void scanAndProblemAgreeOnShortStrings() {
        StringBuilder sb = new StringBuilder();
        int valid = 0;
        for (int len = 0; len <= 10; len++) {
            long total = (long) Math.pow(ALPHABET.length, len);
            for (long code = 0; code < total; code++) {
                sb.setLength(0);
                long c = code;
                for (int k = 0; k < len; k++, c /= ALPHABET.length) sb.append(ALPHABET[(int) (c % ALPHABET.length)]);
                String s = sb.toString();
                agree(s);
                if (NodeId.tryParse(s) != null) valid++;
            }
        }
        assertThat(valid).isGreaterThan(100); // the accepted side is exercised too
    }

    @Test
    void scanAndProblemAgreeOnRandomIdLikeStrings() {
        Random r = new Random(8);
        String[] parts = {
            "0", "1", "9", "10", "01", "255", "256", "999", "1000", "65535", "65536", "7000", "00", "", "a"
        };
        for (int n = 0; n < 200_000; n++) {
            StringBuilder sb = new StringBuilder();
            int octets = 3 + r.nextInt(3) - 1;
            for (int k = 0; k < octets; k++) {
                if (k > 0) sb.append('.');
                sb.append(parts[r.nextInt(parts.length)]);
            }
            if (r.nextInt(10) > 0) sb.append(':').append(parts[r.nextInt(parts.length)]);
            agree(sb.toString());
        }
        for (String s :
                new String[] {null, "1.2.3.4:1", "1.2.3.4:65535", "10.0.0.1:7000", "1.2.3.4:0", "1.2.3.4:65536"}) {
            if (s == null) assertThat(NodeId.tryParse(s)).isNull();
            else agree(s);
        }
    }
}
