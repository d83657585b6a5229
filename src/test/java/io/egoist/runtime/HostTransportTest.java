package io.egoist.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.egoist.core.ConnId;
import io.egoist.core.Effect;
import io.egoist.core.Event;
import io.netty.channel.epoll.Epoll;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The transport of a host's loop: epoll where it loads when the host prefers native (the tracker's line port),
 * NIO otherwise; a host that does not ask keeps the process-wide transport (the node's sockets); every channel
 * of a host (listening, accepted, opened) fits its loop.
 */
class HostTransportTest {

    @Test
    void theRuleFallsBackToNioWhereEpollDoesNotLoadOrWhenNioIsAskedFor() {
        assertThat(Netty.useEpoll(true, "", true)).isTrue();
        assertThat(Netty.useEpoll(true, "", false)).isFalse(); // not Linux, or the native library missing
        assertThat(Netty.useEpoll(true, "nio", true)).isFalse(); // the operator's switch
        assertThat(Netty.useEpoll(true, "NIO", true)).isFalse();
        assertThat(Netty.useEpoll(false, "", true)).isFalse(); // the default for everyone else
        assertThat(Netty.useEpoll(false, "epoll", true)).isTrue(); // the process-wide switch, as before
        assertThat(Netty.useEpoll(false, "epoll", false)).isFalse();
    }

    @Test
    void aHostPreferringNativeRunsEpollWhereItLoadsAndItsChannelsWork() throws Exception {
        String expected = Epoll.isAvailable() && !"nio".equalsIgnoreCase(System.getProperty("egoist.transport", ""))
                ? "epoll"
                : "nio";
        try (ServerSocket peer = new ServerSocket(0)) {
            ScriptedCore core = new ScriptedCore(
                    now -> List.of(new Effect.Connect(new ConnId(5), "127.0.0.1", peer.getLocalPort())),
                    (now, e) -> e instanceof Event.LineReceived l
                            ? List.of(new Effect.Send(l.conn(), "got:" + l.line()), new Effect.Close(l.conn()))
                            : List.of());
            try (CoreHost<ScriptedCore> host =
                    new CoreHost<>(core, new CoreHost.Options().name("native").nativeTransport(true))) {
                assertThat(host.transport()).isEqualTo(expected);
                host.start().join();
                int port = host.listen("127.0.0.1", 0);
                // accepted: a line in, the reply and the close out
                try (Socket s = new Socket("127.0.0.1", port)) {
                    s.getOutputStream().write("UPT@x\r\n".getBytes(StandardCharsets.US_ASCII));
                    BufferedReader in =
                            new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                    assertThat(in.readLine()).isEqualTo("got:UPT@x");
                    assertThat(in.readLine()).isNull();
                }
                // opened by the core: the client channel type fits the loop
                try (Socket accepted = peer.accept()) {
                    await().atMost(Duration.ofSeconds(10))
                            .until(() -> !core.eventsOf(Event.Connected.class).isEmpty());
                    assertThat(accepted.isConnected()).isTrue();
                }
            }
        }
    }

    /**
     * Replies go out without Nagle's delay: an accepted channel has TCP_NODELAY on, on either transport. The line
     * port sets no child option for it (Netty's socket configs turn it on at creation; setting it again was a second
     * setsockopt per connection).
     */
    @Test
    void acceptedConnectionsHaveTcpNoDelayOnEitherTransport() throws Exception {
        for (boolean preferNative : new boolean[] {true, false}) {
            java.util.concurrent.CompletableFuture<Boolean> noDelay = new java.util.concurrent.CompletableFuture<>();
            CoreHost<?>[] self = new CoreHost<?>[1];
            ScriptedCore core = new ScriptedCore((now, e) -> {
                if (e instanceof Event.Accepted a) {
                    noDelay.complete(
                            self[0].channel(a.conn()).config().getOption(io.netty.channel.ChannelOption.TCP_NODELAY));
                }
                return List.of();
            });
            try (CoreHost<ScriptedCore> host =
                    new CoreHost<>(core, new CoreHost.Options().name("nodelay").nativeTransport(preferNative))) {
                self[0] = host;
                host.start().join();
                int port = host.listen("127.0.0.1", 0);
                try (Socket s = new Socket("127.0.0.1", port)) {
                    assertThat(noDelay.get(10, java.util.concurrent.TimeUnit.SECONDS))
                            .as("TCP_NODELAY, %s", host.transport())
                            .isTrue();
                }
            }
        }
    }

    @Test
    void aHostThatDoesNotAskKeepsTheProcessWideTransport() {
        try (CoreHost<ScriptedCore> host =
                new CoreHost<>(new ScriptedCore((now, e) -> List.of()), new CoreHost.Options().name("plain"))) {
            assertThat(host.transport()).isEqualTo(Netty.transport());
        }
    }
}
