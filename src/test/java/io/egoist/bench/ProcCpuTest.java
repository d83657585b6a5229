package io.egoist.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcCpuTest {
    @Test
    void readsUserPlusSystemTicksEvenWithSpacesInTheCommandName() {
        String stat = "4242 (java worker) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 30 0 1 2 3";
        assertThat(ProcCpu.parseCpuNanos(stat)).isEqualTo(300L * 10_000_000L);
    }

    @Test
    void aMissingProcessIsMinusOne() {
        assertThat(ProcCpu.cpuNanos(Long.MAX_VALUE)).isEqualTo(-1);
        assertThat(ProcCpu.cpuNanosWithoutJit(Long.MAX_VALUE)).isEqualTo(-1);
    }

    @Test
    void withoutJitIsAtMostTheWhole() {
        long pid = ProcessHandle.current().pid();
        long without = ProcCpu.cpuNanosWithoutJit(pid);
        assertThat(without).isPositive().isLessThanOrEqualTo(ProcCpu.cpuNanos(pid) + 100_000_000L);
    }

    @Test
    void thisProcessHasUsedSomeCpu() {
        assertThat(ProcCpu.cpuNanos(ProcessHandle.current().pid())).isPositive();
    }
}
