package io.egoist.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

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
        Map<String, Long> threads = threadCpuNanos(pid);
        if (threads.isEmpty()) return -1;
        long sum = 0;
        for (var e : threads.entrySet())
            if (!e.getKey().startsWith("C1 Compiler") && !e.getKey().startsWith("C2 Compiler")) sum += e.getValue();
        return sum;
    }

    /**
     * CPU nanoseconds used so far by each thread of process {@code pid}, keyed "name#tid" (the name as /proc gives
     * it, at most 15 characters); empty if it cannot be read. A thread that ends meanwhile is left out.
     */
    static Map<String, Long> threadCpuNanos(long pid) {
        Map<String, Long> out = new HashMap<>();
        try (var ds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path t : ds) {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    out.put(name + "#" + t.getFileName(), parseCpuNanos(stat));
                } catch (IOException | RuntimeException gone) {
                    // the thread ended meanwhile
                }
            }
            return out;
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
    }

    /** utime + stime (fields 14 and 15; the command name in field 2 may hold spaces, so count after its ')'). */
    static long parseCpuNanos(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        return ticks * (1_000_000_000L / TICKS_PER_SECOND);
    }
}
