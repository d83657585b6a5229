package io.egoist.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.wire.WireCodec.Context;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * docs/PROTOCOL.md stays true: every line of a {@code wire-<context>} code block decodes in that context and
 * re-encodes to itself (or, for the few accepted alternative spellings, to a line that decodes the same); every
 * line of a {@code wire-invalid-<context>} block is rejected.
 */
class ProtocolDocTest {

    record Block(String tag, List<String> lines) {}

    static List<Block> blocks() throws IOException {
        List<String> doc = Files.readAllLines(Path.of("docs", "PROTOCOL.md"), StandardCharsets.UTF_8);
        List<Block> out = new ArrayList<>();
        Block cur = null;
        for (String l : doc) {
            if (cur == null && l.startsWith("```wire-"))
                cur = new Block(l.substring(3).trim(), new ArrayList<>());
            else if (cur != null && l.startsWith("```")) {
                out.add(cur);
                cur = null;
            } else if (cur != null) cur.lines().add(l);
        }
        return out;
    }

    static Context context(String name) {
        return Context.valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    @Test
    void everyExampleLineDecodesAsDocumented() throws IOException {
        List<Block> blocks = blocks();
        assertThat(blocks).hasSizeGreaterThan(10);
        int valid = 0, invalid = 0;
        for (Block b : blocks) {
            boolean bad = b.tag().startsWith("wire-invalid-");
            Context c = context(b.tag().substring(bad ? "wire-invalid-".length() : "wire-".length()));
            for (String line : b.lines()) {
                Decoded d = WireCodec.decode(c, line);
                if (bad) {
                    assertThat(d).as("%s in %s", line, c).isInstanceOf(Decoded.Err.class);
                    invalid++;
                } else {
                    assertThat(d).as("%s in %s", line, c).isInstanceOf(Decoded.Ok.class);
                    String again = WireCodec.encode(((Decoded.Ok) d).message());
                    assertThat(WireCodec.decode(c, again)).isEqualTo(d);
                    valid++;
                }
            }
        }
        assertThat(valid).isGreaterThan(15);
        assertThat(invalid).isGreaterThan(10);
    }

    @Test
    void documentedLinesAreWhatOurEncoderWrites() throws IOException {
        for (Block b : blocks()) {
            if (b.tag().startsWith("wire-invalid-")) continue;
            Context c = context(b.tag().substring("wire-".length()));
            for (String line : b.lines()) {
                String again = WireCodec.encode(((Decoded.Ok) WireCodec.decode(c, line)).message());
                assertThat(again).as("re-encoded %s", line).isEqualTo(line);
            }
        }
    }
}
