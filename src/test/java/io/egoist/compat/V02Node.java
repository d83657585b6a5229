package io.egoist.compat;

import io.egoist.compat.V02Wire.LineReader;
import io.egoist.compat.V02Wire.V02Link;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A test-only re-implementation of the v0.2 node ({@code egoistClt}) from the reference
 * (/work/shared/docs/egoist-v02-protocol.md), including its defects. Plain blocking java.net sockets on
 * loopback; the main port is ephemeral and the echo port is main + 1.
 *
 * <ul>
 *   <li>Join: {@code REG@id} on a new tracker connection. One-line reply: node set and links. Segmented
 *       reply: the node set from the OVER lines; of each NET line only the word NET is kept (defect: the
 *       links are lost). Empty reply (duplicate REG at a v0.2 tracker): nothing learnt (defect).
 *   <li>Boot: the first k other nodes of the node set, in the order the reply gave them, become the
 *       out-neighbors at cost BOOT_DELAY ({@code 500}); a TCP connection to each one's main port; then an
 *       announcement: peer-form {@code UPT@sha1hex@seq@src@dst@cost|…} (seq modulo 5000) to every
 *       out-neighbor and tracker-form {@code UPT@src@dst@cost|…} on a new tracker connection (a bare
 *       {@code UPT} when it has no links).
 *   <li>Echo server on main + 1: every line is sent back unchanged.
 *   <li>Main port: a peer UPT is dropped if its hash was seen or its seq is not greater than the last
 *       accepted from its source (plain {@code >}, no wrap-around: the defect); otherwise the source's links
 *       are replaced, unknown nodes join the view, and the line is forwarded unchanged to every
 *       out-neighbor. {@code TRD} closes the connection. A line that does not parse (Python would raise)
 *       drops the connection. Any other line is ignored. Every line is recorded.
 *   <li>A lost out-link (not dropped deliberately): the neighbor is forgotten and {@code RMV@neighbor} is
 *       sent to the tracker.
 *   <li>Optional probing ({@code pingPeriod}): a persistent connection to every known node's echo port, a
 *       line sent and timed every period; cost = mean of the last three RTTs in ms, history starting
 *       [500, 500, 500]; costs are printed with Python 2's str(). Optional periodic re-announcement
 *       ({@code announcePeriod}, standing in for the per-REWIRING_PERIOD announcement). The local search
 *       (re-wiring) is not emulated: the neighbors stay those chosen at boot unless dropped.
 * </ul>
 * It never sends anything but v0.2 packets: REG, UPT (both forms), RMV, TRD@, and echo/probe lines.
 */
final class V02Node implements AutoCloseable {

    /** k out-neighbors; pingPeriod and announcePeriod may be null (off). */
    record Config(int k, Duration pingPeriod, Duration announcePeriod) {
        static Config of(int k) {
            return new Config(k, null, null);
        }
    }

    /** How the tracker answered the REG. */
    enum Reply {
        NONE,
        ONE_LINE,
        SEGMENTED,
        EMPTY
    }

