package io.egoist.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.egoist.core.ConnId;
import io.egoist.core.Effect;
import io.egoist.core.Event;
import io.egoist.wire.NodeId;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The tracker core's limits (idle timeout, connection / node / per-connection caps), events in, effects out. */
class TrackerCoreLimitsTest {

    static final long IDLE = 1_000;
    static final NodeId A = NodeId.parse("10.0.0.1:7000");
    static final NodeId B = NodeId.parse("10.0.0.2:7000");
    static final NodeId C = NodeId.parse("10.0.0.3:7000");

    TrackerConfig config = new TrackerConfig("127.0.0.1", 0, Path.of("unused"), -1, 50_000, 180_000, 300)
            .withIdleTimeoutMs(IDLE)
            .withAllowForeignIds(true);
    TrackerCore core;
    long now = 1_000_000;
    long nextConn = 1;
    ListAppender<ILoggingEvent> logs;

    TrackerCore core(TrackerConfig c) {
        core = new TrackerCore(c, TrackerSnapshot.EMPTY);
        core.start(now);
        return core;
    }

    @AfterEach
    void detachLogs() {
        if (logs != null) ((Logger) LoggerFactory.getLogger(TrackerCore.class)).detachAppender(logs);
    }

    ConnId newConn() {
        return new ConnId(nextConn++);
    }

    List<Effect> accept(ConnId c) {
        return core.handle(now, new Event.Accepted(c, "127.0.0.1", 40000 + (int) c.value()));
    }

    List<Effect> line(ConnId c, String line) {
        return core.handle(now, new Event.LineReceived(c, line));
    }

    List<Effect> idleTimer() {
        return core.handle(now, new Event.TimerFired(TrackerCore.IDLE_TIMER));
    }

    static List<ConnId> closed(List<Effect> fx) {
        return fx.stream()
                .filter(e -> e instanceof Effect.Close)
                .map(e -> ((Effect.Close) e).conn())
                .toList();
    }

    static List<String> sent(List<Effect> fx) {
        return fx.stream()
                .filter(e -> e instanceof Effect.Send)
                .map(e -> ((Effect.Send) e).line())
                .toList();
    }

    // ------------------------------------------------------------------------------ idle timeout

    @Test
    void startArmsOneIdleTimerForAllConnections() {
        List<Effect> fx = new TrackerCore(config, TrackerSnapshot.EMPTY).start(now);
        assertThat(fx).contains(new Effect.SetTimer(TrackerCore.IDLE_TIMER, now + IDLE / 4));
    }

    @Test
    void silentConnectionIsClosedAtTheFirstSweepAfterTheIdleTimeout() {
        core(config);
        ConnId c = newConn();
        accept(c);
        now += IDLE - 1;
        assertThat(closed(idleTimer())).isEmpty();
        now += 1;
        List<Effect> fx = idleTimer();
        assertThat(closed(fx)).containsExactly(c);
        assertThat(sent(fx)).isEmpty(); // no NACK: a v0.2 node simply left its REG connection open
        assertThat(fx).contains(new Effect.SetTimer(TrackerCore.IDLE_TIMER, now + IDLE / 4));
        assertThat(core.counters().idleCloses()).isEqualTo(1);
        // closed once: the next sweep does not close it again, and late lines on it are ignored
        now += IDLE;
        assertThat(closed(idleTimer())).isEmpty();
        assertThat(line(c, "REG@" + A)).isEmpty();
        assertThat(core.nodeCount()).isZero();
    }

    @Test
    void everyLineResetsTheIdleClock() {
        core(config);
        ConnId c = newConn();
        accept(c);
        now += 600;
        line(c, "REG@" + A);
        now += 600; // 1200 after accept, 600 after the line
        assertThat(closed(idleTimer())).isEmpty();
        now += 400;
        assertThat(closed(idleTimer())).containsExactly(c);
    }

    @Test
    void idleSweepClosesOnlyTheIdleConnections() {
        core(config);
        ConnId quiet = newConn(), busy = newConn();
        accept(quiet);
        accept(busy);
        now += IDLE - 10;
        line(busy, "REG@" + A);
        now += 10;
        assertThat(closed(idleTimer())).containsExactly(quiet);
        assertThat(core.connectionCount()).isEqualTo(2); // until the runtime reports Closed
        core.handle(now, new Event.Closed(quiet));
        assertThat(core.connectionCount()).isEqualTo(1);
    }

    @Test
    void linesSetNoTimers() {
        core(config);
        ConnId c = newConn();
        List<Effect> fx = new java.util.ArrayList<>(accept(c));
        fx.addAll(line(c, "REG@" + A));
        ConnId u = newConn();
        fx.addAll(accept(u));
        fx.addAll(line(u, "UPT@" + A + "@" + B + "@5|"));
        assertThat(fx).noneMatch(e -> e instanceof Effect.SetTimer || e instanceof Effect.CancelTimer);
    }

    // ------------------------------------------------------------------------------ connection cap

