package io.egoist.cli;

import static io.egoist.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.cli.Cli.Run;
import io.egoist.tracker.TrackerStore;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tracker that cannot start says so in one line and leaves nothing behind. */
class TrackerStartFailureTest {
    @TempDir
    Path dir;

    private static ServerSocket taken() throws Exception {
        return new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    }

    @Test
    void aPortInUseIsOneLineAndCreatesNoDataDirectory() throws Exception {
        Path data = dir.resolve("new-parent/data");
        try (ServerSocket busy = taken()) {
            Run r = run(
                    "tracker",
                    "--bind",
                    "127.0.0.1",
                    "--port",
                    String.valueOf(busy.getLocalPort()),
                    "--http-port",
                    "-1",
                    "--data",
                    data.toString());
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.out()).isEmpty();
            assertThat(r.err().lines().toList())
                    .singleElement()
                    .asString()
                    .startsWith("egoist tracker: cannot listen on 127.0.0.1:" + busy.getLocalPort() + ": ");
        }
        assertThat(dir.resolve("new-parent")).doesNotExist();
    }

    @Test
    void anHttpPortInUseIsOneLineAndLeavesAnExistingDirectoryAsItWas() throws Exception {
        Files.writeString(dir.resolve("keep.txt"), "mine");
        try (ServerSocket busy = taken()) {
            Run r = run(
                    "tracker",
                    "--bind",
                    "127.0.0.1",
                    "--port",
                    "0",
                    "--http-port",
                    String.valueOf(busy.getLocalPort()),
                    "--data",
                    dir.toString());
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err().lines().toList())
                    .singleElement()
                    .asString()
                    .isEqualTo("egoist tracker: cannot listen on 127.0.0.1:" + busy.getLocalPort()
                            + " (http): Address already in use");
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("keep.txt");
        }
    }

    @Test
    void whatAFailedStartCreatedIsRemovedAndWhatExistedIsKept() throws Exception {
        // the store opened, then something failed (here: simulated by calling the clean-up directly)
        Path created = dir.resolve("a/b");
        Path first = TrackerCommand.firstMissing(created);
        assertThat(first).isEqualTo(dir.resolve("a").toAbsolutePath());
        Files.createDirectories(created);
        Files.writeString(created.resolve(TrackerStore.FILE_NAME), "x");
        TrackerCommand.removeCreated(created, first, false);
        assertThat(dir.resolve("a")).doesNotExist();
        assertThat(dir).exists();

        Path existing = dir.resolve("existing");
        Files.createDirectories(existing);
        Files.writeString(existing.resolve("other.txt"), "kept");
        Files.writeString(existing.resolve(TrackerStore.FILE_NAME), "new");
        Files.writeString(existing.resolve(TrackerStore.FILE_NAME + "-wal"), "new");
        TrackerCommand.removeCreated(existing, TrackerCommand.firstMissing(existing), false);
        assertThat(existing.resolve(TrackerStore.FILE_NAME)).doesNotExist();
        assertThat(existing.resolve(TrackerStore.FILE_NAME + "-wal")).doesNotExist();
        assertThat(existing.resolve("other.txt")).exists();

        Files.writeString(existing.resolve(TrackerStore.FILE_NAME), "old");
        TrackerCommand.removeCreated(existing, null, true);
        assertThat(existing.resolve(TrackerStore.FILE_NAME)).hasContent("old");
    }
}
