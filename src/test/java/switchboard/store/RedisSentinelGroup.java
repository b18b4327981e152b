package switchboard.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import switchboard.LocalMachine;

/**
 * A private Redis high-availability group for tests: a primary, one replica and three sentinels
 * ({@code redis-server --sentinel}) on free ports, all on 127.0.0.1, the sentinels watching the
 * group as {@link #masterName()} with a quorum of two and one second before a silent primary
 * counts as down. {@link #killPrimary()} crashes whichever server is primary now, as a failed
 * host would. Needs {@code redis-server} and {@code redis-cli} (Debian's redis-server package
 * brings both); a missing one fails the test loudly.
 */
public final class RedisSentinelGroup implements AutoCloseable {
  private static final Duration READY = Duration.ofSeconds(20);
  private static final String MASTER_NAME = "switchboard-test";

  private final Path dir;
  /** Data servers and sentinels by port. */
  private final Map<Integer, Process> processes = new LinkedHashMap<>();
  private final List<Integer> sentinelPorts = new ArrayList<>();

  private RedisSentinelGroup(Path dir) {
    this.dir = dir;
  }

  public static RedisSentinelGroup start() {
    LocalMachine.requireExecutable("redis-server", "redis-server");
    LocalMachine.requireExecutable("redis-cli", "redis-server");
    RedisSentinelGroup group;
    try {
      group = new RedisSentinelGroup(Files.createTempDirectory("redis-sentinel-test-"));
    } catch (IOException e) {
      throw new IllegalStateException("cannot make a folder for the Redis group", e);
    }
    try {
      int primary = group.launchData(List.of());
      int replica = group.launchData(List.of("--replicaof", "127.0.0.1", Integer.toString(primary)));
      group.await(() -> group.info(replica, "replication").contains("master_link_status:up"),
          "the replica on " + replica + " to copy the primary on " + primary);
      for (int i = 0; i < 3; i++) {
        group.launchSentinel(primary);
      }
      // a failover needs the sentinels to know the replica and a majority of each other
      for (int port : group.sentinelPorts) {
        group.await(() -> group.cli(port, "SENTINEL", "replicas", MASTER_NAME).contains(Integer.toString(replica))
                && countLines(group.cli(port, "SENTINEL", "sentinels", MASTER_NAME), "runid") >= 2,
            "sentinel " + port + " to know the replica and the other sentinels");
      }
      return group;
    } catch (RuntimeException e) {
      group.close();
      throw e;
    }
  }

  public String masterName() {
    return MASTER_NAME;
  }

  /** The sentinels' URLs, for {@code redis.sentinels}. */
  public List<String> sentinelUrls() {
    return sentinelPorts.stream().map(p -> "redis://127.0.0.1:" + p).toList();
  }

  /** The port of the server the sentinels name as primary now. */
  public int primaryPort() {
    for (int port : sentinelPorts) {
      String answer = cli(port, "SENTINEL", "get-master-addr-by-name", MASTER_NAME).strip();
      String[] lines = answer.split("\n");
      if (lines.length == 2) {
        return Integer.parseInt(lines[1].strip());
      }
    }
    throw new IllegalStateException("no sentinel names a primary for " + MASTER_NAME);
  }

  /** Waits until the replica holds everything the primary has written (replication is asynchronous). */
  public void awaitReplicaCaughtUp() {
    int primary = primaryPort();
    await(() -> {
      String info = info(primary, "replication");
      long offset = field(info, "master_repl_offset");
      return info.lines().filter(l -> l.startsWith("slave0:")).anyMatch(l -> l.contains("offset=" + offset + ","));
    }, "the replica to catch up with the primary on " + primary);
  }

  /** Kills the primary (SIGKILL, like a crashed host) and returns its port. */
  public int killPrimary() {
    int port = primaryPort();
    Process p = processes.remove(port);
    if (p == null) {
      throw new IllegalStateException("the primary on " + port + " is not one of this group's servers");
    }
    p.destroyForcibly();
    try {
      p.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return port;
  }

  /** Waits until the sentinels have promoted another server than the one on {@code oldPrimary}. */
  public int awaitNewPrimary(int oldPrimary) {
    await(() -> {
      try {
        int now = primaryPort();
        return now != oldPrimary && info(now, "replication").contains("role:master");
      } catch (RuntimeException e) {
        return false;
      }
    }, "the sentinels to promote a new primary after " + oldPrimary);
    return primaryPort();
  }

  @Override
  public void close() {
    for (Process p : processes.values()) {
      p.destroyForcibly();
    }
    for (Process p : processes.values()) {
      try {
        p.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    processes.clear();
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException ignored) {
      // a temp folder
    }
  }

  // ---------------------------------------------------------------- processes

  private int launchData(List<String> extra) {
    int port = LocalMachine.freePort();
    List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port),
        "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no",
        "--dir", dir.toString(), "--dbfilename", "dump-" + port + ".rdb"));
    command.addAll(extra);
    launch(port, command);
    return port;
  }

  private void launchSentinel(int primary) {
    int port = LocalMachine.freePort();
    Path conf = dir.resolve("sentinel-" + port + ".conf");
    String text = String.join("\n",
        "port " + port,
        "bind 127.0.0.1",
        "daemonize no",
        "dir " + dir,
        "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + primary + " 2",
        "sentinel down-after-milliseconds " + MASTER_NAME + " 1000",
        "sentinel failover-timeout " + MASTER_NAME + " 10000",
        "sentinel parallel-syncs " + MASTER_NAME + " 1",
        "");
    try {
      Files.writeString(conf, text); // sentinels rewrite their file, so each has its own
    } catch (IOException e) {
      throw new IllegalStateException("cannot write " + conf, e);
    }
    launch(port, List.of("redis-server", conf.toString(), "--sentinel"));
    sentinelPorts.add(port);
  }

  private void launch(int port, List<String> command) {
    Path log = dir.resolve("redis-" + port + ".log");
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start " + command, e);
    }
    processes.put(port, p);
    Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
    await(() -> {
      if (!p.isAlive()) {
        throw new IllegalStateException(command + " exited: " + tail(log));
      }
      return cli(port, "PING").strip().equals("PONG");
    }, String.join(" ", command) + " to answer PING");
  }

  // ---------------------------------------------------------------- talking to them

  private String info(int port, String section) {
    return cli(port, "INFO", section).replace("\r", "");
  }

  /** Runs redis-cli against a port; its output, or "" when it could not talk to it. */
  private static String cli(int port, String... args) {
    List<String> command = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(port)));
    command.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0 || out.startsWith("Could not connect")) {
        return "";
      }
      return out;
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static long field(String info, String name) {
    return info.lines().filter(l -> l.startsWith(name + ":")).findFirst()
        .map(l -> Long.parseLong(l.substring(name.length() + 1).strip()))
        .orElseThrow(() -> new IllegalStateException("no " + name + " in INFO: " + info));
  }

  private static int countLines(String text, String line) {
    return (int) text.lines().filter(l -> l.strip().equals(line)).count();
  }

  private void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + READY.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out waiting for " + what + " (logs in " + dir + ")");
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }


}
