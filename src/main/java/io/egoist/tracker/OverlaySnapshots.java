package io.egoist.tracker;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.egoist.runtime.CoreHost;
import io.egoist.wire.Link;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.zip.CRC32C;
import java.util.zip.GZIPOutputStream;

/**
 * The whole-overlay view for HTTP ({@code /api/overlay}), built off the protocol thread: the core's loop only
 * copies its node records (one pass over the nodes, at most once per {@code minIntervalMs}); the JSON, its ETag
 * and its gzip form are made on a builder thread of their own, and every request until the next rebuild is
 * answered from the same immutable bytes. Requests during a rebuild wait for that one rebuild (single flight).
 */
final class OverlaySnapshots implements AutoCloseable {
    static final String BUILDER_THREAD = "tracker-snapshot";
    private static final JsonFactory JSON = new JsonFactory();

    /** One published snapshot: immutable bytes, ETag, the thread that built it (for tests), when (nanoTime). */
    static final class Published {
        final byte[] json;
        final String etag;
        final String builtOn;
        final long builtNanos;
        final long captureNanos;
        final TrackerSnapshot source;
        private byte[] gzip;

        Published(byte[] json, String etag, String builtOn, long builtNanos, long captureNanos, TrackerSnapshot s) {
            this.json = json;
            this.etag = etag;
            this.builtOn = builtOn;
            this.builtNanos = builtNanos;
            this.captureNanos = captureNanos;
            this.source = s;
        }

        /** The gzip form, made on first use (most clients do not ask for it) and kept. */
        synchronized byte[] gzip() {
            if (gzip == null) {
                ByteArrayOutputStream out = new ByteArrayOutputStream(json.length / 4 + 64);
                try (GZIPOutputStream z = new GZIPOutputStream(out, 1 << 16)) {
                    z.write(json);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                gzip = out.toByteArray();
            }
            return gzip;
        }

        Published rebuiltAt(long nanos) {
            Published p = new Published(json, etag, builtOn, nanos, captureNanos, source);
            synchronized (this) {
                p.gzip = gzip;
            }
            return p;
        }
    }

    private final CoreHost<TrackerCore> host;
    private final long minIntervalNanos;
    /** Builds the snapshots; also the budget's timer (releasing a delayed response is a future's completion). */
    private final ScheduledExecutorService builder = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, BUILDER_THREAD);
        t.setDaemon(true);
        return t;
    });

    private final OverlayBudget budget;
    private volatile Published current;
    private CompletableFuture<Published> building; // guarded by this
    private volatile long builds;

    OverlaySnapshots(CoreHost<TrackerCore> host, long minIntervalMs, long bytesPerSecond) {
        this.host = host;
        this.minIntervalNanos = minIntervalMs * 1_000_000L;
        this.budget = new OverlayBudget(bytesPerSecond, builder, System::nanoTime);
    }

    /** The byte budget of whole-overlay responses. */
    OverlayBudget budget() {
        return budget;
    }

    /** A snapshot at most minIntervalMs old (a rebuild is started when the current one is older). */
    CompletableFuture<Published> get() {
        Published p = current;
        if (p != null && System.nanoTime() - p.builtNanos < minIntervalNanos) {
            return CompletableFuture.completedFuture(p);
        }
        synchronized (this) {
            if (building != null) return building;
            long[] captured = new long[1];
            CompletableFuture<Published> f = host.query(core -> {
                        long t0 = System.nanoTime();
                        TrackerSnapshot s = core.snapshot(); // the only part on the loop: copy node records
                        captured[0] = System.nanoTime() - t0;
                        return s;
                    })
                    .thenApplyAsync(s -> publish(s, captured[0]), builder);
            building = f;
            f.whenComplete((r, e) -> {
                synchronized (this) {
                    if (building == f) building = null;
                }
            });
            return f;
        }
    }

    /** Snapshots built so far (tests). */
    long builds() {
        return builds;
    }

    private Published publish(TrackerSnapshot s, long captureNanos) {
        long now = System.nanoTime();
        Published prev = current;
        if (prev != null && prev.source.equals(s)) { // nothing changed: same bytes, same ETag
            Published p = prev.rebuiltAt(now);
            current = p;
            return p;
        }
        byte[] json = json(s);
        CRC32C crc = new CRC32C();
        crc.update(json);
        String etag = "\"" + Long.toHexString(crc.getValue()) + "-" + Integer.toHexString(json.length) + "\"";
        Published p = new Published(json, etag, Thread.currentThread().getName(), now, captureNanos, s);
        builds++;
        current = p;
        return p;
    }

    /** The overlay as JSON, streamed (no tree of maps): the same document as before, byte for byte in shape. */
    static byte[] json(TrackerSnapshot snap) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + snap.nodeCount() * 120 + snap.linkCount() * 40);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("node_count", snap.nodeCount());
            g.writeNumberField("link_count", snap.linkCount());
            g.writeArrayFieldStart("nodes");
            for (TrackerNode n : snap.nodes()) {
                g.writeStartObject();
                g.writeStringField("id", n.id().toString());
                g.writeNumberField("last_seen", n.lastSeenMs());
                g.writeStringField(
                        "last_seen_iso", Instant.ofEpochMilli(n.lastSeenMs()).toString());
                g.writeBooleanField("suspect", n.suspect());
                g.writeArrayFieldStart("links");
                for (Link l : n.links()) {
                    g.writeStartObject();
                    g.writeStringField("dst", l.dst().toString());
                    g.writeNumberField("cost", l.cost());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.write('\n');
        return out.toByteArray();
    }

    @Override
    public void close() {
        builder.shutdownNow();
    }
}
