package switchboard.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/** What a report says about where it ran: machine, JVM, commit, and how busy the machine was. */
final class Machine {
  private Machine() {}

  static JsonObject describe() {
    Runtime rt = Runtime.getRuntime();
    JsonObject m = new JsonObject()
        .put("cores", rt.availableProcessors())
        .put("cpuModel", cpuModel())
        .put("memoryGiB", Math.round(memTotalKb() / 1024.0 / 1024.0 * 10) / 10.0)
        .put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"))
        .put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"))
        .put("jvmFlags", new JsonArray(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
            .filter(a -> !a.startsWith("-Dlogback") && !a.startsWith("-Dbench.log")).toList()))
        .put("maxHeapMiB", rt.maxMemory() / 1024 / 1024)
        .put("gc", String.join(", ", ManagementFactory.getGarbageCollectorMXBeans().stream()
            .map(b -> b.getName()).toList()))
        .put("commit", git("rev-parse", "HEAD"))
        .put("uncommittedChanges", !git("status", "--porcelain", "--untracked-files=no").isBlank())
        .put("redis", redisVersion())
        .put("at", Instant.now().toString());
    return m;
  }

  static String cpuModel() {
    return firstLine(Path.of("/proc/cpuinfo"), "model name");
  }

  static long memTotalKb() {
    String line = firstLine(Path.of("/proc/meminfo"), "MemTotal");
    return line.isEmpty() ? 0 : Long.parseLong(line.replaceAll("[^0-9]", ""));
  }

  /** The 1-, 5- and 15-minute load averages. */
  static double[] loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2])};
    } catch (IOException | RuntimeException e) {
      return new double[] {-1, -1, -1};
    }
  }

  static String loadText() {
    double[] l = loadAverage();
    return String.format("%.2f, %.2f, %.2f", l[0], l[1], l[2]);
  }

  /**
   * Waits (up to {@code maxSeconds}) until the 1-minute load average is below {@code threshold},
   * so a final run does not share the cores with another engineer's test suite. Returns the load
   * it started at.
   */
  static double awaitQuiet(double threshold, double maxSeconds) {
    long deadline = System.nanoTime() + (long) (maxSeconds * 1e9);
    double load = loadAverage()[0];
    boolean told = false;
    while (load >= threshold && System.nanoTime() < deadline) {
      if (!told) {
        System.out.printf("load %.2f ≥ %.2f: waiting up to %.0f s for a quieter machine%n", load, threshold, maxSeconds);
        told = true;
      }
      Await.sleep(5);
      load = loadAverage()[0];
    }
    return load;
  }

  private static String firstLine(Path file, String key) {
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (line.startsWith(key)) {
          return line.substring(line.indexOf(':') + 1).strip();
        }
      }
    } catch (IOException e) {
      // not Linux: leave it out
    }
    return "";
  }

  private static String git(String... args) {
    String[] cmd = new String[args.length + 1];
    cmd[0] = "git";
    System.arraycopy(args, 0, cmd, 1, args.length);
    return run(cmd).strip();
  }

  private static String redisVersion() {
    String v = run("redis-server", "--version");
    int at = v.indexOf("v=");
    return at < 0 ? v.strip() : v.substring(at + 2).split("\\s")[0];
  }

  /** The command's output, or "" when it is missing or fails. */
  private static String run(String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : "";
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }
}
