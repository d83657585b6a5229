package io.egoist.tracker;

import static io.egoist.tracker.TrackerCoreTest.closes;
import static io.egoist.tracker.TrackerCoreTest.sent;
import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.core.ConnId;
import io.egoist.core.Effect;
import io.egoist.core.Event;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Group commit in the core: acknowledgements wait for the store's report that their change is durable. */
class AckGateTest {
    static final TrackerConfig CONFIG =
            new TrackerConfig("127.0.0.1", 0, Path.of("unused"), -1, 50_000, 180_000, 300).withAllowForeignIds(true);

    TrackerCore core = new TrackerCore(CONFIG, TrackerSnapshot.EMPTY, true);
    long now = 1_000_000;
    long nextConn = 1;

    ConnId accept() {
        ConnId c = new ConnId(nextConn++);
        core.handle(now, new Event.Accepted(c, "127.0.0.1", 40000));
        return c;
    }

    List<Effect> line(ConnId c, String l) {
        return core.handle(now, new Event.LineReceived(c, l));
    }

    List<Effect> durable(long n) {
        return core.handle(now, new TrackerEvent.StoreProgress(n, true));
    }

    static long persists(List<Effect> fx) {
        return fx.stream().filter(e -> e instanceof TrackerEffect).count();
    }

    @Test
    void regReplyAndUptCloseWaitForTheirCommit() {
        core.start(now);
        ConnId r = accept();
        List<Effect> fx = line(r, "REG@10.0.0.1:7000");
        assertThat(persists(fx)).isEqualTo(1);
        assertThat(sent(fx)).isEmpty(); // held
        assertThat(core.heldAcks()).isEqualTo(1);
        assertThat(sent(durable(1))).containsExactly("REG@10.0.0.1:7000#");

        ConnId u = accept();
        fx = line(u, "UPT@10.0.0.1:7000@10.0.0.2:7000@5|");
        assertThat(persists(fx)).isEqualTo(1);
        assertThat(closes(fx)).isFalse();
        assertThat(closes(durable(1))).isFalse(); // an old report releases nothing new
        assertThat(durable(2)).containsExactly(new Effect.Close(u));
        assertThat(core.heldAcks()).isZero();
    }

    @Test
    void laterEffectsOnAConnectionWithSomethingHeldKeepTheirOrder() {
        core.start(now);
        ConnId c = accept();
        line(c, "REG@10.0.0.1:7000");
        List<Effect> fx = line(c, "garbage"); // a NACK needs no commit, but must not overtake the reply
        assertThat(fx).isEmpty();
        List<Effect> released = durable(1);
        assertThat(released).hasSize(3);
        assertThat(released.get(0)).isEqualTo(new Effect.Send(c, "REG@10.0.0.1:7000#"));
        assertThat(((Effect.Send) released.get(1)).line()).startsWith("NACK@");
        assertThat(released.get(2)).isEqualTo(new Effect.Close(c));
    }

    @Test
    void aFailingStoreReleasesEverythingAndHoldsNothingUntilItRecovers() {
        core.start(now);
        ConnId a = accept();
        line(a, "REG@10.0.0.1:7000");
        List<Effect> released = core.handle(now, new TrackerEvent.StoreProgress(0, false));
        assertThat(sent(released)).containsExactly("REG@10.0.0.1:7000#");
        ConnId u = accept();
        assertThat(closes(line(u, "UPT@10.0.0.1:7000@10.0.0.2:7000@5|"))).isTrue(); // served from memory
        durable(2); // recovered
        ConnId u2 = accept();
        assertThat(closes(line(u2, "UPT@10.0.0.1:7000@10.0.0.2:7000@6|"))).isFalse(); // held again
        assertThat(durable(3)).containsExactly(new Effect.Close(u2));
    }

    @Test
    void withoutGroupCommitAcknowledgementsGoOutAtOnce() {
        TrackerCore plain = new TrackerCore(CONFIG, TrackerSnapshot.EMPTY);
        plain.start(now);
        ConnId c = new ConnId(1);
        plain.handle(now, new Event.Accepted(c, "127.0.0.1", 1));
        assertThat(sent(plain.handle(now, new Event.LineReceived(c, "REG@10.0.0.1:7000"))))
                .containsExactly("REG@10.0.0.1:7000#");
    }
}
