package switchboard.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Scenario 1, connections: ramps guest sockets, each with a chat started on a queue nobody
 * staffs, onto one node running in its own JVM ({@link NodeMain}), pausing at each checkpoint to
 * measure the node's heap after a full GC; memory per socket = (heap − heap with no socket) ÷
 * sockets. Stops at the last checkpoint, at the open-file limit, or when sockets fail.
 */
final class ConnectionsBench {
  private ConnectionsBench() {}

  static Path run(Options o) {
    long fileLimit = openFileLimit();
    // each side holds one descriptor per socket plus its jars, epoll and pipes
    long ceiling = fileLimit - 400;
    List<Integer> checkpoints = new ArrayList<>(o.integers("checkpoints", "1000,5000,10000,15000,19500").stream()
        .filter(c -> c <= ceiling).toList());
    double rate = o.number("rate", 500);
    int inFlight = o.integer("inFlight", 200);
    double hold = o.number("hold", 10);
    String serverJvm = o.string("serverJvm", "-Xms3g,-Xmx3g");
    String serverJfr = o.string("serverJfr", "");
    double maxMinutes = o.number("maxMinutes", 20);
    Report report = new Report(o.string("name", "connections"), Path.of(o.string("out", "target/bench")));
    Path log = report.dir().resolve("logs").resolve("connections-node.log");
    JsonArray rows = new JsonArray();
    JsonObject summary = new JsonObject().put("openFileLimit", fileLimit).put("ceiling", ceiling);
    String flags = serverJvm + (serverJfr.isEmpty() ? ""
        : ",-XX:StartFlightRecording=filename=" + serverJfr + ";settings=profile");
    if (!serverJfr.isEmpty()) {
      createDirectories(Path.of(serverJfr).toAbsolutePath().getParent());
    }
    long budgetEnd = System.nanoTime() + (long) (maxMinutes * 60e9);
    boolean outOfTime = false;
    try (Child node = Child.start(flags, log); Clients clients = new Clients(o.integer("lanes", 2))) {
      JsonObject base = node.heap();
      summary.put("heapWithNoSocket", base);
      List<Sock> socks = new ArrayList<>();
      AtomicLong failures = new AtomicLong();
      Errors errors = new Errors();
      int reached = 0;
      long rampStart = System.nanoTime();
      for (int target : checkpoints) {
        Latency toStarted = new Latency();
        CpuMeter cpu = new CpuMeter(List.of(node.pid())).start();
        long segmentStart = System.nanoTime();
        int from = socks.size();
        Semaphore permits = new Semaphore(inFlight);
        long interval = (long) (1e9 / rate);
        long next = System.nanoTime();
        for (int i = from; i < target && failures.get() <= target / 200; i++) {
          if (System.nanoTime() > budgetEnd) {
            outOfTime = true;
            break;
          }
          Await.until(next);
          next += interval;
          acquire(permits);
          long sent = System.nanoTime();
          int n = i;
          clients.connect(i, node.port, "/ws/guest", "c" + i).onSuccess(s -> {
            s.onFrame(f -> {
              if (Sock.is(f, "started")) {
                toStarted.recordNanos(System.nanoTime() - sent);
                permits.release();
              } else if (Sock.is(f, "error")) {
                errors.add(f);
                failures.incrementAndGet();
                permits.release();
              }
            });
            s.send("{\"type\":\"start\",\"queue\":\"lobby\",\"name\":\"c" + n + "\"}");
            synchronized (socks) {
              socks.add(s);
            }
          }).onFailure(e -> {
            errors.add("connect: " + e.getMessage());
            failures.incrementAndGet();
            permits.release();
          });
        }
        // every socket of the segment has its `started` (or failed) once all permits are back
        boolean settled = tryAcquire(permits, inFlight, 120);
        double seconds = (System.nanoTime() - segmentStart) / 1e9;
        JsonObject cpuUse = cpu.stop();
        // frames the node still owes (places in line) would count as memory per socket
        node.awaitIdle(60);
        long open;
        synchronized (socks) {
          open = socks.stream().filter(s -> !s.isClosed()).count();
        }
        JsonObject heap = node.heap();
        long grown = heap.getLong("heapUsed") - base.getLong("heapUsed");
        JsonObject row = new JsonObject()
            .put("checkpoint", target)
            .put("open", open)
            .put("failures", failures.get())
            .put("settled", settled)
            .put("rampSeconds", Math.round(seconds * 10) / 10.0)
            .put("connectsPerSecond", Math.round((target - from) / seconds))
            .put("connectToStarted", Latency.summary(toStarted.take()))
            .put("heap", heap)
            .put("heapPerSocketBytes", open == 0 ? 0 : grown / open)
            .put("rssPerSocketBytes", open == 0 ? 0
                : (heap.getLong("rssKb") - base.getLong("rssKb")) * 1024 / open)
            .put("cpu", cpuUse);
        rows.add(row);
        System.out.println("connections: " + row.encode());
        if (outOfTime || !settled || failures.get() > target / 200 || open < target * 0.995) {
          break;
        }
        reached = target;
      }
      Await.sleep(hold);
      long stillOpen;
      synchronized (socks) {
        stillOpen = socks.stream().filter(s -> !s.isClosed()).count();
      }
      summary.put("reached", reached).put("stoppedByTimeBudget", outOfTime).put("maxMinutes", maxMinutes).put("openAfterHold", stillOpen).put("holdSeconds", hold)
          .put("failures", failures.get()).put("firstError", errors.first())
          .put("totalSeconds", Math.round((System.nanoTime() - rampStart) / 1e8) / 10.0);
    }
    report.results().put("summary", summary).put("checkpoints", rows);
    report.para("Guest sockets opened at up to " + rate + " a second (at most " + inFlight + " waiting for `started`), "
        + "each sending `start` on queue `lobby` (nobody staffs it, so every chat waits). The node runs in its own "
        + "JVM (`" + serverJvm.replace(',', ' ') + "`, in-memory state); the clients in this one. At each checkpoint "
        + "the ramp pauses and the node reports its heap after a full GC. Memory per socket = (heap now − heap "
        + "with no socket) ÷ open sockets; it includes the chat, its timeline and the socket's gateway. "
        + "Open-file limit per process here: " + fileLimit + " (hard; `ulimit -n` cannot go higher in this "
        + "container), so one node can hold at most ~" + ceiling + " sockets on this machine. The ramp stops after "
        + maxMinutes + " minutes.");
    List<List<String>> table = new ArrayList<>();
    for (Object r : rows) {
      JsonObject row = (JsonObject) r;
      JsonObject heap = row.getJsonObject("heap");
      JsonObject cpu = row.getJsonObject("cpu");
      List<String> line = new ArrayList<>(List.of(String.format("%,d", row.getInteger("checkpoint")),
          String.format("%,d", row.getLong("open")), String.valueOf(row.getLong("failures")),
          String.valueOf(row.getDouble("rampSeconds")), String.valueOf(row.getLong("connectsPerSecond"))));
      line.addAll(List.of(Latency.cells(row.getJsonObject("connectToStarted")).split(" \\| ")));
      line.add(String.format("%,d", heap.getLong("heapUsed") / (1024 * 1024)));
      line.add(String.format("%,d", row.getLong("heapPerSocketBytes") / 1024));
      line.add(String.format("%,d", heap.getLong("rssKb") / 1024));
      line.add(String.valueOf(heap.getLong("openFiles")));
      line.add(cpu.getValue("machinePct") + " / " + cpu.getValue("benchPct") + " / " + cpu.getValue("othersPct"));
      table.add(line);
    }
    report.table(List.of("checkpoint", "open", "failures", "segment s", "sockets/s", "connect→started p50 ms",
        "p99", "p99.9", "max", "heap after GC MiB", "heap per socket KiB", "node RSS MiB", "node open files",
        "CPU machine / bench / others %"), table);
    report.para("Reached " + summary.getInteger("reached") + " sockets; " + summary.getLong("openAfterHold")
        + " still open after holding " + hold + " s. Heap with no socket: "
        + summary.getJsonObject("heapWithNoSocket").getLong("heapUsed") / (1024 * 1024) + " MiB.");
    return report.write(o.used());
  }

