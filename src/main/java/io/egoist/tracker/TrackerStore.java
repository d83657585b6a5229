package io.egoist.tracker;

import io.egoist.core.Effect;
import io.egoist.core.LogValues;
import io.egoist.wire.Link;
import io.egoist.wire.NodeId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tracker's state on disk: an SQLite database {@code tracker.db} in the data directory with one table of
 * nodes (id, last_seen, suspect, links), a row per node ({@link StoreSchema}).
 *
 * <p>{@link #accept} takes the core's {@link TrackerEffect}s from any thread and returns at once. One writer
 * thread coalesces them per node (each effect is a node's complete new state, so the last one wins) and
 * writes a batch in one transaction {@code batchDelayMs} after its first change (default 0: group commit, the
 * writer commits whatever is pending as soon as the previous commit is done, so a batch is what arrived during
 * one commit; a fixed window to let batches grow halved UPT throughput in the bench, because the clients wait for
 * their acknowledgements). The tracker hands its changes over once per pass of its event loop ({@link StoreFeed},
 * {@link #acceptAll}): what arrived together is one transaction. After each commit it tells its {@link #onProgress progress listener} how many effects are on
 * disk, which the core uses to release the acknowledgements it held ({@link AckGate}). In WAL mode with
 * {@code synchronous=NORMAL} a commit is in the operating system's hands when it returns: it survives the
 * tracker process being killed at any moment (not a power cut, which may lose the last commits).
 *
 * <p>A failed write is logged at ERROR, reported to the listener as unhealthy (the tracker then serves from
 * memory without holding acknowledgements), exposed by {@link #failure()} (and {@code /healthz}), and retried
 * every {@link #RETRY_MS} ms until it succeeds.
 *
 * <p>The data directory is locked ({@value #LOCK_FILE_NAME}, an OS file lock held while the store is open): a
 * second tracker on the same directory fails to open it.
 */
public final class TrackerStore implements Consumer<Effect>, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TrackerStore.class);

    public static final String FILE_NAME = "tracker.db";
    public static final String LOCK_FILE_NAME = "tracker.lock";
    public static final long DEFAULT_BATCH_DELAY_MS = 0;
    /** Pause between attempts to write a batch that failed. */
    public static final long RETRY_MS = 500;

    /** Told after each commit (durable effects so far, true) and after each failed write (effects so far, false). */
    public interface ProgressListener {
        void progress(long durableEffects, boolean healthy);
    }

    private final Path file;
    private final Connection db;
    private final long batchDelayMs;

    private final Object lock = new Object();
    private LinkedHashMap<NodeId, TrackerEffect> pending = new LinkedHashMap<>();
    private long firstPendingNanos;
    private long submitted;
    private long written;
    private boolean flushRequested;
    private boolean closing;
    private Thread writer;

    /** Links as last written per node (by identity: the core hands out the same list while links are unchanged). */
    private final Map<NodeId, List<Link>> writtenLinks = new HashMap<>();

    private volatile long batches;
    private volatile long rowsWritten;
    private volatile long maxBatchMillis;
    /** Longest time from a batch's first change to its commit (ms). */
    private volatile long maxChangeDelayMillis;

    private final DataDirLock dirLock;
    private volatile ProgressListener listener = (n, ok) -> {};
    /** Why the last write failed, or null when the last write succeeded. */
    private volatile String failure;

    private volatile long failedWrites;

    private TrackerStore(Path file, Connection db, long batchDelayMs, DataDirLock dirLock) {
        this.file = file;
        this.db = db;
        this.batchDelayMs = batchDelayMs;
        this.dirLock = dirLock;
    }

    public static TrackerStore open(Path dataDir) {
        return open(dataDir, DEFAULT_BATCH_DELAY_MS);
    }

    /**
     * Opens (creating if needed) the database in {@code dataDir} and checks that it is readable and intact.
     *
     * @throws TrackerStoreException with a one-line message when it is not (e.g. not a database file)
     */
    public static TrackerStore open(Path dataDir, long batchDelayMs) {
        Path file = dataDir.resolve(FILE_NAME).toAbsolutePath();
        try {
            Files.createDirectories(dataDir);
        } catch (Exception e) {
            throw new TrackerStoreException(
                    "cannot create data directory " + dataDir.toAbsolutePath() + ": " + oneLine(e), e);
        }
        if (Files.exists(file) && !Files.isReadable(file)) {
            throw new TrackerStoreException("cannot read tracker database " + file + ": permission denied");
        }
        DataDirLock dirLock =
                DataDirLock.acquire(dataDir.resolve(LOCK_FILE_NAME).toAbsolutePath());
        Connection db = null;
        try {
            // no generated keys: sqlite-jdbc would otherwise run "SELECT last_insert_rowid()" after every upsert
            org.sqlite.SQLiteConfig sqlite = new org.sqlite.SQLiteConfig();
            sqlite.setGetGeneratedKeys(false);
            db = DriverManager.getConnection("jdbc:sqlite:" + file, sqlite.toProperties());
            try (Statement st = db.createStatement()) {
                st.execute("PRAGMA busy_timeout=5000");
                try (ResultSet rs = st.executeQuery("PRAGMA quick_check")) {
                    String result = rs.next() ? rs.getString(1) : "no result";
                    if (!"ok".equalsIgnoreCase(result)) {
                        throw new TrackerStoreException("tracker database " + file + " is corrupt: " + result);
                    }
                }
                st.execute("PRAGMA journal_mode=WAL");
                st.execute("PRAGMA synchronous=NORMAL");
                StoreSchema.create(st);
            }
            db.setAutoCommit(false);
            StoreSchema.migrate(db, file);
            db.commit();
            TrackerStore store = new TrackerStore(file, db, batchDelayMs, dirLock);
            return store;
        } catch (TrackerStoreException e) {
            closeQuietly(db);
            dirLock.close();
            throw e;
        } catch (SQLException e) {
            closeQuietly(db);
            dirLock.close();
            throw new TrackerStoreException("cannot open tracker database " + file + ": " + oneLine(e), e);
        }
    }

    public Path file() {
        return file;
    }

    /** Sets who is told about commits and failures (the tracker: its core, through its host). Call before start. */
    public TrackerStore onProgress(ProgressListener l) {
        this.listener = l;
        return this;
    }

    /** Why writing fails, or null while it works. */
    public String failure() {
        return failure;
    }

    /** Batches whose write failed (each is retried). */
    public long failedWrites() {
        return failedWrites;
    }

    /**
     * Reads the stored overlay: nodes in the order they were first written, each with its links in order.
     * Call before {@link #start()}.
     */
    public TrackerSnapshot load() {
        try {
            List<TrackerNode> out = new ArrayList<>();
            try (Statement st = db.createStatement();
                    ResultSet rs = st.executeQuery("SELECT id, last_seen, suspect, links FROM nodes ORDER BY rowid")) {
                while (rs.next()) {
                    NodeId id = parseId(rs.getString(1));
                    List<Link> links = StoreSchema.decodeLinks(id, rs.getString(4), file);
                    TrackerNode node = new TrackerNode(id, rs.getLong(2), rs.getInt(3) != 0, links);
                    writtenLinks.put(id, node.links());
                    out.add(node);
                }
            }
            db.commit();
            return new TrackerSnapshot(out);
        } catch (SQLException e) {
            throw new TrackerStoreException("cannot read tracker database " + file + ": " + oneLine(e), e);
        }
    }

    private NodeId parseId(String s) {
        try {
            return NodeId.parse(s);
        } catch (IllegalArgumentException e) {
            throw new TrackerStoreException("tracker database " + file + " is corrupt: bad node id '" + s + "'");
        }
    }

    /** Starts the writer thread. */
    public synchronized TrackerStore start() {
        if (writer == null) {
            writer = new Thread(this::writeLoop, "tracker-store-writer");
            writer.setDaemon(true);
            writer.start();
        }
        return this;
    }

    /** Queues a {@link TrackerEffect} for writing; other effects are ignored. Never blocks on the disk. */
    @Override
    public void accept(Effect effect) {
        if (!(effect instanceof TrackerEffect te)) return;
        synchronized (lock) {
            if (pending.isEmpty()) {
                firstPendingNanos = System.nanoTime();
                lock.notifyAll();
            }
            pending.put(te.id(), te);
            submitted++;
        }
    }

    /**
     * Queues changes that arrived together (e.g. one event loop pass, see {@link StoreFeed}) with one lock and at
     * most one wake-up of the writer: they go into the same transaction (unless the writer is idle-waiting on
     * {@code batchDelayMs}, they are never split). Other effects are ignored. Never blocks on the disk.
     */
    public void acceptAll(List<? extends Effect> effects) {
        synchronized (lock) {
            boolean wasEmpty = pending.isEmpty();
            for (Effect effect : effects) {
                if (!(effect instanceof TrackerEffect te)) continue;
                pending.put(te.id(), te);
                submitted++;
            }
            if (wasEmpty && !pending.isEmpty()) {
                firstPendingNanos = System.nanoTime();
                lock.notifyAll();
            }
        }
    }

    /** Blocks until every change accepted before this call is on disk (or the timeout passed). */
    public boolean flush(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        synchronized (lock) {
            long target = submitted;
            flushRequested = true;
            lock.notifyAll();
            while (written < target) {
                long rem = deadline - System.nanoTime();
                if (rem <= 0) return false;
                TimeUnit.NANOSECONDS.timedWait(lock, rem);
            }
            return true;
        }
    }

    /** Figures of the writer so far: batches, rows written, longest batch write, longest change-to-disk delay. */
    public record Stats(long batches, long rows, long maxBatchMillis, long maxChangeDelayMillis) {}

    public Stats stats() {
        return new Stats(batches, rowsWritten, maxBatchMillis, maxChangeDelayMillis);
    }

    /** Changes accepted but not yet on disk. */
    public int pendingCount() {
        synchronized (lock) {
            return pending.size();
        }
    }

    /** Flushes what is pending, stops the writer and closes the database. */
    @Override
    public void close() {
        Thread w;
        synchronized (this) {
            w = writer;
        }
        synchronized (lock) {
            closing = true;
            lock.notifyAll();
        }
        if (w != null) {
            try {
                w.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else {
            writeRemaining();
        }
        closeStatements();
        closeQuietly(db);
        dirLock.close();
        log.info(
                "event=store-closed file={} batches={} rows={} max_batch_ms={} max_change_delay_ms={}",
                file,
                batches,
                rowsWritten,
                maxBatchMillis,
                maxChangeDelayMillis);
    }

    // ----------------------------------------------------------------------------------- writer

    private void writeLoop() {
        long batchFirstNanos;
        while (true) {
            LinkedHashMap<NodeId, TrackerEffect> batch;
            long seq;
            synchronized (lock) {
                try {
                    while (pending.isEmpty() && !closing) lock.wait();
                    long deadline = firstPendingNanos + TimeUnit.MILLISECONDS.toNanos(batchDelayMs);
                    long rem;
                    while (!closing && !flushRequested && (rem = deadline - System.nanoTime()) > 0) {
                        TimeUnit.NANOSECONDS.timedWait(lock, rem);
                    }
                } catch (InterruptedException e) {
                    closing = true;
                }
                if (pending.isEmpty()) {
                    flushRequested = false;
                    if (closing) return;
                    continue;
                }
                batch = pending;
                pending = new LinkedHashMap<>();
                seq = submitted;
                flushRequested = false;
                batchFirstNanos = firstPendingNanos;
            }
            long w0 = System.nanoTime();
            boolean ok = writeWithRetry(batch);
            if (ok) {
                long end = System.nanoTime();
                maxBatchMillis = Math.max(maxBatchMillis, (end - w0) / 1_000_000);
                maxChangeDelayMillis = Math.max(maxChangeDelayMillis, (end - batchFirstNanos) / 1_000_000);
                if (failure != null) {
                    log.info("event=store-write-recovered file={} failed_writes={}", file, failedWrites);
                    failure = null;
                }
                listener.progress(seq, true);
            } else {
                listener.progress(seq, false);
            }
            synchronized (lock) {
                if (ok) {
                    written = seq;
                } else {
                    // give the batch back (newer changes of the same node win) and try again shortly
                    for (Map.Entry<NodeId, TrackerEffect> e : batch.entrySet())
                        pending.putIfAbsent(e.getKey(), e.getValue());
                    firstPendingNanos = System.nanoTime();
                    if (closing) {
                        log.error(
                                "event=store-write-failed file={} dropped_changes={} (closing)", file, pending.size());
                        written = submitted;
                        pending.clear();
                    }
                }
                lock.notifyAll();
            }
            if (!ok) sleepQuietly(RETRY_MS);
        }
    }

    private void writeRemaining() {
        LinkedHashMap<NodeId, TrackerEffect> batch;
        synchronized (lock) {
            batch = pending;
            pending = new LinkedHashMap<>();
        }
        if (!batch.isEmpty()) writeWithRetry(batch);
    }

    private boolean writeWithRetry(Map<NodeId, TrackerEffect> batch) {
        try {
            write(batch);
            return true;
        } catch (SQLException e) {
            closeStatements();
            try {
                db.rollback();
            } catch (SQLException ignored) {
                // the connection is in trouble; the next attempt will say so
            }
            failedWrites++;
            String reason = oneLine(e);
            if (!reason.equals(failure)) {
                log.error(
                        "event=store-write-failed file={} changes={} error={} retry_ms={}",
                        file,
                        batch.size(),
                        LogValues.q(reason),
                        RETRY_MS);
            } else {
                log.debug("event=store-write-failed file={} changes={} again=true", file, batch.size());
            }
            failure = reason;
            return false;
        }
    }

    /**
     * The writer's statements, prepared once (dropped after a failed write and prepared again). A node is one row
     * with its links encoded in it ({@link StoreSchema}): one statement per changed node.
     */
    private PreparedStatement upsertWithLinks, upsertRow, deleteNode;

    private void prepare() throws SQLException {
        if (upsertWithLinks != null) return;
        upsertWithLinks = db.prepareStatement("INSERT INTO nodes (id, last_seen, suspect, links) VALUES (?, ?, ?, ?)"
                + " ON CONFLICT (id) DO UPDATE SET last_seen = excluded.last_seen, suspect = excluded.suspect,"
                + " links = excluded.links");
        upsertRow = db.prepareStatement("INSERT INTO nodes (id, last_seen, suspect, links) VALUES (?, ?, ?, '')"
                + " ON CONFLICT (id) DO UPDATE SET last_seen = excluded.last_seen, suspect = excluded.suspect");
        deleteNode = db.prepareStatement("DELETE FROM nodes WHERE id = ?");
    }

    private void closeStatements() {
        for (PreparedStatement ps : new PreparedStatement[] {upsertWithLinks, upsertRow, deleteNode}) {
            if (ps == null) continue;
            try {
                ps.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
        upsertWithLinks = upsertRow = deleteNode = null;
    }

    private void write(Map<NodeId, TrackerEffect> batch) throws SQLException {
        Map<NodeId, List<Link>> newlyWritten = new HashMap<>();
        int rows = 0;
        prepare();
        for (TrackerEffect te : batch.values()) {
            String id = te.id().toString();
            if (te instanceof TrackerEffect.PersistNode p) {
                TrackerNode n = p.node();
                // links unchanged since the last write (the core hands out the same list): the row only
                boolean withLinks = writtenLinks.get(n.id()) != n.links();
                PreparedStatement ps = withLinks ? upsertWithLinks : upsertRow;
                ps.setString(1, id);
                ps.setLong(2, n.lastSeenMs());
                ps.setInt(3, n.suspect() ? 1 : 0);
                if (withLinks) {
                    ps.setString(4, StoreSchema.encodeLinks(n.links()));
                    newlyWritten.put(n.id(), n.links());
                }
                ps.executeUpdate();
            } else {
                deleteNode.setString(1, id);
                deleteNode.executeUpdate();
                newlyWritten.put(te.id(), null);
            }
            rows++;
        }
        db.commit();
        for (Map.Entry<NodeId, List<Link>> e : newlyWritten.entrySet()) {
            if (e.getValue() == null) writtenLinks.remove(e.getKey());
            else writtenLinks.put(e.getKey(), e.getValue());
        }
        batches++;
        rowsWritten += rows;
        log.debug("event=store-batch changes={} rows={}", batch.size(), rows);
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Connection c) {
        if (c == null) return;
        try {
            c.close();
        } catch (SQLException ignored) {
            // nothing more to do
        }
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        return m.replace('\n', ' ').replace('\r', ' ').trim();
    }
}