    @Test
    void connectionBeyondTheCapGetsBusyNackAndIsClosed() {
        core(config.withMaxConnections(3));
        for (int i = 0; i < 3; i++) assertThat(accept(newConn())).isEmpty();
        ConnId fourth = newConn();
        List<Effect> fx = accept(fourth);
        assertThat(fx)
                .containsExactly(new Effect.Send(fourth, "NACK@busy: too many connections"), new Effect.Close(fourth));
        assertThat(core.counters().nack(TrackerCore.NACK_BUSY)).isEqualTo(1);
        // a line that still arrives on the rejected connection changes nothing
        assertThat(line(fourth, "REG@" + A)).isEmpty();
        assertThat(core.nodeCount()).isZero();
        // once it and one other are closed, there is room again
        core.handle(now, new Event.Closed(fourth));
        core.handle(now, new Event.Closed(new ConnId(1)));
        assertThat(accept(newConn())).isEmpty();
    }

    @Test
    void busyRejectionsAreLoggedAtMostOncePerSecondWithACount() {
        logs = new ListAppender<>();
        logs.start();
        ((Logger) LoggerFactory.getLogger(TrackerCore.class)).addAppender(logs);
        core(config.withMaxConnections(1));
        accept(newConn());
        for (int i = 0; i < 5; i++) accept(newConn());
        now += 999;
        accept(newConn());
        now += 1;
        accept(newConn());
        List<String> warns = logs.list.stream()
                .filter(e -> e.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage)
                .toList();
        assertThat(warns).hasSize(2);
        assertThat(warns.get(0)).contains("category=busy").contains("not_logged_since_last=0");
        assertThat(warns.get(1)).contains("not_logged_since_last=5");
        assertThat(core.counters().nack(TrackerCore.NACK_BUSY)).isEqualTo(7);
    }

    // ------------------------------------------------------------------------------ node cap

    @Test
    void newNodeBeyondTheNodeCapGetsFullNackAndKnownNodesStillRejoin() {
        core(config.withMaxNodes(2));
        line(conn(), "REG@" + A);
        line(conn(), "REG@" + B);
        ConnId c = conn();
        List<Effect> fx = line(c, "REG@" + C);
        assertThat(fx).containsExactly(new Effect.Send(c, "NACK@full: too many nodes (2)"), new Effect.Close(c));
        assertThat(core.snapshot().ids()).containsExactly(A, B);
        assertThat(core.counters().nack(TrackerCore.NACK_FULL_NODES)).isEqualTo(1);
        assertThat(core.counters().message("REG")).isEqualTo(2);
        // a known node gets its full reply
        assertThat(sent(line(conn(), "REG@" + A))).containsExactly("REG@" + A + "@" + B + "#");
    }

    @Test
    void updateThatWouldExceedTheLinkCapGetsFullNackAndChangesNothing() {
        core(config.withMaxLinks(3));
        for (NodeId n : List.of(A, B, C)) line(conn(), "REG@" + n);
        assertThat(closed(line(conn(), "UPT@" + A + "@" + B + "@1|@" + A + "@" + C + "@2|")))
                .hasSize(1);
        ConnId c = conn();
        List<Effect> fx = line(c, "UPT@" + B + "@" + A + "@1|@" + B + "@" + C + "@2|");
        assertThat(fx).containsExactly(new Effect.Send(c, "NACK@full: too many links (3)"), new Effect.Close(c));
        assertThat(core.linkCount()).isEqualTo(2);
        assertThat(core.snapshot().node(B).orElseThrow().links()).isEmpty();
        assertThat(core.counters().nack(TrackerCore.NACK_FULL_LINKS)).isEqualTo(1);
        // within the cap, and a node replacing its links by as many or fewer, is accepted
        assertThat(sent(line(conn(), "UPT@" + B + "@" + A + "@1|"))).isEmpty();
        assertThat(sent(line(conn(), "UPT@" + A + "@" + C + "@4|@" + A + "@" + B + "@5|")))
                .isEmpty();
        assertThat(core.linkCount()).isEqualTo(3);
    }

    // ------------------------------------------------------------------------------ REGs per connection

    @Test
    void registrationsBeyondTheLimitOnOneConnectionGetBusyNack() {
        core(config.withMaxRegsPerConnection(2));
        ConnId c = conn();
        assertThat(sent(line(c, "REG@" + A))).hasSize(1);
        assertThat(sent(line(c, "REG@" + B))).hasSize(1);
        List<Effect> fx = line(c, "REG@" + C);
        assertThat(fx)
                .containsExactly(
                        new Effect.Send(c, "NACK@busy: too many requests on one connection (2)"), new Effect.Close(c));
        assertThat(core.snapshot().ids()).containsExactly(A, B);
        assertThat(core.counters().nack(TrackerCore.NACK_TOO_MANY_REGS)).isEqualTo(1);
        // other connections are served
        assertThat(sent(line(conn(), "REG@" + C))).hasSize(1);
    }

    ConnId conn() {
        ConnId c = newConn();
        accept(c);
        return c;
    }
}
