package switchboard.bench;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU use over an interval, as percent of all cores: this benchmark's processes and everyone
 * else's, summed from each process's /proc/[pid]/stat. (The machine-wide /proc/stat of this VM
 * under-counts busy time when many threads sleep and wake, so it is not used.) Time of processes
 * that ended during the interval is missed, so "others" is a lower bound.
 */
final class CpuMeter {
  private static final double TICKS_PER_SECOND = 100; // USER_HZ on Linux

  private final List<Long> pids;
  private final long self = ProcessHandle.current().pid();
  private Map<Long, long[]> before;
  private long startNanos;

  /** {@code pids}: other processes of this benchmark (a server JVM, redis-server) counted as ours. */
  CpuMeter(List<Long> pids) {
    this.pids = pids;
  }

  CpuMeter start() {
    before = snapshot();
    startNanos = System.nanoTime();
    return this;
  }

  /** Percent of all cores since {@link #start}: machine (sum), bench (ours), others. */
  JsonObject stop() {
    Map<Long, long[]> after = snapshot();
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    double capacity = seconds * TICKS_PER_SECOND * Runtime.getRuntime().availableProcessors();
    long ours = 0;
    long others = 0;
    for (Map.Entry<Long, long[]> e : after.entrySet()) {
      long[] now = e.getValue();
      long[] was = before.get(e.getKey());
      long used = was != null && was[1] == now[1] ? now[0] - was[0] : now[0];
      if (e.getKey() == self || pids.contains(e.getKey())) {
        ours += used;
      } else {
        others += used;
      }
    }
    if (capacity <= 0) {
      return new JsonObject();
    }
    return new JsonObject().put("machinePct", round(100 * (ours + others) / capacity))
        .put("benchPct", round(100 * ours / capacity)).put("othersPct", round(100 * others / capacity))
        .put("load1", Machine.loadAverage()[0]);
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }

  /** pid → {utime + stime, start time} of every process. */
  private static Map<Long, long[]> snapshot() {
    Map<Long, long[]> out = new HashMap<>();
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path p : dir) {
        try {
          String s = Files.readString(p.resolve("stat"));
          String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
          out.put(Long.parseLong(p.getFileName().toString()),
              new long[] {Long.parseLong(f[11]) + Long.parseLong(f[12]), Long.parseLong(f[19])});
        } catch (IOException | RuntimeException gone) {
          // the process ended while we looked
        }
      }
    } catch (IOException e) {
      // not Linux
    }
    return out;
  }
}
