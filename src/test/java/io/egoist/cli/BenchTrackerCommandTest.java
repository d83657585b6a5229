package io.egoist.cli;

import static io.egoist.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.egoist.cli.Cli.Run;
import io.egoist.tracker.TrackerConfig;
import io.egoist.tracker.TrackerServer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code egoist bench tracker} on a tiny load: it runs, and what it reports agrees with the tracker. */
class BenchTrackerCommandTest {

    @TempDir
    Path dir;

    @Test
    void inProcessBenchReportsUpdatesLatencyAndHeap() throws Exception {
        Run r = run(
                "bench",
                "tracker",
                "--nodes",
                "30",
                "--seconds",
                "0.5",
                "--warmup",
                "0.2",
                "--reg-samples",
                "5",
                "--baseline",
                "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("nodes").asInt()).isEqualTo(30);
        assertThat(j.get("links").asInt()).isEqualTo(120);
        assertThat(j.get("updates").asLong()).isPositive();
        assertThat(j.get("updateErrors").asLong()).isZero();
        // the tracker counted the initial UPT of every node plus every UPT the generator saw handled
        assertThat(j.get("trackerUpdatesCounted").asLong())
                .isGreaterThanOrEqualTo(30 + j.get("updates").asLong());
        assertThat(j.get("regSamples").asInt()).isEqualTo(5);
        assertThat(j.get("regP99Ms").asDouble())
                .isGreaterThanOrEqualTo(j.get("regP50Ms").asDouble())
                .isPositive();
        assertThat(j.get("trackerHeapBytes").asLong()).isGreaterThanOrEqualTo(0);
        assertThat(j.get("cpuMicrosPerUpdate").has("tracker-loop")).isTrue();
        assertThat(j.get("baselineUpdatesPerSecond").asDouble()).isPositive();
        assertThat(j.get("baselineCpuMicrosPerUpdate").has("baseline-loop")).isTrue();
    }

    @Test
    void benchAgainstATargetTrackerLoadsThatTracker() throws Exception {
        try (TrackerServer server = TrackerServer.start(TrackerConfig.forTest(dir)
                .withHttpPort(-1)
                .withRemovePeriodMs(60_000)
                .withExpireAfterMs(600_000)
                .withAllowForeignIds(true))) { // the bench plays 10.x nodes from 127.0.0.1
            Run r = run(
                    "bench",
                    "tracker",
                    "--nodes",
                    "20",
                    "--seconds",
                    "0.3",
                    "--warmup",
                    "0",
                    "--reg-samples",
                    "3",
                    "--target",
                    "127.0.0.1:" + server.port());
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).contains("UPT/s").contains("n/a (remote tracker)");
            assertThat(server.snapshot().nodeCount()).isEqualTo(20 + 3 + 3); // nodes, warm-up REGs, timed REGs
            assertThat(server.counters().message("UPT")).isGreaterThan(20);
        }
    }

    @Test
    void inProcessBenchWithHttpLoadTimesRegsUnderItAndReportsTheTrackersOwnCpu() throws Exception {
        Run r = run(
                "bench",
                "tracker",
                "--nodes",
                "30",
                "--seconds",
                "0.5",
                "--warmup",
                "0.2",
                "--reg-samples",
                "5",
                "--http-load",
                "2",
                "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("httpLoadClients").asInt()).isEqualTo(2);
        assertThat(j.get("httpResponses").asLong()).isPositive();
        assertThat(j.get("httpErrors").asLong()).isZero();
        assertThat(j.get("regUnderHttpP99Ms").asDouble())
                .isGreaterThanOrEqualTo(j.get("regUnderHttpP50Ms").asDouble())
                .isPositive();
        // the tracker's own threads (loop, store writer, snapshot builder, HTTP) at least the loop's share
        assertThat(j.get("cpuMicrosPerUpdate").get("tracker").asDouble())
                .isGreaterThanOrEqualTo(
                        j.get("cpuMicrosPerUpdate").get("tracker-loop").asDouble());
    }

    @Test
    void benchWithTrackerPidReportsThatProcessesCpu() throws Exception {
        try (TrackerServer server = TrackerServer.start(TrackerConfig.forTest(dir)
                .withHttpPort(-1)
                .withRemovePeriodMs(60_000)
                .withExpireAfterMs(600_000)
                .withAllowForeignIds(true))) { // the load generator plays 10.x ids from 127.0.0.1
            // this JVM runs the tracker here, so its own pid stands for the tracker process
            long pid = ProcessHandle.current().pid();
            Run r = run(
                    "bench",
                    "tracker",
                    "--nodes",
                    "20",
                    "--seconds",
                    "0.5",
                    "--warmup",
                    "0",
                    "--reg-samples",
                    "3",
                    "--target",
                    "127.0.0.1:" + server.port(),
                    "--tracker-pid",
                    Long.toString(pid),
                    "--json");
            assertThat(r.exit()).as(r.err()).isZero();
            JsonNode j = new ObjectMapper().readTree(r.out());
            assertThat(j.get("cpuMicrosPerUpdate").get("tracker-process").asDouble())
                    .isPositive();
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "--nodes=1",
                "--seconds=0",
                "--threads=0",
                "--target=nohost",
                "--target=h:99999",
                "--concurrency=0",
                "--warmup=-1",
                "--http-load=-1",
                "--http-target=127.0.0.1:80",
                "--tracker-pid=1",
                "--tracker-pid=-5"
            })
    void badOptionIsAOneLineError(String option) {
        Run r = run("bench", "tracker", option);
        assertThat(r.exit()).isNotZero();
        assertThat(r.err().strip()).startsWith("egoist").doesNotContain("\n");
    }

    @Test
    void regCostModeMeasuresTheCoreAtEachSize() throws Exception {
        Run r = run("bench", "tracker", "--reg-cost", "20,60", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.size()).isEqualTo(2);
        assertThat(j.get(0).get("nodes").asInt()).isEqualTo(20);
        assertThat(j.get(1).get("nodes").asInt()).isEqualTo(60);
        assertThat(j.get(1).get("links").asInt()).isEqualTo(240);
        assertThat(j.get(1).get("microsPerRegMedian").asDouble()).isPositive();
        assertThat(j.get(1).get("replyLines").asInt()).isPositive();
    }

    @Test
    void regCostSizeOutOfRangeIsOneLineAndExitTwo() {
        Run r = run("bench", "tracker", "--reg-cost", "0");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("egoist bench tracker: --reg-cost sizes must be 1..1000000, not 0");
    }
}
