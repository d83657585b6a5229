package io.egoist.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.egoist.wire.NodeId;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Source checks and unservable ids on real sockets, the checks on (the default): clients connect from
 * 127.0.0.1 and from 127.0.0.2 (Linux routes all of 127/8 to loopback), so an id's address is its sender's
 * or not.
 */
class TrackerSourceCheckServerTest {
    @TempDir
    Path dir;

    TrackerServer server;
    ListAppender<ILoggingEvent> logs;

    @AfterEach
    void tearDown() {
        if (server != null) server.close();
        if (logs != null) ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
    }

    /** One line from {@code from}; what came back until the tracker closed (or one REG reply). */
    List<String> exchange(String from, String line) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            List<String> got = new ArrayList<>();
            String l;
            while ((l = in.readLine()) != null) {
                got.add(l);
                if (l.startsWith("REG")) break;
            }
            return got;
        }
    }

    @Test
    void idsAreTakenOnlyFromTheirOwnAddressAndPort65535NowhereWithoutAStackTrace() throws Exception {
        logs = new ListAppender<>();
        logs.start();
        ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).addAppender(logs);
        server = TrackerServer.start(
                TrackerConfig.forTest(dir).withRemovePeriodMs(200).withPingTimeoutMs(200));
        NodeId one = new NodeId("127.0.0.1", 7000), two = new NodeId("127.0.0.2", 7000);

        assertThat(exchange("127.0.0.1", "REG@" + two))
                .containsExactly("NACK@node: id 127.0.0.2:7000 is not the sender's address 127.0.0.1");
        assertThat(exchange("127.0.0.1", "REG@" + one)).containsExactly("REG@127.0.0.1:7000#");
        assertThat(exchange("127.0.0.2", "UPT@" + one + "@" + two + "@5|"))
                .containsExactly("NACK@src: id 127.0.0.1:7000 is not the sender's address 127.0.0.2");
        assertThat(exchange("127.0.0.2", "RMV@" + one))
                .containsExactly("NACK@reporter: RMV taken only from a registered node's address, not 127.0.0.2");
        assertThat(server.snapshot().node(one).orElseThrow().suspect()).isFalse();
        assertThat(server.snapshot().node(one).orElseThrow().links()).isEmpty();

        assertThat(exchange("127.0.0.1", "REG@127.0.0.1:65535"))
                .containsExactly("NACK@node: port 65535 leaves no echo port (65536)");
        assertThat(exchange("127.0.0.1", "UPT@" + one + "@127.0.0.1:65535@5|")).isEmpty();
        assertThat(server.snapshot().ids()).containsExactly(one);
        // an RMV of it from a registered node's address: no node, no probe of port 65536
        assertThat(exchange("127.0.0.1", "RMV@127.0.0.1:65535")).isEmpty();
        assertThat(logs.list).noneMatch(e -> e.getThrowableProxy() != null);
        assertThat(logs.list).noneMatch(e -> e.getLevel() == Level.ERROR);
    }
}
