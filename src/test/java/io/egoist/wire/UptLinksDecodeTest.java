package io.egoist.wire;

import static io.egoist.wire.WireCodec.Context.TRACKER_INBOUND;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A UPT's links share their source, whose text the decoder parses once and re-uses while the next link's source
 * text is the same: a different source (even of the same length), or a bad one after a good one, is still seen.
 */
class UptLinksDecodeTest {

    private static Decoded decode(String line) {
        return WireCodec.decode(TRACKER_INBOUND, line);
    }

    @Test
    void linksOfOneSourceDecodeWithTheirOwnDestinationsAndCosts() {
        Decoded d = decode(
                "UPT@10.0.0.1:7000@10.0.0.2:7000@1.5|@10.0.0.1:7000@10.0.0.3:7001@2|@10.0.0.1:7000@10.0.0.4:7002@0|");
        assertThat(d).isInstanceOf(Decoded.Ok.class);
        List<Link> links = ((Message.TrackerUpdate) ((Decoded.Ok) d).message()).links();
        assertThat(links)
                .containsExactly(
                        new Link(NodeId.parse("10.0.0.1:7000"), NodeId.parse("10.0.0.2:7000"), 1.5),
                        new Link(NodeId.parse("10.0.0.1:7000"), NodeId.parse("10.0.0.3:7001"), 2),
                        new Link(NodeId.parse("10.0.0.1:7000"), NodeId.parse("10.0.0.4:7002"), 0));
    }

    @Test
    void aDifferentSourceOfTheSameLengthIsNotTakenForTheFirst() {
        Decoded d = decode("UPT@10.0.0.1:7000@10.0.0.2:7000@1|@10.0.0.9:7000@10.0.0.3:7000@2|");
        assertThat(d).isInstanceOf(Decoded.Err.class);
        assertThat(((Decoded.Err) d).field()).isEqualTo("link[1].src"); // mixed sources, as before
        assertThat(((Decoded.Err) d).reason()).startsWith("10.0.0.9:7000 differs from");
    }

    @Test
    void aBadSourceAfterAGoodOneIsReportedAtItsLink() {
        Decoded d = decode("UPT@10.0.0.1:7000@10.0.0.2:7000@1|@10.0.0.x:7000@10.0.0.3:7000@2|");
        assertThat(d).isInstanceOf(Decoded.Err.class);
        assertThat(((Decoded.Err) d).field()).isEqualTo("link[1].src");
        assertThat(((Decoded.Err) d).reason()).contains("malformed IPv4 address");
    }

    @Test
    void costsAreCheckedAsBeforeWithTheFieldOfTheirLink() {
        Decoded over = decode("UPT@10.0.0.1:7000@10.0.0.2:7000@1|@10.0.0.1:7000@10.0.0.3:7000@1e400|");
        assertThat(((Decoded.Err) over).field()).isEqualTo("link[1].cost");
        assertThat(((Decoded.Err) over).reason()).isEqualTo(WireCodec.costProblem("1e400"));
        Decoded neg = decode("UPT@10.0.0.1:7000@10.0.0.2:7000@-1|");
        assertThat(((Decoded.Err) neg).field()).isEqualTo("link[0].cost");
        assertThat(((Decoded.Err) neg).reason()).isEqualTo(WireCodec.costProblem("-1"));
        Decoded empty = decode("UPT@10.0.0.1:7000@10.0.0.2:7000@|");
        assertThat(((Decoded.Err) empty).reason()).isEqualTo("empty cost");
    }
}
