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
        assertThat(count("SELECT count(*) FROM nodes")).isEqualTo(1);
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
            c.createStatement().execute("INSERT INTO nodes (id, last_seen, suspect) VALUES ('not-an-id', 1, 0)");
        }
        try (TrackerStore store = TrackerStore.open(dir)) {
            assertThatThrownBy(store::load)
                    .isInstanceOf(TrackerStoreException.class)
                    .hasMessageContaining("corrupt");
        }
    }

    @Test
    void aBadLinkInARowIsReportedAsCorrupt() throws Exception {
        TrackerStore.open(dir).close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(TrackerStore.FILE_NAME))) {
            c.createStatement()
                    .execute("INSERT INTO nodes (id, last_seen, suspect, links) VALUES ('10.0.0.1:7000', 1, 0,"
                            + " '10.0.0.2:7000 -1.0')");
        }
        try (TrackerStore store = TrackerStore.open(dir)) {
            assertThatThrownBy(store::load)
                    .isInstanceOf(TrackerStoreException.class)
                    .hasMessageContaining("corrupt: bad cost -1.0 in links of 10.0.0.1:7000");
        }
    }

    @Test
    void costsReadBackExactlyAndAnUnchangedLinkListSurvivesARowOnlyWrite() throws Exception {
        TrackerNode first = new TrackerNode(
                A,
                1,
                false,
                List.of(new Link(A, B, 0.1 + 0.2), new Link(A, C, 1e-7), new Link(A, B, 123456.789012345)));
        try (TrackerStore store = TrackerStore.open(dir).start()) {
            store.accept(new TrackerEffect.PersistNode(first));
            store.flush(5, TimeUnit.SECONDS);
            // the same list (what the core hands out while a node's links are unchanged): only the row is written
            store.accept(new TrackerEffect.PersistNode(new TrackerNode(A, 2, true, first.links())));
            store.flush(5, TimeUnit.SECONDS);
        }
        try (TrackerStore store = TrackerStore.open(dir)) {
            assertThat(store.load().nodes()).containsExactly(new TrackerNode(A, 2, true, first.links()));
        }
    }

    @Test
    void aDatabaseOfTheEarlierLayoutIsConvertedWhenOpened() throws Exception {
        // the layout before one row per node: a links table with a row per link
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(TrackerStore.FILE_NAME))) {
            var st = c.createStatement();
            st.execute(
                    "CREATE TABLE nodes (id TEXT PRIMARY KEY, last_seen INTEGER NOT NULL, suspect INTEGER NOT NULL)");
            st.execute("CREATE TABLE links (src TEXT NOT NULL, pos INTEGER NOT NULL, dst TEXT NOT NULL,"
                    + " cost REAL NOT NULL, PRIMARY KEY (src, pos)) WITHOUT ROWID");
            st.execute("INSERT INTO nodes VALUES ('10.0.0.2:7000', 5, 1), ('10.0.0.1:7000', 6, 0)");
            st.execute("INSERT INTO links VALUES ('10.0.0.2:7000', 1, '10.0.0.3:7001', 500),"
                    + " ('10.0.0.2:7000', 0, '10.0.0.1:7000', 35.2)");
        }
        try (TrackerStore store = TrackerStore.open(dir)) {
            assertThat(store.load().nodes())
                    .containsExactly(
                            new TrackerNode(B, 5, true, List.of(new Link(B, A, 35.2), new Link(B, C, 500))),
                            new TrackerNode(A, 6, false, List.of()));
        }
        assertThat(count("SELECT count(*) FROM sqlite_master WHERE name = 'links'"))
                .isZero();
        try (TrackerStore store = TrackerStore.open(dir)) { // opening the converted file again changes nothing
            assertThat(store.load().nodes()).hasSize(2);
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
