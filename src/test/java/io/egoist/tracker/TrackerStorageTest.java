package io.egoist.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.egoist.cli.EgoistCli;
import io.egoist.wire.Link;
import io.egoist.wire.NodeId;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/** Storage failures are loud, writes are retried, and one data directory serves one tracker. */
class TrackerStorageTest {
    static final NodeId A = new NodeId("127.0.0.1", 7000);
    static final NodeId B = new NodeId("127.0.0.1", 7002);

    @TempDir
    Path dir;

    TrackerServer server;
    ListAppender<ILoggingEvent> logs;

    @AfterEach
    void tearDown() {
        if (server != null) server.close();
        if (logs != null) {
            Logger storeLog = (Logger) LoggerFactory.getLogger(TrackerStore.class);
            storeLog.detachAppender(logs);
            storeLog.setLevel(null);
        }
    }

    record Health(int status, JsonNode body) {}

    Health health() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + "/healthz"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        return new Health(r.statusCode(), new ObjectMapper().readTree(r.body()));
    }

    /**
     * Every write fails while another connection holds the database's write lock (SQLITE_BUSY after the busy
     * timeout). Root ignores file permissions, so a chmod'ed file would not fail for root; a held write lock
     * makes writes fail for any user, and the tracker goes through the same path as for a read-only or full
     * disk: the write throws, is rolled back, logged, reported, and retried.
     */
    @Test
    void failingWritesTurnHealthzTo503AndAreRetriedWhileTheTrackerServesFromMemory() throws Exception {
        logs = new ListAppender<>();
        logs.start();
        Logger storeLog = (Logger) LoggerFactory.getLogger(TrackerStore.class);
        storeLog.addAppender(logs);
        storeLog.setLevel(Level.INFO);
        server = TrackerServer.start(
                TrackerConfig.forTest(dir).withRemovePeriodMs(60_000).withExpireAfterMs(600_000));
        assertThat(LineClient.exchangeReply(server.port(), "REG@" + A).get(0)).startsWith("REG@");
        assertThat(health().status()).isEqualTo(200);
        assertThat(health().body().get("status").asText()).isEqualTo("ok");

        Path db = server.store().file();
        try (Connection holder = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            holder.setAutoCommit(false);
            try (Statement st = holder.createStatement()) {
                st.executeUpdate("UPDATE nodes SET suspect = suspect"); // takes and keeps the write lock
            }
            // a UPT while every write fails: still acknowledged (served from memory), the state changes
            assertThat(LineClient.exchange(server.port(), "UPT@" + A + "@" + B + "@4|"))
                    .isEmpty();
            assertThat(server.snapshot().node(A).orElseThrow().links()).containsExactly(new Link(A, B, 4));
            await().atMost(Duration.ofSeconds(30)).until(() -> health().status() == 503);
            Health h = health();
            assertThat(h.body().get("status").asText()).isEqualTo("store-failing");
            assertThat(h.body().get("reason").asText()).contains(db.toString()).containsIgnoringCase("locked");
            assertThat(logs.list).anySatisfy(e -> {
                assertThat(e.getLevel()).isEqualTo(Level.ERROR);
                assertThat(e.getFormattedMessage()).contains("event=store-write-failed");
            });
            // a REG is answered while the store fails
            assertThat(LineClient.exchangeReply(server.port(), "REG@" + B).get(0))
                    .startsWith("REG@");
            holder.rollback();
        }
        // the lock is gone: the retried writes succeed, health is back, and everything is on disk
        await().atMost(Duration.ofSeconds(30)).until(() -> health().status() == 200);
        assertThat(logs.list)
                .anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("event=store-write-recovered"));
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM nodes")) {
                assertThat(rs.getInt(1)).isEqualTo(2);
            }
            try (ResultSet rs = st.executeQuery("SELECT links FROM nodes WHERE id = '" + A + "'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo(B + " 4.0");
            }
        }
    }

    /** Two real instances: the tracker in a child JVM holds the directory; the CLI here refuses with one line. */
    @Test
    void aSecondTrackerOnTheSameDataDirectoryRefusesToStart() throws Exception {
        Path data = dir.resolve("data");
        try (ChildTracker first = ChildTracker.start(data, dir.resolve("first.log"))) {
            int port = first.awaitPort();
            StringWriter out = new StringWriter(), err = new StringWriter();
            CommandLine cl = EgoistCli.newCommandLine();
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));
            int code = cl.execute(
                    "tracker", "--port", "0", "--http-port", "-1", "--bind", "127.0.0.1", "--data", data.toString());
            assertThat(code).isEqualTo(1);
            assertThat(out.toString()).isEmpty();
            List<String> lines = err.toString().lines().toList();
            assertThat(lines).hasSize(1);
            assertThat(lines.get(0))
                    .startsWith("egoist tracker: data directory ")
                    .contains("in use by another tracker");
            // the first one is unharmed
            assertThat(LineClient.exchangeReply(port, "REG@" + A).get(0)).startsWith("REG@");
            first.kill9();
        }
        // killed (even with -9), the lock is gone: the directory can be used again
        server = TrackerServer.start(TrackerConfig.forTest(data).withHttpPort(-1));
        assertThat(server.snapshot().ids()).containsExactly(A);
    }

    @Test
    void aSecondStoreInTheSameProcessIsRefusedToo() {
        try (TrackerStore first = TrackerStore.open(dir)) {
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> TrackerStore.open(dir)))
                    .isInstanceOf(TrackerStoreException.class)
                    .hasMessageContaining("in use by another tracker");
        }
        TrackerStore.open(dir).close(); // released on close
    }
}
