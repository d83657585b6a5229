package io.egoist.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BenchTlsCommandTest {
    @Test
    void printsBothMediansSideBySide() {
        Cli.Run run = Cli.run("bench", "tls", "--rounds", "2", "--probes", "20", "--warmup", "20");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out())
                .contains("probe RTT on loopback, 40 probes of each kind in 2 alternating rounds:")
                .containsPattern("plain  median \\d+\\.\\d{3} ms  p90 \\d+\\.\\d{3} ms")
                .containsPattern("tls    median \\d+\\.\\d{3} ms  p90 \\d+\\.\\d{3} ms");
    }

    @Test
    void badCountsAreOneLineAndExitCode2() {
        Cli.Run run = Cli.run("bench", "tls", "--rounds", "0");
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).startsWith("egoist bench tls: --rounds and --probes must be at least 1");
    }
}
