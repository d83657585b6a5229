package io.egoist.cli;

import static io.egoist.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.egoist.cli.Cli.Run;
import org.junit.jupiter.api.Test;

class BenchNodeCommandTest {

    @Test
    void benchNodeReportsTrafficCpuAndHeapOfASmallOverlayAsJson() throws Exception {
        Run r = run(
                "bench", "node", "--nodes", "12", "--minutes", "1", "--warmup-minutes", "1", "--no-recovery", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("nodes").asInt()).isEqualTo(12);
        assertThat(j.get("connected").asBoolean()).isTrue();
        assertThat(j.get("virtualSeconds").asDouble()).isEqualTo(60.0);
        assertThat(j.get("heartbeatBytesSentPerSec").get("mean").asDouble()).isPositive();
        assertThat(j.get("probesPerSec").get("mean").asDouble()).isPositive();
        assertThat(j.get("cpuPercentOfACore").get("mean").asDouble()).isPositive();
        assertThat(j.get("heapWithOverlayMb").asDouble()).isPositive();
        assertThat(j.get("trafficByType").has("node:HB")).isTrue();
        assertThat(j.get("recoveryProcessCrashMs").asLong()).isEqualTo(-2); // not measured
        assertThat(r.err()).contains("bench node:");
    }

    @Test
    void benchNodeTextReportNamesEveryFigure() {
        Run r = run("bench", "node", "--nodes", "8", "--minutes", "1", "--warmup-minutes", "1", "--no-recovery");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("link state sent", "link state recv", "CPU in the core", "heap", "every node wired");
    }

    @Test
    void badOptionsGiveOneLineAndNonZeroExit() {
        Run few = run("bench", "node", "--nodes", "1");
        assertThat(few.exit()).isNotZero();
        assertThat(few.err().strip().lines().count()).isEqualTo(1);
        assertThat(few.err()).contains("--nodes");
        Run policy = run("bench", "node", "--policy", "nope");
        assertThat(policy.exit()).isNotZero();
        assertThat(policy.err()).contains("unknown --policy 'nope'");
        Run minutes = run("bench", "node", "--minutes", "0");
        assertThat(minutes.exit()).isNotZero();
        assertThat(minutes.err()).contains("--minutes");
    }
}
