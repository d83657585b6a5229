package io.egoist.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.tunnel.Service;
import io.egoist.tunnel.TunnelLimits;
import io.egoist.tunnel.TunnelPath;
import io.egoist.web.ControlApi;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code egoist forward} against a real node's control API, and {@code egoist node --expose} validation. */
class ForwardCliTest {
    static DatagramSocket echo;
    static TunnelPath path;
    static ControlApi api;
    static String control;

    @BeforeAll
    static void start() throws Exception {
        echo = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            byte[] buf = new byte[2048];
            while (!echo.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    echo.receive(p);
                    echo.send(new DatagramPacket(p.getData(), p.getLength(), p.getSocketAddress()));
                } catch (Exception e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        path = TunnelPath.start(
                2,
                Map.of(1, List.of(new Service("echo", Service.Proto.UDP, "127.0.0.1", echo.getLocalPort()))),
                TunnelLimits.DEFAULTS);
        assertThat(path.awaitReady(30_000))
                .as("pair ready:%n%s", path.describe())
                .isTrue();
        api = ControlApi.start(path.node(0), "127.0.0.1", 0, null);
        control = "127.0.0.1:" + api.port();
    }

    @AfterAll
    static void stop() {
        if (api != null) api.close();
        if (path != null) path.close();
        if (echo != null) echo.close();
    }

    @Test
    void forwardListAndDeleteThroughTheCli() throws Exception {
        String to = path.node(1).id().toString();
        Cli.Run add = Cli.run(
                "forward", "--control", control, "--listen", "udp:127.0.0.1:0", "--to", to, "--service", "echo");
        assertThat(add.exit()).as(add.err()).isZero();
        Matcher m = Pattern.compile(
                        "forward (\\d+): udp:127\\.0\\.0\\.1:(\\d+) -> " + Pattern.quote(to) + " service echo")
                .matcher(add.out());
        assertThat(m.find()).as(add.out()).isTrue();
        String id = m.group(1);
        int port = Integer.parseInt(m.group(2));

        try (DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            client.setSoTimeout(5_000);
            byte[] hello = "hello through the overlay".getBytes(StandardCharsets.US_ASCII);
            client.send(new DatagramPacket(hello, hello.length, new InetSocketAddress("127.0.0.1", port)));
            DatagramPacket p = new DatagramPacket(new byte[100], 100);
            client.receive(p);
            assertThat(new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII))
                    .isEqualTo("hello through the overlay");
        }

        Cli.Run list = Cli.run("forward", "--control", control, "--list");
        assertThat(list.exit()).isZero();
        assertThat(list.out())
                .contains("  " + id + "  udp:127.0.0.1:" + port)
                .contains("datagrams_in=1")
                .contains("datagrams_out=1");
        Cli.Run json = Cli.run("forward", "--control", control, "--list", "--json");
        assertThat(json.out()).contains("\"exposed\":[]").contains("\"service\":\"echo\"");

        assertThat(Cli.run("forward", "--control", control, "--delete", id).exit())
                .isZero();
        Cli.Run again = Cli.run("forward", "--control", control, "--delete", id);
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err().trim()).isEqualTo("egoist forward: no forward " + id);
    }

    @Test
    void aServiceTheDestinationDoesNotExposeIsRefusedWithItsReason() {
        String to = path.node(1).id().toString();
        Cli.Run r = Cli.run(
                "forward", "--control", control, "--listen", "tcp:127.0.0.1:0", "--to", to, "--service", "echo");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().trim()).isEqualTo("egoist forward: service 'echo' at " + to + " is udp, not tcp");
        Cli.Run none =
                Cli.run("forward", "--control", control, "--listen", "udp:127.0.0.1:0", "--to", to, "--service", "x");
        assertThat(none.err().trim()).isEqualTo("egoist forward: no service 'x' is exposed at " + to);
    }

    @Test
    void badOptionsAreOneLineAndExitCode2() {
        Cli.Run r = Cli.run(
                "forward",
                "--control",
                control,
                "--listen",
                "sctp:127.0.0.1:1",
                "--to",
                "127.0.0.1:2",
                "--service",
                "a");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().trim()).isEqualTo("egoist forward: --listen: protocol must be udp or tcp, not 'sctp'");
        Cli.Run half = Cli.run("forward", "--control", control, "--to", "127.0.0.1:2");
        assertThat(half.exit()).isEqualTo(2);
        assertThat(half.err()).startsWith("egoist forward: --listen, --to and --service are needed");
        Cli.Run both = Cli.run("forward", "--control", control, "--list", "--delete", "3");
        assertThat(both.exit()).isEqualTo(2);
        Cli.Run expose = Cli.run("node", "--tracker", "127.0.0.1", "--expose", "db=tcp:127.0.0.1");
        assertThat(expose.exit()).isEqualTo(2);
        assertThat(expose.err().trim())
                .isEqualTo("egoist node: --expose: expected udp:HOST:PORT or tcp:HOST:PORT, got 'tcp:127.0.0.1'");
        Cli.Run twice = Cli.run(
                "node", "--tracker", "127.0.0.1", "--expose", "a=udp:127.0.0.1:5", "--expose", "a=tcp:127.0.0.1:6");
        assertThat(twice.err().trim()).isEqualTo("egoist node: --expose: service 'a' given twice");
    }
}
