package io.egoist.tunnel;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Datagrams of every size a UDP tunnel promises (1 byte to the IPv4 maximum of 65,507) go through a relay and come
 * back whole and byte-exact: the tunnels' UDP sockets read into buffers a whole datagram fits in (Netty's default
 * of 2,048 bytes would cut larger ones short).
 */
class TunnelDatagramSizesTest {
    static EchoServices services;
    static TunnelPath path;

    @BeforeAll
    static void start() throws Exception {
        services = new EchoServices();
        path = TunnelPath.start(
                3,
                Map.of(2, List.of(new Service("echo", Service.Proto.UDP, "127.0.0.1", services.udpPort()))),
                TunnelLimits.DEFAULTS);
        assertThat(path.awaitReady(30_000))
                .as("ring 0>1>2:%n%s", path.describe())
                .isTrue();
    }

    @AfterAll
    static void stop() throws Exception {
        if (path != null) path.close();
        if (services != null) services.close();
    }

    @Test
    void datagramsOfEverySizeComeBackWholeThroughARelay() throws Exception {
        Forward.Info f = path.node(0)
                .tunnels()
                .addForward(new Forward.Spec(
                        Service.Endpoint.parse("udp:127.0.0.1:0"), path.node(2).id(), "echo"))
                .orTimeout(10, TimeUnit.SECONDS)
                .join();
        InetSocketAddress to = new InetSocketAddress("127.0.0.1", f.port());
        long relayedBefore = path.node(1).tunnels().counters()[0];
        Random rnd = new Random(7);
        int[] sizes = {1, 1_200, 2_048, 2_049, 9_000, 32_768, 65_000, 65_507};
        try (DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            client.setSoTimeout(2_000);
            client.setReceiveBufferSize(1 << 20);
            byte[] in = new byte[70_000];
            for (int size : sizes) {
                byte[] d = new byte[size];
                rnd.nextBytes(d);
                d[0] = (byte) (size >> 8); // tells a late echo of an earlier size apart
                boolean echoed = false;
                for (int attempt = 0; attempt < 5 && !echoed; attempt++) { // UDP: a datagram may be lost
                    client.send(new DatagramPacket(d, d.length, to));
                    try {
                        while (!echoed) {
                            DatagramPacket p = new DatagramPacket(in, in.length);
                            client.receive(p);
                            if (in[0] != d[0]) continue; // an earlier size, late
                            assertThat(p.getLength())
                                    .as("echo of a %d-byte datagram", size)
                                    .isEqualTo(size);
                            assertThat(Arrays.copyOf(in, p.getLength())).isEqualTo(d);
                            echoed = true;
                        }
                    } catch (SocketTimeoutException e) {
                        // send again
                    }
                }
                assertThat(echoed).as("a %d-byte datagram came back", size).isTrue();
            }
        }
        assertThat(path.node(1).tunnels().counters()[0] - relayedBefore)
                .as("frames relayed by node 1 (on the way there; the ring's way back is 2>0)")
                .isGreaterThanOrEqualTo(sizes.length);
    }
}
