package io.egoist.core;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class LogValuesTest {

    @Test
    void quotesAndEscapesEverythingThatCouldForgeAFieldOrReachATerminal() {
        assertThat(LogValues.q("plain")).isEqualTo("\"plain\"");
        assertThat(LogValues.q("a\"b")).isEqualTo("\"a\\\"b\"");
        assertThat(LogValues.q("a\\b")).isEqualTo("\"a\\\\b\"");
        assertThat(LogValues.q("x\ny\rz\t")).isEqualTo("\"x\\ny\\rz\\t\"");
        assertThat(LogValues.q("\u001b[31m")).isEqualTo("\"\\x1b[31m\"");
        assertThat(LogValues.q("nul\u0000del\u007f")).isEqualTo("\"nul\\x00del\\x7f\"");
        assertThat(LogValues.q("caf\u00e9 \u20ac")).isEqualTo("\"caf\\u00e9 \\u20ac\"");
        assertThat(LogValues.q("\ud83d\ude00")).isEqualTo("\"\\ud83d\\ude00\"");
        assertThat(LogValues.q(null)).isEqualTo("\"null\"");
        assertThat(LogValues.q(" event=forged peer=1.2.3.4")).isEqualTo("\" event=forged peer=1.2.3.4\"");
    }

    @Test
    void longValuesAreCutAndSaySo() {
        String q = LogValues.q("x".repeat(1000));
        assertThat(q).startsWith("\"xxx").endsWith("...(1000 chars)\"");
        assertThat(q.length()).isLessThan(LogValues.MAX_LOGGED + 30);
    }

    @Test
    void asciiHasNoQuotesAndIsCutAtTheGivenLength() {
        assertThat(LogValues.ascii("a\u0000b\u00e9", 100)).isEqualTo("a\\x00b\\u00e9");
        assertThat(LogValues.ascii("abcdef", 3)).isEqualTo("abc...(6 chars)");
        assertThat(LogValues.ascii(null, 3)).isEmpty();
    }

    /** Whatever comes in, a quoted value is printable ASCII with no unescaped quote inside. */
    @Property
    void quotedValueIsAlwaysOnePrintableAsciiToken(@ForAll String s) {
        String q = LogValues.q(s);
        assertThat(LogValues.isPrintableAscii(q)).isTrue();
        assertThat(q).matches("\"([^\"\\\\]|\\\\.)*\"");
    }
}
