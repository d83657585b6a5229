package io.egoist.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class EchoServerTest {

    @Test
    void everyLineComesBackUnchanged() throws Exception {
        try (EchoServer echo = new EchoServer(null, "HELLO@127.0.0.1:7000@hb,data")) {
            int port = echo.listen("127.0.0.1", 0);
            try (LineClient c = new LineClient(port)) {
                for (String line : new String[] {"PING@1", "", "anything at all", "UPT@x@y", "HELLO"}) {
                    c.send(line);
                    assertThat(c.read()).isEqualTo(line);
                }
            }
        }
    }

    @Test
    void helloIsAnsweredWithTheOwnHelloLine() throws Exception {
        String own = "HELLO@127.0.0.1:7000@hb,data";
        try (EchoServer echo = new EchoServer(null, own, line -> line.startsWith("HELLO@"))) {
            int port = echo.listen("127.0.0.1", 0);
            try (LineClient c = new LineClient(port)) {
                c.send("HELLO@127.0.0.1:9000@hb");
                assertThat(c.read()).isEqualTo(own);
                c.send("PING@5");
                assertThat(c.read()).isEqualTo("PING@5");
            }
        }
    }

    @Test
    void theWireCodecRecognisesHelloAndOnlyValidOnes() throws Exception {
        String own = "HELLO@127.0.0.1:7000@hb,data";
        try (EchoServer echo = new EchoServer(null, own)) {
            int port = echo.listen("127.0.0.1", 0);
            try (LineClient c = new LineClient(port)) {
                c.send("HELLO@10.0.0.5:7000@");
                assertThat(c.read()).isEqualTo(own);
                c.send("HELLO@not-an-id@hb"); // malformed: echoed like any line
                assertThat(c.read()).isEqualTo("HELLO@not-an-id@hb");
                c.send("HELLOX@10.0.0.5:7000@hb");
                assertThat(c.read()).isEqualTo("HELLOX@10.0.0.5:7000@hb");
            }
        }
    }

    @Test
    void withoutAnOwnHelloAHelloIsEchoedLikeAV02EchoPort() throws Exception {
        try (EchoServer echo = new EchoServer(null, null, line -> true)) {
            int port = echo.listen("127.0.0.1", 0);
            try (LineClient c = new LineClient(port)) {
                c.send("HELLO@127.0.0.1:9000@hb");
                assertThat(c.read()).isEqualTo("HELLO@127.0.0.1:9000@hb");
            }
        }
    }

    @Test
    void overLongLineGetsNackAndTheConnectionIsClosedWhileOthersAreServed() throws Exception {
        try (EchoServer echo = new EchoServer(null, null)) {
            int port = echo.listen("127.0.0.1", 0);
            try (LineClient bad = new LineClient(port);
                    LineClient good = new LineClient(port)) {
                // one write, one byte over the echo port's line limit, so the server has read everything when it
                // closes (unread bytes would turn its close into a reset that can race the NACK)
                byte[] big = new byte[EchoServer.Limits.DEFAULT_MAX_LINE_LENGTH + 3];
                Arrays.fill(big, (byte) 'z');
                big[big.length - 2] = '\r';
                big[big.length - 1] = '\n';
                bad.sendRaw(big);
                assertThat(bad.read()).isEqualTo("NACK@line too long");
                assertThat(bad.closedByPeer()).isTrue();
                good.send("still here");
                assertThat(good.read()).isEqualTo("still here");
            }
        }
    }
}
