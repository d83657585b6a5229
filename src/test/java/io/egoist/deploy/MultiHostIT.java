package io.egoist.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several machines without containers: a tracker and six nodes, each in its own Linux network namespace with its
 * own address, joined by a bridge that lives in one more namespace, run as separate processes of the real jar
 * ({@code ip netns exec NS java -jar target/egoist.jar ...}). They join, wire, route and deliver; a node whose
 * namespace is cut off ({@code ip link set eth0 down}) is routed around and removed by the tracker; when its link
 * comes back it rejoins. The addresses are in 198.18.0.0/24 (the benchmarking range, RFC 2544) and exist only
 * inside these namespaces: nothing is added to the machine's own network namespace, and every namespace and
 * process is removed at the end, also on failure. Needs root and iproute2; skipped with a message otherwise.
 */
class MultiHostIT {
    static final String NET = "198.18.0.";
    static final String TRACKER_IP = NET + "2";
    static final int NODES = 6;
    static final int K = 2;
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** Runs a command to completion; returns its exit code and combined output. */
    record Result(int exit, String out) {}

    static Result sh(List<String> cmd, Duration timeout) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out;
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
            return new Result(-1, "timed out: " + cmd);
        }
        out = p.getInputStream().readAllBytes();
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    static void ip(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        Result r = sh(cmd, Duration.ofSeconds(20));
        if (r.exit() != 0)
            throw new IllegalStateException(
                    String.join(" ", cmd) + ": " + r.out().strip());
    }

    /** The namespaces of one run, named with a per-run prefix; closing deletes every one. */
    static final class Namespaces implements AutoCloseable {
        final String prefix = "egit" + Long.toString(ProcessHandle.current().pid() % 100000, 36);
        final String bridge = prefix + "br";
        final List<String> made = new ArrayList<>();

        String make(String suffix) throws IOException, InterruptedException {
            String ns = prefix + suffix;
            ip("netns", "add", ns);
            made.add(ns);
            ip("-n", ns, "link", "set", "lo", "up");
            return ns;
        }

        /** A host namespace with eth0 at {@code address}/24, its veth peer plugged into the bridge. */
        String host(String suffix, String address) throws IOException, InterruptedException {
            String ns = make(suffix);
            String peer = prefix + suffix + "p";
            // created directly in the two namespaces: the machine's own namespace never sees the pair
            ip("link", "add", "eth0", "netns", ns, "type", "veth", "peer", "name", peer, "netns", bridge);
            ip("-n", bridge, "link", "set", peer, "master", "br0", "up");
            ip("-n", ns, "addr", "add", address + "/24", "dev", "eth0");
            ip("-n", ns, "link", "set", "eth0", "up");
            return ns;
        }

        @Override
        public void close() throws IOException, InterruptedException {
            for (String ns : made) sh(List.of("ip", "netns", "del", ns), Duration.ofSeconds(20));
        }
    }

    static List<String> in(String ns) {
        return List.of("ip", "netns", "exec", ns);
    }

    /** GET inside a namespace (curl), parsed as JSON; null when it fails. */
    static JsonNode get(String ns, String url) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(in(ns));
        cmd.addAll(List.of("curl", "-s", "-f", "-m", "3", url));
        Result r = sh(cmd, Duration.ofSeconds(10));
        return r.exit() == 0 ? JSON.readTree(r.out()) : null;
    }

    static Set<String> trackerNodes(String trackerNs) throws IOException, InterruptedException {
        JsonNode o = get(trackerNs, "http://127.0.0.1:8080/api/overlay");
        Set<String> ids = new HashSet<>();
        if (o != null) o.path("nodes").forEach(n -> ids.add(n.path("id").asText()));
        return ids;
    }

    static long connectedNeighbors(String ns) throws IOException, InterruptedException {
        JsonNode s = get(ns, "http://127.0.0.1:7080/status");
        if (s == null) return -1;
        long c = 0;
        for (JsonNode n : s.path("neighbors")) if (n.path("connected").asBoolean()) c++;
        return c;
    }

    static List<String> path(JsonNode route) {
        List<String> p = new ArrayList<>();
        route.path("path").forEach(h -> p.add(h.asText()));
        return p;
    }

    /** {@code egoist send} (the real CLI, inside the sender's namespace). */
    static Result send(String ns, String to, String text) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(in(ns));
        cmd.addAll(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1",
                "-jar",
                JarProcess.JAR.toString(),
                "send",
                "--control",
                "127.0.0.1:7080",
                "--timeout",
                "10",
                "--to",
                to,
                text));
        return sh(cmd, Duration.ofSeconds(60));
    }

    static String canMakeNamespaces(String probe) throws InterruptedException {
        if (!"root".equals(System.getProperty("user.name"))) return "not root (network namespaces need root)";
        try {
            Result r = sh(List.of("ip", "netns", "add", probe), Duration.ofSeconds(10));
            if (r.exit() != 0) return "`ip netns add` failed: " + r.out().strip();
            sh(List.of("ip", "netns", "del", probe), Duration.ofSeconds(10));
            r = sh(List.of("curl", "--version"), Duration.ofSeconds(10));
            if (r.exit() != 0) return "curl is missing";
            return null;
        } catch (IOException e) {
            return "no `ip` or `curl` command (install iproute2 and curl): " + e.getMessage();
        }
    }

    @Test
    void sevenHostsJoinWireRouteDeliverRouteAroundACutNodeAndTakeItBack() throws Exception {
        String why = canMakeNamespaces(new Namespaces().prefix + "probe");
        assumeTrue(why == null, () -> "multi-host test skipped: " + why);
        Duration up = Duration.ofSeconds(60);
        List<JarProcess> procs = new ArrayList<>();
        try (Namespaces net = new Namespaces()) {
            net.make("br");
            ip("-n", net.bridge, "link", "add", "br0", "type", "bridge");
            ip("-n", net.bridge, "link", "set", "br0", "up");
            String trackerNs = net.host("t", TRACKER_IP);
            List<String> nodeNs = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            for (int i = 1; i <= NODES; i++) {
                nodeNs.add(net.host("n" + i, NET + (10 + i)));
                ids.add(NET + (10 + i) + ":7000");
            }
            try {
                procs.add(JarProcess.start(
                        "tracker",
                        in(trackerNs),
                        "tracker",
                        "--bind",
                        "0.0.0.0",
                        "--data",
                        dir.toString(),
                        "--remove-period",
                        "1",
                        "--ping-timeout",
                        "1",
                        "--expire-after",
                        "60"));
                for (int i = 0; i < NODES; i++) {
                    procs.add(JarProcess.start(
                            "node" + (i + 1),
                            in(nodeNs.get(i)),
                            "node",
                            "--tracker",
                            TRACKER_IP,
                            "--host",
                            NET + (11 + i),
                            "--k",
                            String.valueOf(K),
                            "--ping-period",
                            "1",
                            "--rewire-period",
                            "2",
                            "--heartbeat",
                            "0.25",
                            "--seed",
                            String.valueOf(i + 1)));
                }
                for (JarProcess p : procs) {
                    p.awaitOut(p.name.equals("tracker") ? "egoist tracker listening on .*" : "node=.*", up);
                }

                // join: the tracker lists all six, each under the address of its own namespace
                await("all six registered at the tracker")
                        .atMost(up)
                        .pollInterval(Duration.ofMillis(500))
                        .until(() -> trackerNodes(trackerNs).containsAll(ids));
                // wire: every node has its k neighbors, connected
                for (String ns : nodeNs) {
                    await("k connected neighbors in " + ns)
                            .atMost(up)
                            .pollInterval(Duration.ofMillis(500))
                            .until(() -> connectedNeighbors(ns) >= K);
                }
                // route and deliver: node 1 reaches every other node over the overlay
                for (String to : ids.subList(1, NODES)) {
                    await("route from node1 to " + to)
                            .atMost(up)
                            .pollInterval(Duration.ofMillis(500))
                            .until(() -> get(nodeNs.get(0), "http://127.0.0.1:7080/route?to=" + to) != null);
                }
                Result first = send(nodeNs.get(0), ids.get(NODES - 1), "hello across namespaces");
                assertThat(first.exit()).as(first.out()).isZero();
                assertThat(first.out()).contains("delivered to " + ids.get(NODES - 1));

                // Pick a node that relays someone's traffic: the cut must force a route around it.
                String victim = null, src = null, dst = null;
                boolean relay = true;
                search:
                for (int i = 0; i < NODES; i++) {
                    JsonNode routes = get(nodeNs.get(i), "http://127.0.0.1:7080/routes");
                    if (routes == null) continue;
                    for (JsonNode r : routes.path("routes")) {
                        List<String> p = path(r);
                        if (p.size() >= 3) {
                            victim = p.get(1);
                            src = ids.get(i);
                            dst = p.get(p.size() - 1);
                            break search;
                        }
                    }
                }
                if (victim == null) { // every route direct: still cut one, and check the others keep talking
                    relay = false;
                    victim = ids.get(NODES - 1);
                    src = ids.get(0);
                    dst = ids.get(1);
                }
                System.out.printf("multi-host: cutting %s (relay on %s -> %s: %s)%n", victim, src, dst, relay);
                String victimNs = nodeNs.get(ids.indexOf(victim));
                String srcNs = nodeNs.get(ids.indexOf(src));
                String dstId = dst, victimId = victim;

                ip("-n", victimNs, "link", "set", "eth0", "down");
                await("tracker removes the cut-off " + victimId)
                        .atMost(up)
                        .pollInterval(Duration.ofMillis(500))
                        .until(() -> {
                            Set<String> now = trackerNodes(trackerNs);
                            return !now.isEmpty() && !now.contains(victimId);
                        });
                await("route from " + src + " to " + dstId + " avoids " + victimId)
                        .atMost(up)
                        .pollInterval(Duration.ofMillis(500))
                        .until(() -> {
                            JsonNode r = get(srcNs, "http://127.0.0.1:7080/route?to=" + dstId);
                            return r != null && !path(r).contains(victimId);
                        });
                Result around = send(srcNs, dstId, "around the cut");
                assertThat(around.exit()).as(around.out()).isZero();
                assertThat(around.out()).contains("delivered to " + dstId).doesNotContain(victimId);
                assertThat(procs.get(ids.indexOf(victimId) + 1).isAlive()).isTrue();

                // back: the link comes up, the node registers again, wires and delivers
                ip("-n", victimNs, "link", "set", "eth0", "up");
                await(victimId + " registered again")
                        .atMost(up)
                        .pollInterval(Duration.ofMillis(500))
                        .until(() -> trackerNodes(trackerNs).contains(victimId));
                await(victimId + " wired again")
                        .atMost(up)
                        .pollInterval(Duration.ofMillis(500))
                        .until(() -> connectedNeighbors(victimNs) >= K);
                String home = ids.get(0).equals(victimId) ? ids.get(1) : ids.get(0);
                await("route from " + victimId + " to " + home)
                        .atMost(up)
                        .pollInterval(Duration.ofMillis(500))
                        .until(() -> get(victimNs, "http://127.0.0.1:7080/route?to=" + home) != null);
                Result back = send(victimNs, home, "back again");
                assertThat(back.exit()).as(back.out()).isZero();
                assertThat(back.out()).contains("delivered to " + home);
            } finally {
                for (JarProcess p : procs) p.close();
            }
        }
    }
}
