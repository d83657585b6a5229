package io.egoist.compat;

import io.egoist.compat.V02Wire.LineReader;
import io.egoist.compat.V02Wire.LineTooLong;
import io.egoist.compat.V02Wire.V02Link;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
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
 * A test-only re-implementation of the v0.2 tracker ({@code egoTracker}) from the reference
 * (/work/shared/docs/egoist-v02-protocol.md), including its defects. Plain blocking java.net sockets,
 * one thread per connection, loopback only, ephemeral port.
 *
 * <ul>
 *   <li>Framing: CR LF lines; a line longer than 16384 bytes drops the connection; an empty line closes it.
 *   <li>{@code REG@id}: a new id is added (no links, REGISTER event) and gets the one-line reply, or the
 *       OVER/NET segmented reply if the one-line reply would be ≥ PKT_LIMIT characters. A known id gets an
 *       empty line (defect). The connection stays open.
 *   <li>{@code UPT@src@dst@cost|…}: replaces src's links if src is registered, else ignored; a bare or
 *       unparseable UPT is ignored. The connection is closed. UPT is not an event.
 *   <li>{@code RMV@id}: a REMOVE event for id; close. Every removePeriod every node whose last event since
 *       the previous sweep is REMOVE is removed (with its own links), then all events are forgotten.
 *   <li>Anything else: logged (recorded), connection closed, no reply.
 * </ul>
 *
 * Node order: the node set yields ids in registration order (the reference leaves the order to Python's
 * set; any fixed order is as faithful). Costs are kept as floats and printed with Python 2's str(), so a
 * link sent as {@code 500} comes back as {@code 500.0} (the reference does not say whether v0.2 re-prints
 * costs; re-printing is the stricter case for our readers).
 */
