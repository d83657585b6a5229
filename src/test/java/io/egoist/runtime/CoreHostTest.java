package io.egoist.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.egoist.core.ConnId;
import io.egoist.core.Effect;
import io.egoist.core.Event;
import io.egoist.wire.NodeId;
import io.egoist.wire.Seed;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CoreHostTest {
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) toClose.get(i).close();
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        toClose.add(c);
        return c;
    }

    /** Echo core: answers "echo:LINE"; "close" closes; NACK + close on an over-long line. */
    private static ScriptedCore echoCore() {
        return new ScriptedCore((now, e) -> {
            if (e instanceof Event.LineReceived l) {
                if (l.line().equals("close")) return List.of(new Effect.Close(l.conn()));
                return List.of(new Effect.Send(l.conn(), "echo:" + l.line()));
            }
            if (e instanceof Event.LineTooLong t) {
                return List.of(new Effect.Send(t.conn(), "NACK@line too long"), new Effect.Close(t.conn()));
            }
            return List.of();
        });
    }

    private CoreHost<ScriptedCore> host(ScriptedCore core, CoreHost.Options options) {
        CoreHost<ScriptedCore> h = closeLater(new CoreHost<>(core, options));
        h.start().join();
        return h;
    }

    @Test
    void acceptedConnectionsGetNegativeIdsAndLinesReachTheCoreAndBack() throws Exception {
        ScriptedCore core = echoCore();
        CoreHost<ScriptedCore> host = host(core, new CoreHost.Options().name("echo-core"));
        int port = host.listen("127.0.0.1", 0);
        assertThat(port).isPositive();
        try (LineClient a = new LineClient(port);
                LineClient b = new LineClient(port)) {
            a.send("hello");
            b.sendRaw("bare-lf\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(a.read()).isEqualTo("echo:hello");
            assertThat(b.read()).isEqualTo("echo:bare-lf");
            a.send("close");
            assertThat(a.closedByPeer()).isTrue();
        }
        await().atMost(Duration.ofSeconds(5))
                .until(() -> core.eventsOf(Event.Closed.class).size() == 2);
        List<Event.Accepted> accepted = core.eventsOf(Event.Accepted.class);
        assertThat(accepted).hasSize(2);
        assertThat(accepted).allSatisfy(acc -> {
            assertThat(acc.conn().value()).isNegative();
            assertThat(acc.remoteHost()).isEqualTo("127.0.0.1");
            assertThat(acc.remotePort()).isPositive();
        });
        assertThat(accepted.get(0).conn()).isNotEqualTo(accepted.get(1).conn());
        assertThat(core.threads).hasSize(1);
    }

    @Test
    void overLongLineBecomesLineTooLongAndTheCoreCanNackAndClose() throws Exception {
        ScriptedCore core = echoCore();
        CoreHost<ScriptedCore> host = host(core, new CoreHost.Options());
        int port = host.listen("127.0.0.1", 0);
        try (LineClient c = new LineClient(port)) {
            c.send("short");
            assertThat(c.read()).isEqualTo("echo:short");
            byte[] big = new byte[Seed.MAX_LENGTH + 100];
            java.util.Arrays.fill(big, (byte) 'x');
            c.sendRaw(big);
            c.send("");
            assertThat(c.read()).isEqualTo("NACK@line too long");
            assertThat(c.closedByPeer()).isTrue();
        }
        await().atMost(Duration.ofSeconds(5))
                .until(() -> !core.eventsOf(Event.Closed.class).isEmpty());
        assertThat(core.eventsOf(Event.LineTooLong.class)).hasSize(1);
        assertThat(core.eventsOf(Event.LineReceived.class))
                .extracting(Event.LineReceived::line)
                .containsExactly("short");
    }

    @Test
    void withCloseGraceAPeerThatNeverReadsIsClosedAnyway() throws Exception {
        // far more output than the kernel buffers hold, then Close: the peer reads none of it
        String chunk = "z".repeat(16_000);
        ScriptedCore core = new ScriptedCore((now, e) -> {
            if (!(e instanceof Event.LineReceived l)) return List.of();
            List<Effect> out = new java.util.ArrayList<>();
            for (int i = 0; i < 1_000; i++) out.add(new Effect.Send(l.conn(), chunk));
            out.add(new Effect.Close(l.conn()));
            return out;
        });
        CoreHost<ScriptedCore> host = host(core, new CoreHost.Options().closeGraceMs(200));
        int port = host.listen("127.0.0.1", 0);
        try (java.net.Socket s = new java.net.Socket()) {
            s.setReceiveBufferSize(4096);
            s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 2000);
            s.getOutputStream().write("flood\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            // never read: the host still closes the connection (the core is told) once the grace is over
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> !core.eventsOf(Event.Closed.class).isEmpty());
        }
    }

    /** A core that answers each request line with "LINE:" and 100 KB, and closes on "bye". */
    private static ScriptedCore bigReplies(String payload) {
        return new ScriptedCore((now, e) -> {
            if (!(e instanceof Event.LineReceived l)) return List.of();
            if (l.line().equals("bye")) return List.of(new Effect.Close(l.conn()));
            return List.of(new Effect.Send(l.conn(), l.line() + ":" + payload));
        });
    }

    /** A client socket with a small receive buffer (so the kernel holds little of what it does not read). */
    private static Socket slowReader(int port, String... lines) throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(8 * 1024);
        s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 2000);
        s.setSoTimeout(10_000);
        StringBuilder all = new StringBuilder();
        for (String l : lines) all.append(l).append("\r\n");
        s.getOutputStream().write(all.toString().getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        return s;
    }

    /** How many lines the core has been fed once that number stops growing (polls until it stays put 1 s). */
    private static int linesFedOnceSettled(ScriptedCore core) {
        AtomicInteger last = new AtomicInteger(-1);
        AtomicLong since = new AtomicLong(System.nanoTime());
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    int now = core.eventsOf(Event.LineReceived.class).size();
                    if (now != last.getAndSet(now)) since.set(System.nanoTime());
                    return now > 0 && System.nanoTime() - since.get() > TimeUnit.SECONDS.toNanos(1);
                });
        return last.get();
    }

    private static List<String> requests(int n) {
        List<String> r = new ArrayList<>();
        for (int i = 0; i < n; i++) r.add("req" + i);
        return r;
    }

    @Test
    void aClientThatDoesNotReadItsRepliesIsNotReadFromUntilItDoes() throws Exception {
        String payload = "x".repeat(100 * 1024);
        ScriptedCore core = bigReplies(payload);
        CoreHost<ScriptedCore> host = host(core, new CoreHost.Options().name("backpressure"));
        int port = host.listen("127.0.0.1", 0);
        int sent = 400; // 40 MB of replies in all
        List<String> reqs = requests(sent);
        try (Socket s = slowReader(port, reqs.toArray(new String[0]))) {
            // the client reads nothing: the host stops reading once the kernel buffers and the high water mark
            // (256 KB) are full, so the core sees only the first few requests
            int fedWhileNotReading = linesFedOnceSettled(core);
            assertThat(fedWhileNotReading).isLessThan(sent / 4);
            // the client reads: every request is served, in order
            java.io.BufferedReader in = new java.io.BufferedReader(
                    new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII), 1 << 16);
            for (String r : reqs) assertThat(in.readLine()).isEqualTo(r + ":" + payload);
        }
        List<String> fed = core.eventsOf(Event.LineReceived.class).stream()
                .map(Event.LineReceived::line)
                .toList();
        assertThat(fed).containsExactlyElementsOf(reqs);
    }

    @Test
    void waterMarksAreConfigurable() throws Exception {
        String payload = "x".repeat(100 * 1024);
        ScriptedCore core = bigReplies(payload);
        CoreHost<ScriptedCore> host =
                host(core, new CoreHost.Options().writeBufferWaterMark(8 * 1024, 16 * 1024 * 1024));
        int port = host.listen("127.0.0.1", 0);
        int sent = 100; // 10 MB of replies: under the 16 MB high mark, so all of them are produced
        try (Socket s = slowReader(port, requests(sent).toArray(new String[0]))) {
            assertThat(linesFedOnceSettled(core)).isEqualTo(sent);
        }
    }

    @Test
    void inputHeldWhileNotReadingReachesTheCoreInOrderBeforeClosedWhenTheGraceRunsOut() throws Exception {
        String payload = "x".repeat(100 * 1024);
        ScriptedCore core = new ScriptedCore((now, e) -> {
            if (!(e instanceof Event.LineReceived l)) return List.of();
            if (!l.line().equals("flood")) return List.of(new Effect.Send(l.conn(), l.line() + ":" + payload));
            List<Effect> out = new ArrayList<>(); // 5 MB, then Close: far more than the kernel buffers hold
            for (int i = 0; i < 50; i++) out.add(new Effect.Send(l.conn(), payload));
            out.add(new Effect.Close(l.conn()));
            return out;
        });
        CoreHost<ScriptedCore> host = host(core, new CoreHost.Options().closeGraceMs(200));
        int port = host.listen("127.0.0.1", 0);
        List<String> lines = new ArrayList<>(requests(60));
        lines.add(0, "flood"); // the 60 requests arrive with it: read, but held once the output is over the mark
        try (Socket s = slowReader(port, lines.toArray(new String[0]))) {
            // never read: the Close is forced after the grace; what was read but held still reaches the core, then
            // Closed
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> !core.eventsOf(Event.Closed.class).isEmpty());
        }
        List<Event> events = core.events;
        int closedAt = events.indexOf(core.eventsOf(Event.Closed.class).get(0));
        List<String> fed = events.subList(0, closedAt).stream()
                .filter(e -> e instanceof Event.LineReceived)
                .map(e -> ((Event.LineReceived) e).line())
                .toList();
        assertThat(fed).containsExactlyElementsOf(lines);
        assertThat(events.subList(closedAt + 1, events.size())).noneMatch(e -> e instanceof Event.LineReceived);
    }

    @Test
    void lineOfExactlyMaxLengthIsAccepted() throws Exception {
        ScriptedCore core = echoCore();
        CoreHost<ScriptedCore> host = host(core, new CoreHost.Options());
        int port = host.listen("127.0.0.1", 0);
        String line = "y".repeat(Seed.MAX_LENGTH);
        try (LineClient c = new LineClient(port)) {
            c.send(line);
            assertThat(c.read()).isEqualTo("echo:" + line);
        }
        assertThat(core.eventsOf(Event.LineTooLong.class)).isEmpty();
    }

    @Test
    void timersFireOnceAtTheirTimeAndCancelledOrReplacedOnesDoNot() {
        AtomicLong startedAt = new AtomicLong();
        ScriptedCore core = new ScriptedCore(
                now -> {
                    startedAt.set(now);
                    return List.of(
                            new Effect.SetTimer("a", now + 60),
                            new Effect.SetTimer("b", now + 40),
                            new Effect.CancelTimer("b"),
                            new Effect.SetTimer("c", now + 60_000),
                            new Effect.SetTimer("c", now + 150)); // replaces the first "c"
                },
                (now, e) -> List.of());
        host(core, new CoreHost.Options());
        await().atMost(Duration.ofSeconds(5))
                .until(() -> core.eventsOf(Event.TimerFired.class).size() >= 2);
        List<String> keys = core.eventsOf(Event.TimerFired.class).stream()
                .map(Event.TimerFired::key)
                .toList();
        assertThat(keys).containsExactly("a", "c");
        // the core is told the time: not before the timer was due
        int idxC = core.events.indexOf(new Event.TimerFired("c"));
        assertThat(core.nows.get(idxC + 1)).isGreaterThanOrEqualTo(startedAt.get() + 150);
    }

    @Test
    void injectableClockIsWhatTheCoreSees() {
        AtomicLong fake = new AtomicLong(1_000_000);
        ScriptedCore core = new ScriptedCore((now, e) -> List.of());
        CoreHost<ScriptedCore> host = host(core, new CoreHost.Options().clock(fake::get));
        fake.set(2_000_000);
        host.submit(new Event.TimerFired("poke"));
        await().atMost(Duration.ofSeconds(5)).until(() -> core.handled == 1);
        assertThat(core.nows).containsExactly(1_000_000L, 2_000_000L);
    }

    @Test
    void connectToAPeerGivesConnectedThenLinesBothWaysThenClosed() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            ScriptedCore connector = new ScriptedCore(
                    now -> List.of(new Effect.Connect(new ConnId(7), "127.0.0.1", server.getLocalPort())),
                    (now, e) -> e instanceof Event.Connected c
                            ? List.of(new Effect.Send(c.conn(), "REG@127.0.0.1:7000"))
                            : List.of());
            host(connector, new CoreHost.Options());
            try (LineClient peer = new LineClient(server.accept())) {
                assertThat(peer.read()).isEqualTo("REG@127.0.0.1:7000");
                peer.send("REG@127.0.0.1:7000#");
                await().atMost(Duration.ofSeconds(5))
                        .until(() ->
                                !connector.eventsOf(Event.LineReceived.class).isEmpty());
                assertThat(connector.eventsOf(Event.LineReceived.class).get(0))
                        .isEqualTo(new Event.LineReceived(new ConnId(7), "REG@127.0.0.1:7000#"));
            }
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> !connector.eventsOf(Event.Closed.class).isEmpty());
            assertThat(connector.events.get(0)).isEqualTo(new Event.Connected(new ConnId(7)));
            assertThat(connector.eventsOf(Event.Closed.class)).containsExactly(new Event.Closed(new ConnId(7)));
        }
    }

    @Test
    void connectToAClosedPortGivesConnectFailed() throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort();
        }
        ScriptedCore core = new ScriptedCore(
                now -> List.of(new Effect.Connect(new ConnId(3), "127.0.0.1", deadPort)), (now, e) -> List.of());
        host(core, new CoreHost.Options());
        await().atMost(Duration.ofSeconds(5)).until(() -> !core.events.isEmpty());
        assertThat(core.events).hasSize(1);
        assertThat(core.events.get(0)).isInstanceOf(Event.ConnectFailed.class);
        assertThat(((Event.ConnectFailed) core.events.get(0)).conn()).isEqualTo(new ConnId(3));
    }

    @Test
    void connectWithANonPositiveOrBusyIdIsRefused() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            int port = server.getLocalPort();
            ScriptedCore core = new ScriptedCore(
                    now -> List.of(
                            new Effect.Connect(new ConnId(-4), "127.0.0.1", port),
                            new Effect.Connect(new ConnId(5), "127.0.0.1", port),
                            new Effect.Connect(new ConnId(5), "127.0.0.1", port)),
                    (now, e) -> List.of());
            host(core, new CoreHost.Options());
            try (Socket accepted = server.accept()) {
                await().atMost(Duration.ofSeconds(5)).until(() -> core.events.size() >= 3);
                assertThat(core.events).contains(new Event.Connected(new ConnId(5)));
                assertThat(core.eventsOf(Event.ConnectFailed.class))
                        .extracting(Event.ConnectFailed::conn)
                        .containsExactlyInAnyOrder(new ConnId(-4), new ConnId(5));
            }
        }
    }

    @Test
    void closeBeforeConnectedCancelsWithConnectFailed() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            ScriptedCore core = new ScriptedCore(
                    now -> List.of(
                            new Effect.Connect(new ConnId(9), "127.0.0.1", server.getLocalPort()),
                            new Effect.Close(new ConnId(9))),
                    (now, e) -> List.of());
            host(core, new CoreHost.Options());
            await().atMost(Duration.ofSeconds(5)).until(() -> !core.events.isEmpty());
            assertThat(core.events).containsExactly(new Event.ConnectFailed(new ConnId(9), "cancelled"));
        }
    }

    @Test
    void submittedEventsAndQueriesRunOnTheLoopThread() {
        AtomicInteger counter = new AtomicInteger();
        ScriptedCore core = new ScriptedCore((now, e) -> {
            counter.incrementAndGet();
            return List.of();
        });
        CoreHost<ScriptedCore> host = host(core, new CoreHost.Options().name("q"));
        for (int i = 0; i < 100; i++) host.submit(new Event.TimerFired("t" + i));
        int seen = host.query(c -> c.handled).join();
        assertThat(seen).isEqualTo(100); // submitted before the query, so handled before it
        assertThat(host.query(c -> Thread.currentThread().getName()).join()).isIn(core.threads);
    }

    @Test
    void otherEffectsGoToThePluggableConsumerInOrder() {
        record Deliver(String what) implements Effect {}
        List<Effect> performed = new CopyOnWriteArrayList<>();
        ScriptedCore core = new ScriptedCore((now, e) -> List.of(new Deliver("one"), new Deliver("two")));
        CoreHost<ScriptedCore> host = host(core, new CoreHost.Options().otherEffects(performed::add));
        host.submit(new Event.TimerFired("x"));
        await().atMost(Duration.ofSeconds(5)).until(() -> performed.size() == 2);
        assertThat(performed).containsExactly(new Deliver("one"), new Deliver("two"));
    }

    @Test
    void probeEffectIsAnsweredByAProbeResultFromAnEchoServer() {
        EchoServer echo = closeLater(new EchoServer(null, null));
        int echoPort = echo.listen("127.0.0.1", 0);
        NodeId target = new NodeId("127.0.0.1", echoPort - 1);
        ScriptedCore core = new ScriptedCore(now -> List.of(new Effect.Probe(target, 2000)), (now, e) -> List.of());
        host(core, new CoreHost.Options());
        await().atMost(Duration.ofSeconds(5)).until(() -> !core.events.isEmpty());
        Event.ProbeResult r = (Event.ProbeResult) core.events.get(0);
        assertThat(r.target()).isEqualTo(target);
        assertThat(r.answered()).isTrue();
    }

    @Test
    void emulatedDelayAppliesToBothDirectionsAndKeepsLineOrder() throws Exception {
        EchoServer echo = closeLater(new EchoServer(null, null));
        int echoPort = echo.listen("127.0.0.1", 0);
        int n = 30;
        List<Effect> burst = new ArrayList<>();
        burst.add(new Effect.Connect(new ConnId(1), "127.0.0.1", echoPort));
        ScriptedCore core = new ScriptedCore(now -> burst, (now, e) -> {
            if (e instanceof Event.Connected c) {
                List<Effect> sends = new ArrayList<>();
                for (int i = 0; i < n; i++) sends.add(new Effect.Send(c.conn(), "line-" + i));
                return sends;
            }
            if (e instanceof Event.LineReceived l && l.line().equals("line-" + (n - 1))) {
                return List.of(new Effect.Close(l.conn()));
            }
            return List.of();
        });
        long delay = 80;
        host(core, new CoreHost.Options().delay((h, p) -> p == echoPort ? delay : 0));
        await().atMost(Duration.ofSeconds(5))
                .until(() -> !core.eventsOf(Event.Closed.class).isEmpty());
        List<String> lines = core.eventsOf(Event.LineReceived.class).stream()
                .map(Event.LineReceived::line)
                .toList();
        assertThat(lines).hasSize(n);
        for (int i = 0; i < n; i++) assertThat(lines.get(i)).isEqualTo("line-" + i);
        int connected = core.events.indexOf(new Event.Connected(new ConnId(1)));
        int firstLine =
                core.events.indexOf(core.eventsOf(Event.LineReceived.class).get(0));
        // one delay out, one delay back: the echo cannot arrive before both have passed
        assertThat(core.nows.get(firstLine + 1) - core.nows.get(connected + 1)).isGreaterThanOrEqualTo(2 * delay - 1);
        // Closed came last, after every delayed line
        assertThat(core.events.get(core.events.size() - 1)).isInstanceOf(Event.Closed.class);
    }

    @Test
    void closeWaitsForLinesStillHeldBackByTheEmulatedDelay() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            int port = server.getLocalPort();
            ScriptedCore core = new ScriptedCore(
                    now -> List.of(new Effect.Connect(new ConnId(1), "127.0.0.1", port)),
                    (now, e) -> e instanceof Event.Connected c
                            ? List.of(
                                    new Effect.Send(c.conn(), "a"),
                                    new Effect.Send(c.conn(), "b"),
                                    new Effect.Close(c.conn()))
                            : List.of());
            host(core, new CoreHost.Options().delay((h, p) -> 50));
            try (LineClient peer = new LineClient(server.accept())) {
                assertThat(peer.read()).isEqualTo("a");
                assertThat(peer.read()).isEqualTo("b");
                assertThat(peer.read()).isNull();
            }
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> !core.eventsOf(Event.Closed.class).isEmpty());
        }
    }

    @Test
    void aCoreGivenAfterListeningGetsTheConnectionsAcceptedBeforeItsStart() throws Exception {
        CoreHost<ScriptedCore> host = closeLater(new CoreHost<ScriptedCore>(new CoreHost.Options()));
        int port = host.listen("127.0.0.1", 0);
        assertThat(host.query(c -> c.handled)).failsWithin(Duration.ofSeconds(2));
        try (LineClient c = new LineClient(port)) {
            c.send("early");
            Thread.sleep(50); // the line is held until the core exists
            ScriptedCore core = echoCore();
            host.start(core).join();
            assertThat(c.read()).isEqualTo("echo:early");
            assertThat(core.events.get(0)).isInstanceOf(Event.Accepted.class);
        }
    }

    @Test
    void closeStopsAcceptingClosesConnectionsAndEndsTheLoopThread() throws Exception {
        ScriptedCore core = echoCore();
        CoreHost<ScriptedCore> host = new CoreHost<>(core, new CoreHost.Options().name("closing-host"));
        host.start().join();
        int port = host.listen("127.0.0.1", 0);
        try (LineClient c = new LineClient(port)) {
            c.send("ping");
            assertThat(c.read()).isEqualTo("echo:ping");
            host.close();
            assertThat(c.closedByPeer()).isTrue();
        }
        assertThat(host.loop().isShutdown()).isTrue();
        assertThat(host.loop().awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("closing-host")) t.join(2000);
        }
        assertThat(Thread.getAllStackTraces().keySet())
                .noneMatch(t -> t.getName().startsWith("closing-host") && t.isAlive());
        try (Socket s = new Socket()) {
            org.assertj.core.api.Assertions.assertThatThrownBy(
                            () -> s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 1000))
                    .isInstanceOf(IOException.class);
        }
        assertThat(host.query(c -> c.handled)).isCompletedExceptionally();
    }

    @Test
    void aSharedGroupIsLeftRunningAfterClose() {
        var group = Netty.newGroup(1, "shared");
        try {
            CoreHost<ScriptedCore> host = new CoreHost<>(echoCore(), new CoreHost.Options().group(group));
            host.start().join();
            host.listen("127.0.0.1", 0);
            host.close();
            assertThat(group.isShutdown()).isFalse();
            assertThat(group.submit(() -> 42).syncUninterruptibly().getNow()).isEqualTo(42);
        } finally {
            Netty.shutdown(group);
        }
    }
}
