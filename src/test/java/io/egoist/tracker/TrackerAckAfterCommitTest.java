package io.egoist.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.egoist.wire.Link;
import io.egoist.wire.NodeId;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real tracker whose commits are held up (another connection keeps the database's write lock, shorter than the
 * store's busy timeout): a UPT's connection stays open while its change is not committed, and is closed (its
 * acknowledgement) only once the change is in the database file.
 */
class TrackerAckAfterCommitTest {
    static final NodeId A = new NodeId("127.0.0.1", 7000);
    static final NodeId B = new NodeId("127.0.0.1", 7002);

    @TempDir
    Path dir;

    TrackerServer server;

    @AfterEach
    void tearDown() {
        if (server != null) server.close();
    }

    @Test
    void aUptIsAcknowledgedOnlyAfterItsChangeIsCommitted() throws Exception {
        server = TrackerServer.start(
                TrackerConfig.forTest(dir).withRemovePeriodMs(60_000).withExpireAfterMs(600_000));
        assertThat(LineClient.exchangeReply(server.port(), "REG@" + A).get(0)).startsWith("REG@");
        Path db = server.store().file();
        try (Connection holder = DriverManager.getConnection("jdbc:sqlite:" + db);
                Socket s = new Socket("127.0.0.1", server.port())) {
            holder.setAutoCommit(false);
            try (Statement st = holder.createStatement()) {
                st.executeUpdate("UPDATE nodes SET suspect = suspect"); // takes and keeps the write lock
            }
            s.getOutputStream().write(("UPT@" + A + "@" + B + "@4|\r\n").getBytes(StandardCharsets.US_ASCII));
            // the core took the update (served from memory at once) and holds its acknowledgement
            await().atMost(Duration.ofSeconds(4))
                    .until(() -> server.query(TrackerCore::heldAcks) == 1
                            && !server.snapshot().node(A).orElseThrow().links().isEmpty());
            s.setSoTimeout(300);
            InputStream in = s.getInputStream();
            assertThatThrownBy(in::read).isInstanceOf(SocketTimeoutException.class); // not closed: not committed
            assertThat(linksOnDisk(db)).isEmpty();

            holder.rollback(); // the writer's pending commit goes through
            s.setSoTimeout(10_000);
            assertThat(in.read()).isEqualTo(-1); // closed: acknowledged
            assertThat(server.store().failedWrites()).isZero(); // by the commit, not by a failed write
            assertThat(linksOnDisk(db)).isEqualTo(B + " 4.0");
            assertThat(server.snapshot().node(A).orElseThrow().links()).containsExactly(new Link(A, B, 4));
        }
    }

    private static String linksOnDisk(Path db) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT links FROM nodes WHERE id = '" + A + "'")) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
