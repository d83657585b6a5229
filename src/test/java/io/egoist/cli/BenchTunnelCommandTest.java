package io.egoist.cli;

import static io.egoist.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.cli.Cli.Run;
import org.junit.jupiter.api.Test;

/** {@code egoist bench tunnel} rejects bad options with one line and exit code 2 (the benchmark itself is not run). */
class BenchTunnelCommandTest {
    @Test
    void badCrashOptionsGiveOneLineAndExitCode2() {
        String[][] cases = {
            {"bench", "tunnel", "--crash", "nope"},
            {"bench", "tunnel", "--crash", "--crash-runs", "0"},
            {"bench", "tunnel", "--crash-runs", "101"},
            {"bench", "tunnel", "--seconds", "0"},
        };
        for (String[] args : cases) {
            Run r = run(args);
            assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.err().strip()).as(String.join(" ", args)).doesNotContain("\n");
        }
        assertThat(run("bench", "tunnel", "--crash", "nope").err()).contains("--crash must be kill or hang, not nope");
    }
}