    private final Config config;
    private final int trackerPort;
    private final ServerSocket main;
    private final ServerSocket echo;
    private final String id;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "v02-node");
        t.setDaemon(true);
        return t;
    });
    private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(1, r -> {
        Thread t = new Thread(r, "v02-node-timer");
        t.setDaemon(true);
        return t;
    });
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closing;

    // --- state, guarded by "this"
    private final LinkedHashSet<String> nodes = new LinkedHashSet<>();
    private final Map<String, List<V02Link>> links = new HashMap<>();
    private final List<String> neighbors = new ArrayList<>();
    private final Map<String, Socket> outLinks = new HashMap<>();
    private final Set<String> deliberatelyDropped = new HashSet<>();
    private final Set<String> seenHashes = new HashSet<>();
    private final Map<String, Integer> lastSeq = new HashMap<>();
    private final Map<String, double[]> history = new HashMap<>();
    private final Map<String, Boolean> measured = new HashMap<>();
    private final Map<String, ProbeConn> probeConns = new HashMap<>();

    private record ProbeConn(Socket socket, LineReader in) {}

    private int seq;
    private Reply reply = Reply.NONE;

    // --- records
    private final List<String> replyLines = new CopyOnWriteArrayList<>();
    private final List<String> mainLines = new CopyOnWriteArrayList<>();
    private final List<String> echoLines = new CopyOnWriteArrayList<>();
    private final List<String> sentLines = new CopyOnWriteArrayList<>();
    private final List<String> accepted = new CopyOnWriteArrayList<>();

    private V02Node(int trackerPort, Config config, ServerSocket main, ServerSocket echo) {
        this.trackerPort = trackerPort;
        this.config = config;
        this.main = main;
        this.echo = echo;
        this.id = "127.0.0.1:" + main.getLocalPort();
        pool.execute(() -> acceptLoop(main, this::serveMain));
        pool.execute(() -> acceptLoop(echo, this::serveEcho));
    }

    /** Binds an ephemeral main port (and main + 1), registers and boots. */
    static V02Node start(int trackerPort, Config config) throws IOException {
        V02Node n = listen(trackerPort, config, 0);
        n.join();
        return n;
    }

    /** Binds the ports only (main = {@code port}, or ephemeral if 0); call {@link #join()} afterwards. */
    static V02Node listen(int trackerPort, Config config, int port) throws IOException {
        InetAddress lo = InetAddress.getLoopbackAddress();
        for (int attempt = 0; attempt < 100; attempt++) {
            ServerSocket m = new ServerSocket();
            m.setReuseAddress(true);
            try {
                m.bind(new InetSocketAddress(lo, port), 50);
            } catch (IOException busy) {
                // a just-closed listener is released when its accept thread wakes up: retry a fixed port
                m.close();
                if (port == 0 || attempt == 99) throw busy;
                sleep(20);
                continue;
            }
            int p = m.getLocalPort();
            if (p < 65535) {
                ServerSocket e = new ServerSocket();
                e.setReuseAddress(true);
                try {
                    e.bind(new InetSocketAddress(lo, p + 1), 50);
                    return new V02Node(trackerPort, config, m, e);
                } catch (IOException busy) {
                    e.close();
                    if (port != 0) {
                        m.close();
                        if (attempt == 99) throw busy;
                        sleep(20);
                        continue;
                    }
                }
            }
            m.close();
        }
        throw new IOException("no free port pair");
    }

    private static void sleep(long ms) throws IOException {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    String id() {
        return id;
    }

    int mainPort() {
        return main.getLocalPort();
    }

    int echoPort() {
        return echo.getLocalPort();
    }

    synchronized Reply reply() {
        return reply;
    }

    synchronized List<String> knownNodes() {
        return new ArrayList<>(nodes);
    }

    synchronized List<String> neighbors() {
        return new ArrayList<>(neighbors);
    }

    /** The links this node holds for {@code src} (empty if none). */
    synchronized List<V02Link> linksOf(String src) {
        List<V02Link> l = links.get(src);
        return l == null ? List.of() : List.copyOf(l);
    }

    /** Total number of links in the view. */
    synchronized int linkCount() {
        return links.values().stream().mapToInt(List::size).sum();
    }

    /** The lines of the tracker's REG reply as received. */
    List<String> replyLines() {
        return Collections.unmodifiableList(replyLines);
    }

    /** Every line received on the main port, in order. */
    List<String> mainLines() {
        return Collections.unmodifiableList(mainLines);
    }

    /** Every line received on the echo port (and echoed), in order. */
    List<String> echoLines() {
        return Collections.unmodifiableList(echoLines);
    }

    /** Every line this node sent (tracker, neighbors, probes), in order. */
    List<String> sentLines() {
        return Collections.unmodifiableList(sentLines);
    }

    /** Peer updates accepted (stored and forwarded), as received. */
    List<String> acceptedUpdates() {
        return Collections.unmodifiableList(accepted);
    }

    /** REG at the tracker, take its reply, boot (neighbors + announcement), start the timers. */
    void join() throws IOException {
        try (Socket t = new Socket()) {
            t.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), trackerPort), 3000);
            t.setSoTimeout(5000);
            send(t.getOutputStream(), "REG@" + id);
            readReply(new LineReader(t.getInputStream()));
        }
        boot();
        if (config.pingPeriod() != null) {
            long ms = config.pingPeriod().toMillis();
            timers.scheduleWithFixedDelay(this::probeAll, ms, ms, TimeUnit.MILLISECONDS);
        }
        if (config.announcePeriod() != null) {
            long ms = config.announcePeriod().toMillis();
            timers.scheduleWithFixedDelay(this::announceQuietly, ms, ms, TimeUnit.MILLISECONDS);
        }
    }

    private void readReply(LineReader in) throws IOException {
        String first = in.readLine();
        if (first == null) throw new IOException("tracker closed without a reply");
        replyLines.add(first);
        synchronized (this) {
            if (first.isEmpty()) {
                nodes.add(id);
                reply = Reply.EMPTY; // defect: nothing learnt
                return;
            }
        }
        if (first.startsWith("REG")) {
            String body = first.substring(3);
            int hash = body.indexOf('#');
            String nodePart = hash < 0 ? body : body.substring(0, hash);
            List<V02Link> ls = hash < 0 ? List.of() : V02Wire.parseLinks(body.substring(hash + 1));
            synchronized (this) {
                for (String n : nodePart.split("@")) if (!n.isEmpty()) nodes.add(n);
                for (V02Link l : ls)
                    links.computeIfAbsent(l.src(), x -> new ArrayList<>()).add(l);
                nodes.add(id);
                reply = Reply.ONE_LINE;
            }
            return;
        }
        if (first.startsWith("OVER")) {
            StringBuilder all = new StringBuilder();
            String line = first;
            while (true) {
                String body = line.substring(4);
                boolean more = body.endsWith("SEG");
                all.append(more ? body.substring(0, body.length() - 3) : body);
                if (!more) break;
                line = in.readLine();
                if (line == null) throw new IOException("reply cut");
                replyLines.add(line);
            }
            while (true) { // NET lines: only the word NET is kept (defect)
                line = in.readLine();
                if (line == null) throw new IOException("reply cut");
                replyLines.add(line);
                if (!line.endsWith("SEG")) break;
            }
            synchronized (this) {
                for (String n : all.toString().split("@")) if (!n.isEmpty()) nodes.add(n);
                nodes.add(id);
                reply = Reply.SEGMENTED;
            }
            return;
        }
        throw new IOException("unexpected tracker reply: " + first);
    }

    private void boot() {
        List<String> chosen = new ArrayList<>();
        synchronized (this) {
            for (String n : nodes) {
                if (chosen.size() >= config.k()) break;
                if (!n.equals(id)) chosen.add(n);
            }
            for (String n : chosen) measured.putIfAbsent(n, false);
        }
        for (String n : chosen) connectNeighbor(n);
        announceQuietly();
    }

    private void connectNeighbor(String n) {
        Socket s = new Socket();
        try {
            s.connect(addr(n, 0), 3000);
        } catch (IOException e) {
            V02Wire.closeQuietly(s);
            tellTrackerRemove(n);
            return;
        }
        open.add(s);
        synchronized (this) {
            neighbors.add(n);
            outLinks.put(n, s);
            links.put(id, ownLinks());
        }
        pool.execute(() -> watchOutLink(n, s));
    }

    /** Reads (and ignores) what the neighbor writes; a lost link means: forget it and RMV it. */
    private void watchOutLink(String n, Socket s) {
        try {
            LineReader in = new LineReader(s.getInputStream());
            while (in.readLine() != null) {
                // v0.2 accepting side only listens; nothing expected
            }
        } catch (IOException ignored) {
            // lost
        }
        open.remove(s);
        V02Wire.closeQuietly(s);
        boolean report;
        synchronized (this) {
            report = !closing && !deliberatelyDropped.remove(n) && outLinks.get(n) == s;
            if (outLinks.get(n) == s) {
                outLinks.remove(n);
                neighbors.remove(n);
                links.put(id, ownLinks());
            }
        }
        if (report) tellTrackerRemove(n);
    }

    /** Drops an out-neighbor the v0.2 way: {@code TRD@} then close. */
    void dropNeighbor(String n) throws IOException {
        Socket s;
        synchronized (this) {
            s = outLinks.remove(n);
            neighbors.remove(n);
            deliberatelyDropped.add(n);
            links.put(id, ownLinks());
        }
        if (s != null) {
            send(s.getOutputStream(), "TRD@");
            V02Wire.closeQuietly(s);
        }
    }

    /** Own links, in neighbor order; caller holds the lock. */
    private List<V02Link> ownLinks() {
        List<V02Link> l = new ArrayList<>();
        for (String n : neighbors) l.add(new V02Link(id, n, cost(n)));
        return l;
    }

    /** The cost v0.2 writes for a link: 500 (an int) until measured, then Python's str of the mean. */
    private String costText(String n) {
        return Boolean.TRUE.equals(measured.get(n)) ? V02Wire.py2Str(cost(n)) : String.valueOf(V02Wire.BOOT_DELAY);
    }

    private double cost(String n) {
        double[] h = history.get(n);
        if (h == null) return V02Wire.BOOT_DELAY;
        return (h[0] + h[1] + h[2]) / 3;
    }

    /** Announces own links: peer UPT to every out-neighbor, tracker UPT on a new tracker connection. */
    void announce() throws IOException {
        String peerLine;
        String trackerLine;
        List<Socket> targets;
        synchronized (this) {
            seq = (seq + 1) % V02Wire.PKT_IDS_LIMIT;
            String hash = V02Wire.sha1Hex(id + V02Wire.py2Str(System.currentTimeMillis() / 1000.0) + seq);
            seenHashes.add(hash);
            StringBuilder ls = new StringBuilder();
            for (String n : neighbors)
                ls.append('@')
                        .append(id)
                        .append('@')
                        .append(n)
                        .append('@')
                        .append(costText(n))
                        .append('|');
            links.put(id, ownLinks());
            peerLine = "UPT@" + hash + "@" + seq + ls;
            trackerLine = "UPT" + ls;
            targets = new ArrayList<>(outLinks.values());
        }
        for (Socket s : targets) {
            try {
                send(s.getOutputStream(), peerLine);
            } catch (IOException e) {
                // the watcher notices the loss
            }
        }
        try (Socket t = new Socket()) {
            t.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), trackerPort), 3000);
            send(t.getOutputStream(), trackerLine);
        }
    }

    private void announceQuietly() {
        try {
            announce();
        } catch (IOException e) {
            // tracker unreachable: v0.2 logs and goes on
        }
    }

    private void tellTrackerRemove(String n) {
        if (closing) return;
        try (Socket t = new Socket()) {
            t.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), trackerPort), 3000);
            send(t.getOutputStream(), "RMV@" + n);
        } catch (IOException ignored) {
            // logged by v0.2
        }
    }

    private void serveMain(Socket s) {
        try {
            LineReader in = new LineReader(s.getInputStream());
            String line;
            while ((line = in.readLine()) != null) {
                mainLines.add(line);
                if (line.startsWith("TRD")) return;
                if (line.startsWith("UPT@")) peerUpdate(line); // throws on a bad line: connection dropped
            }
        } catch (IOException | RuntimeException e) {
            // Twisted logs the exception and drops the connection
        } finally {
            open.remove(s);
            V02Wire.closeQuietly(s);
        }
    }

    private void peerUpdate(String line) throws IOException {
        String[] f = line.split("@", -1);
        String hash = f[1];
        int s = Integer.parseInt(f[2]);
        String src = f[3];
        String rest = line.substring(("UPT@" + hash + "@" + f[2]).length());
        List<V02Link> ls = V02Wire.parseLinks(rest);
        List<Socket> targets;
        synchronized (this) {
            if (seenHashes.contains(hash)) return;
            Integer last = lastSeq.get(src);
            if (last != null && s <= last) return;
            seenHashes.add(hash);
            lastSeq.put(src, s);
            if (!src.equals(id)) links.put(src, new ArrayList<>(ls));
            nodes.add(src);
            for (V02Link l : ls) nodes.add(l.dst());
            targets = new ArrayList<>(outLinks.values());
        }
        accepted.add(line);
        for (Socket t : targets) {
            try {
                send(t.getOutputStream(), line);
            } catch (IOException e) {
                // the watcher notices the loss
            }
        }
    }

    private void serveEcho(Socket s) {
        try {
            LineReader in = new LineReader(s.getInputStream());
            OutputStream out = s.getOutputStream();
            String line;
            while ((line = in.readLine()) != null) {
                echoLines.add(line);
                V02Wire.writeLine(out, line);
            }
        } catch (IOException e) {
            // dropped
        } finally {
            open.remove(s);
            V02Wire.closeQuietly(s);
        }
    }

    private void probeAll() {
        List<String> targets;
        synchronized (this) {
            targets = new ArrayList<>(nodes);
        }
        targets.remove(id);
        for (String n : targets) {
            double sample = probe(n);
            synchronized (this) {
                double[] h = history.computeIfAbsent(n, x -> new double[] {500, 500, 500});
                h[0] = h[1];
                h[1] = h[2];
                h[2] = sample;
                measured.put(n, true);
                if (neighbors.contains(n)) links.put(id, ownLinks());
            }
        }
    }

    private double probe(String n) {
        ProbeConn c;
        synchronized (this) {
            c = probeConns.get(n);
        }
        try {
            if (c == null || c.socket().isClosed()) {
                Socket s = new Socket();
                open.add(s);
                c = new ProbeConn(s, null);
                s.connect(addr(n, 1), V02Wire.PING_TIMEOUT_MS);
                s.setSoTimeout(V02Wire.PING_TIMEOUT_MS);
                c = new ProbeConn(s, new LineReader(s.getInputStream()));
                synchronized (this) {
                    probeConns.put(n, c);
                }
            }
            String probe = V02Wire.py2Str(System.currentTimeMillis() / 1000.0);
            long t0 = System.nanoTime();
            send(c.socket().getOutputStream(), probe);
            if (c.in().readLine() == null) throw new IOException("closed");
            return (System.nanoTime() - t0) / 1e6;
        } catch (IOException e) { // incl. timeout: the sample is HUGE_DELAY
            if (c != null) {
                open.remove(c.socket());
                V02Wire.closeQuietly(c.socket());
            }
            return V02Wire.HUGE_DELAY;
        }
    }

    private void send(OutputStream out, String line) throws IOException {
        sentLines.add(line);
        V02Wire.writeLine(out, line);
    }

    private static InetSocketAddress addr(String nodeId, int portOffset) {
        int colon = nodeId.lastIndexOf(':');
        return new InetSocketAddress(
                nodeId.substring(0, colon), Integer.parseInt(nodeId.substring(colon + 1)) + portOffset);
    }

    private void acceptLoop(ServerSocket server, java.util.function.Consumer<Socket> serve) {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                open.add(s);
                try {
                    pool.execute(() -> serve.accept(s));
                } catch (java.util.concurrent.RejectedExecutionException closed) {
                    V02Wire.closeQuietly(s);
                    return;
                }
            } catch (IOException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        closing = true;
        try {
            main.close();
            echo.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket s : open) V02Wire.closeQuietly(s);
        timers.shutdownNow();
        pool.shutdownNow();
    }

    @Override
    public String toString() {
        return "V02Node " + id;
    }
}
