package io.egoist.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The line port's defences below the core, on real loopback sockets: the per-address connection cap and the
 * first-line deadline.
 */
class TrackerConnectionDefencesTest {

    @TempDir
    Path dir;

    TrackerServer server;
    final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : toClose) c.close();
        if (server != null) server.close();
    }

    TrackerConfig config() {
        return TrackerConfig.forTest(dir)
                .withRemovePeriodMs(60_000)
                .withExpireAfterMs(600_000)
                .withAllowForeignIds(true); // 10.x ids played from 127.0.0.x
    }

    /** A line client whose connection comes from {@code localAddress} (any 127.x.y.z is this machine on Linux). */
    Client client(String localAddress) throws IOException {
        Client c = new Client(localAddress, server.port());
        toClose.add(c);
        return c;
    }

    static final class Client implements AutoCloseable {
        final Socket socket = new Socket();
        final BufferedReader in;

        Client(String localAddress, int port) throws IOException {
            socket.bind(new InetSocketAddress(localAddress, 0));
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(10_000);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        }

        Client send(String line) throws IOException {
            return sendRaw(line + "\r\n");
        }

        Client sendRaw(String text) throws IOException {
            socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            return this;
        }

        String readLine() throws IOException {
            return in.readLine();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void connectionsBeyondThePerAddressCapGetBusyNackWhileOtherAddressesAreServed() throws Exception {
        server = TrackerServer.start(config(), TrackerNetConfig.defaults().withMaxConnectionsPerAddress(3));
        List<Client> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) held.add(client("127.0.0.1"));
        await().atMost(Duration.ofSeconds(10)).until(() -> server.query(TrackerCore::connectionCount) == 3);

        Client fourth = client("127.0.0.1");
        assertThat(fourth.readLine()).isEqualTo("NACK@busy: too many connections from your address (3)");
        assertThat(fourth.readLine()).isNull();
        await().atMost(Duration.ofSeconds(10)).until(() -> server.guardCounts()[0] == 1);
        // the core never saw the refused connection
        assertThat(server.query(TrackerCore::connectionCount)).isEqualTo(3);

        // another address is not affected by the first one's cap
        Client other = client("127.0.0.2");
        other.send("REG@10.0.0.2:7000");
        assertThat(other.readLine()).isEqualTo("REG@10.0.0.2:7000#");

        // the connections within the cap are served
        held.get(0).send("REG@10.0.0.1:7000");
        assertThat(held.get(0).readLine()).startsWith("REG@");

        // once one closes, the address may connect again
        held.get(1).close();
        await().atMost(Duration.ofSeconds(10)).until(() -> server.query(TrackerCore::connectionCount) == 3);
        Client again = client("127.0.0.1");
        again.send("UPT@10.0.0.1:7000@10.0.0.2:7000@5|");
        assertThat(again.readLine()).isNull(); // a UPT is answered by the close, no NACK
        assertThat(server.snapshot().linkCount()).isEqualTo(1);
    }

    @Test
    void aConnectionWithoutACompleteFirstLineIsClosedAfterTheDeadline() throws Exception {
        server = TrackerServer.start(config(), TrackerNetConfig.defaults().withFirstLineTimeoutMs(300));
        Client silent = client("127.0.0.1");
        Client partial = client("127.0.0.1").sendRaw("REG@10.0.0.1:70"); // never finishes its line
        Client prompt = client("127.0.0.1").send("REG@10.0.0.3:7000");
        assertThat(prompt.readLine()).isEqualTo("REG@10.0.0.3:7000#");

        assertThat(silent.readLine()).isEqualTo("NACK@timeout: no complete line within 300 ms");
        assertThat(silent.readLine()).isNull();
        assertThat(partial.readLine()).isEqualTo("NACK@timeout: no complete line within 300 ms");
        assertThat(partial.readLine()).isNull();
        await().atMost(Duration.ofSeconds(10)).until(() -> server.guardCounts()[1] == 2);
        // the half line changed nothing
        assertThat(server.snapshot().nodeCount()).isEqualTo(1);

        // the connection that sent its line in time is not touched by the deadline: it may go on (v0.2 keeps a
        // REG connection open)
        await().atMost(Duration.ofSeconds(10)).until(() -> server.query(TrackerCore::connectionCount) == 1);
        prompt.send("REG@10.0.0.3:7000");
        assertThat(prompt.readLine()).isEqualTo("REG@10.0.0.3:7000#");
    }
}
