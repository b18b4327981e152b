package switchboard.bench;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import switchboard.Switchboard;
import switchboard.config.ConfigLoader;
import switchboard.metrics.MetricsSetup;

/**
 * A Switchboard node in a JVM of its own, for the connections scenario (one JVM cannot hold
 * both ends of ~20,000 sockets under this machine's open-file limit). In-memory state, queue
 * {@code lobby}. Talks to the bench on stdin/stdout: prints {@code BENCH port <p>} when up;
 * {@code heap} answers {@code BENCH heap <json>} (heap after a full GC, RSS, open files, threads).
 */
public final class NodeMain {
  private NodeMain() {}

  public static void main(String[] args) throws IOException {
    JsonObject config = new JsonObject()
        .put("http", new JsonObject().put("port", 0))
        .put("nodeId", "bench-conn")
        .put("queues", new JsonArray().add(Nodes.queue("lobby", 75)))
        .put("operators", new JsonArray().add(Nodes.operator("nobody", 5, "lobby")));
    Vertx vertx = MetricsSetup.vertxWithMetrics();
    Switchboard node = Await.get(Switchboard.start(vertx, ConfigLoader.parse(config.encode(), "bench", Map.of())), 60);
    System.out.println("BENCH port " + node.port());
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      if (line.equals("heap")) {
        System.out.println("BENCH heap " + heap().encode());
      } else if (line.equals("exit")) {
        break;
      }
    }
    System.exit(0);
  }

  static JsonObject heap() {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Await.sleep(0.3);
    }
    var mem = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    return new JsonObject()
        .put("heapUsed", mem.getUsed())
        .put("heapCommitted", mem.getCommitted())
        .put("nonHeapUsed", ManagementFactory.getMemoryMXBean().getNonHeapMemoryUsage().getUsed())
        .put("rssKb", statusKb("VmRSS"))
        .put("openFiles", openFiles())
        .put("threads", Thread.activeCount());
  }

  static long statusKb(String key) {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (l.startsWith(key + ":")) {
          return Long.parseLong(l.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException e) {
      // not Linux
    }
    return -1;
  }

  static long openFiles() {
    try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
      return s.count();
    } catch (IOException e) {
      return -1;
    }
  }
}
