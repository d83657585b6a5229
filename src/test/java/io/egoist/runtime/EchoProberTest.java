package io.egoist.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.egoist.core.Event;
import io.egoist.wire.NodeId;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EchoProberTest {
    private final EventLoopGroup group = Netty.newGroup(1, "prober-test");
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) toClose.get(i).close();
        Netty.shutdown(group);
    }

    /** The node whose echo port is {@code echoPort}. */
    private static NodeId nodeWithEchoPort(int echoPort) {
        return new NodeId("127.0.0.1", echoPort - 1);
    }

    private EchoProber prober(int max, OutboundDelay delay) {
        EchoProber p = new EchoProber(group.next(), max, delay);
        toClose.add(p);
        return p;
    }

    @Test
    void probeOfALiveEchoPortIsAnsweredWithAnRtt() {
        EchoServer echo = new EchoServer(null, null);
        toClose.add(echo);
        NodeId target = nodeWithEchoPort(echo.listen("127.0.0.1", 0));
        List<Event.ProbeResult> results = new CopyOnWriteArrayList<>();
        EchoProber prober = prober(16, OutboundDelay.NONE);
        for (int i = 0; i < 5; i++) prober.probe(target, 2000, results::add);
        await().atMost(Duration.ofSeconds(5)).until(() -> results.size() == 5);
        assertThat(results).allSatisfy(r -> {
            assertThat(r.target()).isEqualTo(target);
            assertThat(r.answered()).isTrue();
        });
    }

    @Test
    void probeOfAPortThatAcceptsButNeverAnswersTimesOut() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> held = new CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) held.add(silent.accept());
                } catch (IOException e) {
                    // closed
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            NodeId target = nodeWithEchoPort(silent.getLocalPort());
            List<Event.ProbeResult> results = new CopyOnWriteArrayList<>();
            prober(16, OutboundDelay.NONE).probe(target, 200, results::add);
            await().atMost(Duration.ofSeconds(5)).until(() -> results.size() == 1);
            assertThat(results.get(0)).isEqualTo(new Event.ProbeResult(target, -1));
            assertThat(held).isNotEmpty(); // it did connect; the answer was missing
            for (Socket s : held) s.close();
        }
    }

    @Test
    void probeOfANodeOnPort65535FailsWithoutAnException() {
        NodeId target = new NodeId("127.0.0.1", 65535); // its echo port would be 65536
        List<Event.ProbeResult> results = new CopyOnWriteArrayList<>();
        prober(16, OutboundDelay.NONE).probe(target, 2000, results::add);
        await().atMost(Duration.ofSeconds(5)).until(() -> results.size() == 1);
        assertThat(results.get(0).answered()).isFalse();
        assertThat(results.get(0).target()).isEqualTo(target);
    }

    @Test
    void probeOfARefusingPortFails() throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            dead = s.getLocalPort();
        }
        NodeId target = nodeWithEchoPort(dead);
        List<Event.ProbeResult> results = new CopyOnWriteArrayList<>();
        prober(16, OutboundDelay.NONE).probe(target, 2000, results::add);
        await().atMost(Duration.ofSeconds(5)).until(() -> results.size() == 1);
        assertThat(results.get(0).answered()).isFalse();
    }

    @Test
    void probesAreBoundedAndTheRestQueueUntilAnswersComeBack() throws Exception {
        int max = 4;
        int total = 25;
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            // a manual echo port that answers only when told to, so we can see how many probes are in flight
            LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
            AtomicInteger maxInFlight = new AtomicInteger();
            AtomicInteger inFlight = new AtomicInteger();
            List<LineClient> conns = new CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        LineClient c = new LineClient(server.accept());
                        conns.add(c);
                        Thread reader = new Thread(() -> {
                            try {
                                String line;
                                while ((line = c.read()) != null) {
                                    maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                                    received.add(line);
                                }
                            } catch (IOException e) {
                                // closed
                            }
                        });
                        reader.setDaemon(true);
                        reader.start();
                    }
                } catch (IOException e) {
                    // closed
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();

            NodeId target = nodeWithEchoPort(server.getLocalPort());
            List<Event.ProbeResult> results = new CopyOnWriteArrayList<>();
            EchoProber prober = prober(max, OutboundDelay.NONE);
            for (int i = 0; i < total; i++) prober.probe(target, 10_000, results::add);
            int answered = 0;
            while (answered < total) {
                String line = received.poll(5, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(line).as("probe line %d", answered).isNotNull();
                Thread.sleep(5); // give the prober a chance to (wrongly) send more than allowed
                inFlight.decrementAndGet();
                conns.get(0).send(line);
                answered++;
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> results.size() == total);
            assertThat(results).allMatch(Event.ProbeResult::answered);
            assertThat(maxInFlight.get()).isLessThanOrEqualTo(max);
            assertThat(conns).hasSize(1); // one persistent connection per target
            for (LineClient c : conns) c.close();
        }
    }

    @Test
    void emulatedDelayIsPaidOnTheWayOutAndBack() {
        EchoServer echo = new EchoServer(null, null);
        toClose.add(echo);
        int echoPort = echo.listen("127.0.0.1", 0);
        NodeId target = nodeWithEchoPort(echoPort);
        List<Event.ProbeResult> results = new CopyOnWriteArrayList<>();
        prober(16, (h, p) -> p == echoPort ? 60 : 0).probe(target, 3000, results::add);
        await().atMost(Duration.ofSeconds(5)).until(() -> results.size() == 1);
        assertThat(results.get(0).rttMs()).isGreaterThanOrEqualTo(119.0);
    }

    @Test
    void aProbeAfterALostConnectionReconnects() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            // echoes one line per connection, then hangs up
            AtomicInteger accepted = new AtomicInteger();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        try (LineClient c = new LineClient(server.accept())) {
                            accepted.incrementAndGet();
                            String line = c.read();
                            if (line != null) c.send(line);
                        }
                    }
                } catch (IOException e) {
                    // closed
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            NodeId target = nodeWithEchoPort(server.getLocalPort());
            List<Event.ProbeResult> results = new CopyOnWriteArrayList<>();
            EchoProber prober = prober(16, OutboundDelay.NONE);
            prober.probe(target, 2000, results::add);
            await().atMost(Duration.ofSeconds(5)).until(() -> results.size() == 1);
            assertThat(results.get(0).answered()).isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> accepted.get() == 1);
            // the next probe may still meet the dying connection; the one after must use a new one
            prober.probe(target, 2000, results::add);
            await().atMost(Duration.ofSeconds(5)).until(() -> results.size() == 2);
            prober.probe(target, 2000, results::add);
            await().atMost(Duration.ofSeconds(5)).until(() -> results.size() == 3);
            assertThat(results.get(2).answered()).isTrue();
            assertThat(accepted.get()).isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void withIdleCloseAnUnusedEchoConnectionIsReleasedAndTheNextProbeReopensIt() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            // echoes every line; counts connections accepted and connections the prober hung up
            AtomicInteger accepted = new AtomicInteger();
            AtomicInteger hungUp = new AtomicInteger();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        Socket s = server.accept();
                        accepted.incrementAndGet();
                        Thread t = new Thread(() -> {
                            try (LineClient c = new LineClient(s)) {
                                String line;
                                while ((line = c.read()) != null) c.send(line);
                            } catch (IOException e) {
                                // reset: counts as gone too
                            }
                            hungUp.incrementAndGet();
                        });
                        t.setDaemon(true);
                        t.start();
                    }
                } catch (IOException e) {
                    // closed
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            NodeId target = nodeWithEchoPort(server.getLocalPort());
            List<Event.ProbeResult> results = new CopyOnWriteArrayList<>();
            EchoProber prober = prober(16, OutboundDelay.NONE).closeIdleAfter(100);
            prober.probe(target, 2000, results::add);
            await().atMost(Duration.ofSeconds(5)).until(() -> results.size() == 1);
            assertThat(results.get(0).answered()).isTrue();
            // nobody probes it any more: the prober hangs up
            await().atMost(Duration.ofSeconds(5)).until(() -> hungUp.get() == 1);
            assertThat(accepted.get()).isEqualTo(1);
            // a later probe opens a new connection and is answered on it
            prober.probe(target, 2000, results::add);
            await().atMost(Duration.ofSeconds(5)).until(() -> results.size() == 2);
            assertThat(results.get(1).answered()).isTrue();
            assertThat(accepted.get()).isEqualTo(2);
        }
    }
}
