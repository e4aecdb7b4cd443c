package com.oms.dev.bench;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of a process of the load world, from Linux's /proc, so a run can say what each part of the
 * machine cost. A server that forks a process per connection or task (Postgres) is counted with its
 * children: those alive now, and through the parent's counters those it has already reaped (autovacuum
 * workers come and go within a run).
 */
final class ProcessCpu {

  private static final long NANOS_PER_TICK = 10_000_000L; // clock ticks of 100 Hz, as on every Linux

  private ProcessCpu() {
  }

  /** CPU nanoseconds used so far by {@code pid} (and its children), or -1 when it cannot be read. */
  static long nanos(long pid, boolean withChildren) {
    long[] own = ticks(pid);
    if (own == null) {
      return -1;
    }
    long total = own[0] + own[1];
    if (withChildren) {
      total += own[2] + own[3];
      for (ProcessHandle child : ProcessHandle.of(pid).map(p -> p.children().toList()).orElse(java.util.List.of())) {
        long[] theirs = ticks(child.pid());
        if (theirs != null) {
          total += theirs[0] + theirs[1];
        }
      }
    }
    return total * NANOS_PER_TICK;
  }

  /** utime, stime, cutime and cstime of a process, in clock ticks; null when it is gone. */
  private static long[] ticks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
      // the command name may hold spaces and parentheses: the fields start after the last ") "
      String[] fields = stat.substring(stat.lastIndexOf(") ") + 2).split(" ");
      return new long[] {Long.parseLong(fields[11]), Long.parseLong(fields[12]), Long.parseLong(fields[13]),
        Long.parseLong(fields[14])};
    } catch (Exception e) {
      return null;
    }
  }
}