  private static void createDirectories(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void acquire(Semaphore s) {
    try {
      s.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static boolean tryAcquire(Semaphore s, int permits, int seconds) {
    try {
      boolean ok = s.tryAcquire(permits, seconds, TimeUnit.SECONDS);
      if (ok) {
        s.release(permits);
      }
      return ok;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** This process's open-file limit (the child inherits it). */
  static long openFileLimit() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/self/limits"))) {
        if (l.startsWith("Max open files")) {
          return Long.parseLong(l.substring("Max open files".length()).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return 1024;
  }

  /** The node's JVM: started with this JVM's classpath, driven over stdin/stdout. */
  static final class Child implements AutoCloseable {
    final Process process;
    final int port;
    private final PrintWriter commands;
    private final BlockingQueue<String> replies = new ArrayBlockingQueue<>(16);

    private Child(Process process) {
      this.process = process;
      this.commands = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
      Thread reader = new Thread(() -> {
        try (BufferedReader in = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = in.readLine()) != null) {
            if (line.startsWith("BENCH ")) {
              replies.put(line.substring(6));
            } else {
              System.out.println("node: " + line);
            }
          }
        } catch (IOException | InterruptedException e) {
          // the node is gone
        }
      }, "node-stdout");
      reader.setDaemon(true);
      reader.start();
      String first = reply(60);
      if (!first.startsWith("port ")) {
        throw new IllegalStateException("node said " + first);
      }
      this.port = Integer.parseInt(first.substring(5).trim());
    }

    static Child start(String jvmFlags, Path log) {
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      for (String f : jvmFlags.split(",")) {
        if (!f.isBlank()) {
          cmd.add(f.strip().replace(';', ','));
        }
      }
      String logback = System.getProperty("logback.configurationFile");
      if (logback != null) {
        cmd.add("-Dlogback.configurationFile=" + logback);
      }
      cmd.add("-Dbench.log=" + log.toAbsolutePath());
      cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), NodeMain.class.getName()));
      try {
        return new Child(new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    long pid() {
      return process.pid();
    }

    /** Waits until the node uses under 5 % of a core for a second (at most {@code seconds}). */
    void awaitIdle(int seconds) {
      long deadline = System.nanoTime() + seconds * 1_000_000_000L;
      while (System.nanoTime() < deadline) {
        long before = jiffies();
        Await.sleep(1);
        if (jiffies() - before <= 5) {
          return;
        }
      }
    }

    private long jiffies() {
      try {
        String s = Files.readString(Path.of("/proc/" + pid() + "/stat"));
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
      } catch (IOException | RuntimeException e) {
        return 0;
      }
    }

    JsonObject heap() {
      commands.println("heap");
      String r = reply(120);
      if (!r.startsWith("heap ")) {
        throw new IllegalStateException("node said " + r);
      }
      return new JsonObject(r.substring(5));
    }

    private String reply(int seconds) {
      try {
        String r = replies.poll(seconds, TimeUnit.SECONDS);
        if (r == null) {
          throw new IllegalStateException("node did not answer within " + seconds + " s (alive: "
              + process.isAlive() + ")");
        }
        return r;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    @Override
    public void close() {
      commands.println("exit");
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
  }
}
