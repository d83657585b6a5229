package io.egoist.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The CPU time (user + system) of another process, from Linux's {@code /proc/PID/stat}. */
final class ProcCpu {
    private ProcCpu() {}

    /** Clock ticks per second of /proc's counters (USER_HZ): 100 on Linux. */
    static final long TICKS_PER_SECOND = 100;

    /** CPU nanoseconds used so far by process {@code pid}, or -1 if it cannot be read (no such process, no /proc). */
    static long cpuNanos(long pid) {
        try {
            return parseCpuNanos(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * CPU nanoseconds used so far by the threads of process {@code pid} other than the JIT compiler's (thread
     * names "C1 CompilerThre…", "C2 CompilerThre…"): the steady-state cost, without compiling the code of a
     * freshly started JVM. -1 if it cannot be read.
     */
    static long cpuNanosWithoutJit(long pid) {
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        long sum = 0;
        try (var ds = Files.newDirectoryStream(tasks)) {
            for (Path t : ds) {
                String stat;
                try {
                    stat = Files.readString(t.resolve("stat"));
                } catch (IOException gone) {
                    continue; // the thread ended meanwhile
                }
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) continue;
                sum += parseCpuNanos(stat);
            }
            return sum;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** utime + stime (fields 14 and 15; the command name in field 2 may hold spaces, so count after its ')'). */
    static long parseCpuNanos(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        return ticks * (1_000_000_000L / TICKS_PER_SECOND);
    }
}