final class V02Tracker implements AutoCloseable {
    private final ServerSocket server;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "v02-tracker");
        t.setDaemon(true);
        return t;
    });
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "v02-tracker-sweep");
        t.setDaemon(true);
        return t;
    });
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();

    // The overlay: node id -> its out-links, in registration order. Guarded by "this".
    private final LinkedHashMap<String, List<V02Link>> overlay = new LinkedHashMap<>();
    // Last event per node since the previous sweep: "REGISTER" or "REMOVE". Guarded by "this".
    private final Map<String, String> events = new LinkedHashMap<>();

    private final List<String> received = new CopyOnWriteArrayList<>();
    private final List<String> sent = new CopyOnWriteArrayList<>();
    private final List<String> removed = new CopyOnWriteArrayList<>();
    private volatile int sweeps;

    private V02Tracker(Duration removePeriod) throws IOException {
        server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        pool.execute(this::acceptLoop);
        long ms = removePeriod.toMillis();
        sweeper.scheduleAtFixedRate(this::sweep, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** Starts a tracker on an ephemeral loopback port with the given REMOVE_PERIOD. */
    static V02Tracker start(Duration removePeriod) throws IOException {
        return new V02Tracker(removePeriod);
    }

    int port() {
        return server.getLocalPort();
    }

    String address() {
        return "127.0.0.1:" + port();
    }

    synchronized List<String> nodes() {
        return new ArrayList<>(overlay.keySet());
    }

    synchronized boolean isRegistered(String id) {
        return overlay.containsKey(id);
    }

    /** The links the tracker holds for this node (empty if unknown). */
    synchronized List<V02Link> linksOf(String id) {
        List<V02Link> l = overlay.get(id);
        return l == null ? List.of() : List.copyOf(l);
    }

    /** Every line the tracker received, in arrival order (across connections). */
    List<String> received() {
        return Collections.unmodifiableList(received);
    }

    /** Every reply line the tracker wrote (without CR LF). */
    List<String> sent() {
        return Collections.unmodifiableList(sent);
    }

    /** Ids removed by the sweep, in order. */
    List<String> removed() {
        return Collections.unmodifiableList(removed);
    }

    int sweeps() {
        return sweeps;
    }

    /** Test helper: registers an id as a REG would, without a connection (to build big overlays fast). */
    synchronized void preRegister(String id, List<V02Link> links) {
        overlay.put(id, new ArrayList<>(links));
        events.put(id, "REGISTER");
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                open.add(s);
                try {
                    pool.execute(() -> serve(s));
                } catch (java.util.concurrent.RejectedExecutionException closed) {
                    V02Wire.closeQuietly(s);
                    return;
                }
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            LineReader in = new LineReader(s.getInputStream());
            OutputStream out = s.getOutputStream();
            while (true) {
                String line;
                try {
                    line = in.readLine();
                } catch (LineTooLong e) {
                    received.add("<line too long>");
                    return; // lineLengthExceeded: drop the connection
                }
                if (line == null) return;
                received.add(line);
                if (!handle(line, out)) return;
            }
        } catch (IOException e) {
            // connection lost
        } finally {
            open.remove(s);
        }
    }

    /** Handles one line; false means close the connection. */
    private boolean handle(String line, OutputStream out) throws IOException {
        if (line.isEmpty()) return false;
        String[] f = line.split("@", -1);
        String type = f[0];
        if (f.length < 2) return false; // text with no '@' (incl. a bare "UPT"): logged, closed
        switch (type) {
            case "REG": {
                String id = line.substring(4);
                List<String> reply = register(id);
                for (String r : reply) {
                    sent.add(r);
                    V02Wire.writeLine(out, r);
                }
                return true; // the tracker leaves the connection open
            }
            case "UPT":
                update(line.substring(3));
                return false;
            case "RMV":
                synchronized (this) {
                    events.put(line.substring(4), "REMOVE");
                }
                return false;
            default:
                return false;
        }
    }

    private synchronized List<String> register(String id) {
        if (overlay.containsKey(id)) return List.of(""); // defect: duplicate REG gets an empty line
        overlay.put(id, new ArrayList<>());
        events.put(id, "REGISTER");
        return reply();
    }

    private void update(String links) {
        List<V02Link> parsed;
        try {
            parsed = V02Wire.parseLinks(links);
        } catch (IllegalArgumentException e) {
            return; // Python raised: logged, ignored
        }
        if (parsed.isEmpty()) return;
        String src = parsed.get(0).src();
        synchronized (this) {
            if (overlay.containsKey(src)) overlay.put(src, new ArrayList<>(parsed));
        }
    }

    /** The REG reply for the current overlay: one line, or OVER/NET segments. Caller holds the lock. */
    private List<String> reply() {
        StringBuilder one = new StringBuilder("REG");
        List<String> ids = new ArrayList<>();
        List<String> links = new ArrayList<>();
        for (Map.Entry<String, List<V02Link>> e : overlay.entrySet()) {
            ids.add("@" + e.getKey());
            for (V02Link l : e.getValue()) links.add(l.wire());
        }
        ids.forEach(one::append);
        one.append('#');
        links.forEach(one::append);
        if (one.length() < V02Wire.PKT_LIMIT) return List.of(one.toString());
        List<String> lines = new ArrayList<>(segment("OVER", ids));
        lines.addAll(segment("NET", links));
        return lines;
    }

    /** Lines "HEAD" + pieces; every line but the last ends with SEG; each line < PKT_LIMIT. */
    private static List<String> segment(String head, List<String> pieces) {
        List<String> lines = new ArrayList<>();
        StringBuilder cur = new StringBuilder(head);
        for (String p : pieces) {
            if (cur.length() > head.length() && cur.length() + p.length() + "SEG".length() >= V02Wire.PKT_LIMIT) {
                lines.add(cur.append("SEG").toString());
                cur = new StringBuilder(head);
            }
            cur.append(p);
        }
        lines.add(cur.toString());
        return lines;
    }

    /** Runs one removal sweep now (tests with a long REMOVE_PERIOD use it to control when it happens). */
    void sweepNow() {
        sweep();
    }

    private void sweep() {
        synchronized (this) {
            for (Map.Entry<String, String> e : events.entrySet()) {
                if ("REMOVE".equals(e.getValue()) && overlay.remove(e.getKey()) != null) removed.add(e.getKey());
            }
            events.clear();
        }
        sweeps++;
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket s : open) V02Wire.closeQuietly(s);
        sweeper.shutdownNow();
        pool.shutdownNow();
    }
}
