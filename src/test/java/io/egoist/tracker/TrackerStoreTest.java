package io.egoist.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.egoist.core.Effect;
import io.egoist.wire.Link;
import io.egoist.wire.NodeId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SQLite store on a real file: round trips, coalescing, deletion, and refusing a corrupt file. */
class TrackerStoreTest {

    static final NodeId A = NodeId.parse("10.0.0.1:7000");
    static final NodeId B = NodeId.parse("10.0.0.2:7000");
    static final NodeId C = NodeId.parse("10.0.0.3:7001");

    @TempDir
    Path dir;

    static TrackerEffect persist(NodeId id, long seen, boolean suspect, Link... links) {
        return new TrackerEffect.PersistNode(new TrackerNode(id, seen, suspect, List.of(links)));
    }

    @Test
    void storedOverlayIsLoadedBackInOrderWithLinksLastSeenAndSuspectFlag() throws Exception {
        try (TrackerStore store = TrackerStore.open(dir).start()) {
            assertThat(store.load().nodes()).isEmpty();
            store.accept(persist(B, 100, false, new Link(B, A, 35.2), new Link(B, C, 500)));
            store.accept(persist(A, 200, true));
            store.accept(persist(C, 300, false, new Link(C, B, 0.125)));
            store.accept(new Effect.Close(new io.egoist.core.ConnId(1))); // not a store effect: ignored
            assertThat(store.flush(5, TimeUnit.SECONDS)).isTrue();
        }
        try (TrackerStore store = TrackerStore.open(dir)) {
            assertThat(store.load().nodes())
                    .containsExactly(
                            new TrackerNode(B, 100, false, List.of(new Link(B, A, 35.2), new Link(B, C, 500))),
                            new TrackerNode(A, 200, true, List.of()),
                            new TrackerNode(C, 300, false, List.of(new Link(C, B, 0.125))));
        }
    }

    @Test
    void laterChangesOfOneNodeReplaceEarlierOnes() throws Exception {
        try (TrackerStore store = TrackerStore.open(dir).start()) {
            store.accept(persist(A, 1, false, new Link(A, B, 1), new Link(A, C, 2)));
            store.accept(persist(A, 2, true, new Link(A, C, 3)));
            store.flush(5, TimeUnit.SECONDS);
            store.accept(persist(A, 3, false, new Link(A, B, 4)));
        }
        try (TrackerStore store = TrackerStore.open(dir)) {
            assertThat(store.load().nodes()).containsExactly(new TrackerNode(A, 3, false, List.of(new Link(A, B, 4))));
        }
    }

    @Test
    void deletedNodeLosesItsRowAndLinks() throws Exception {
        try (TrackerStore store = TrackerStore.open(dir).start()) {
            store.accept(persist(A, 1, false, new Link(A, B, 1)));
            store.accept(persist(B, 1, false, new Link(B, A, 1)));
            store.flush(5, TimeUnit.SECONDS);
            store.accept(new TrackerEffect.DeleteNode(A));
            store.accept(persist(B, 2, false));
            store.flush(5, TimeUnit.SECONDS);
        }
        try (TrackerStore store = TrackerStore.open(dir)) {
            assertThat(store.load().nodes()).containsExactly(new TrackerNode(B, 2, false, List.of()));
        }
        assertThat(count("SELECT count(*) FROM links")).isZero();
    }

    @Test
    void changesReachTheDiskWithoutAnExplicitFlush() throws Exception {
        try (TrackerStore store = TrackerStore.open(dir).start()) {
            store.accept(persist(A, 42, false, new Link(A, B, 1)));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> count("SELECT count(*) FROM nodes WHERE last_seen = 42") == 1);
            assertThat(store.pendingCount()).isZero();
        }
    }

    @Test
    void closeWritesWhatIsPending() {
        try (TrackerStore store = TrackerStore.open(dir, 60_000).start()) {
            store.accept(persist(A, 7, false));
        }
        try (TrackerStore store = TrackerStore.open(dir)) {
            assertThat(store.load().ids()).containsExactly(A);
        }
    }

    @Test
    void garbageFileIsAClearStartupError() throws Exception {
        byte[] junk = new byte[8192];
        new Random(7).nextBytes(junk);
        Files.write(dir.resolve(TrackerStore.FILE_NAME), junk);
        assertThatThrownBy(() -> TrackerStore.open(dir))
                .isInstanceOf(TrackerStoreException.class)
                .hasMessageContaining(dir.resolve(TrackerStore.FILE_NAME).toString())
                .hasMessageContaining("not a database")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void dataDirThatIsAFileIsAClearStartupError() throws Exception {
        Path file = dir.resolve("plain-file");
        Files.writeString(file, "x");
        assertThatThrownBy(() -> TrackerStore.open(file))
                .isInstanceOf(TrackerStoreException.class)
                .hasMessageContaining("cannot create data directory");
    }

    @Test
    void badRowInAnOtherwiseValidDatabaseIsReportedAsCorrupt() throws Exception {
        TrackerStore.open(dir).close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(TrackerStore.FILE_NAME))) {
            c.createStatement().execute("INSERT INTO nodes VALUES ('not-an-id', 1, 0)");
        }
        try (TrackerStore store = TrackerStore.open(dir)) {
            assertThatThrownBy(store::load)
                    .isInstanceOf(TrackerStoreException.class)
                    .hasMessageContaining("corrupt");
        }
    }

    private long count(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(TrackerStore.FILE_NAME));
                ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
