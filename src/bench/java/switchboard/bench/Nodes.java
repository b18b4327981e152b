package switchboard.bench;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import switchboard.Switchboard;
import switchboard.auth.PasswordHasher;
import switchboard.config.ConfigLoader;
import switchboard.metrics.MetricsSetup;

/**
 * Switchboard nodes started in this JVM, each on its own Vert.x instance as {@code Main} makes it
 * (with its Micrometer metrics), so two nodes share nothing but Redis. In memory there is one node.
 */
final class Nodes implements AutoCloseable {
  static final String PASSWORD = "bench-password";
  private static String passwordHash;

  /** {@code recordFolder}: the temporary folder of its SQLite record, deleted with the node (or null). */
  record Node(Vertx vertx, Switchboard switchboard, Path recordFolder) {
    int port() {
      return switchboard.port();
    }
  }

  private final List<Node> nodes;

  private Nodes(List<Node> nodes) {
    this.nodes = nodes;
  }

  /**
   * Starts {@code count} nodes with {@code queues} and {@code operators}; {@code redisUrl} null
   * keeps state in memory (then {@code count} must be 1).
   */
  static Nodes start(int count, String redisUrl, JsonArray queues, JsonArray operators) {
    return start(count, redisUrl, false, queues, operators);
  }

  /** {@code sqlite}: the record in an embedded SQLite file in a fresh temporary folder (else kept in the state store). */
  static Nodes start(int count, String redisUrl, boolean sqlite, JsonArray queues, JsonArray operators) {
    if (redisUrl == null && count != 1) {
      throw new IllegalArgumentException("in-memory state is one node; two nodes need Redis");
    }
    String prefix = "bench-" + UUID.randomUUID().toString().substring(0, 8) + ":";
    List<Node> started = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        Path recordFolder = null;
        JsonObject config = new JsonObject()
            .put("http", new JsonObject().put("port", 0))
            .put("nodeId", "bench-" + (char) ('a' + i))
            // a guest's message limit guards against floods; the bench is one on purpose
            .put("chats", new JsonObject().put("messagesPerTenSeconds", 10_000_000))
            .put("queues", queues)
            .put("operators", operators);
        if (redisUrl != null) {
          config.put("redis", new JsonObject().put("url", redisUrl).put("prefix", prefix));
        }
        if (sqlite) {
          try {
            recordFolder = Files.createTempDirectory("bench-record-");
            config.put("record", new JsonObject().put("url", "jdbc:sqlite:" + recordFolder.resolve("switchboard.db")));
          } catch (IOException e) {
            throw new IllegalStateException("no temporary folder for the record", e);
          }
        }
        Vertx vertx = MetricsSetup.vertxWithMetrics();
        try {
          Switchboard sb = Await.get(Switchboard.start(vertx,
              ConfigLoader.parse(config.encode(), "bench", Map.of())), 60);
          started.add(new Node(vertx, sb, recordFolder));
        } catch (RuntimeException e) {
          Await.get(vertx.close(), 30);
          deleteFolder(recordFolder);
          throw e;
        }
      }
      return new Nodes(started);
    } catch (RuntimeException e) {
      new Nodes(started).close();
      throw e;
    }
  }

  Node node(int i) {
    return nodes.get(Math.floorMod(i, nodes.size()));
  }

  int count() {
    return nodes.size();
  }

  static JsonObject queue(String name, int rolloverAfterSeconds, String... backups) {
    return new JsonObject().put("name", name).put("title", "Queue " + name)
        .put("backups", new JsonArray(List.of(backups))).put("rolloverAfterSeconds", rolloverAfterSeconds);
  }

  static JsonObject operator(String id, int maxChats, String... queues) {
    return new JsonObject().put("id", id).put("name", "Op " + id).put("queues", new JsonArray(List.of(queues)))
        .put("maxChats", maxChats).put("role", "operator").put("passwordHash", hash());
  }

  private static synchronized String hash() {
    if (passwordHash == null) {
      passwordHash = PasswordHasher.hash(PASSWORD.toCharArray(), 1000);
    }
    return passwordHash;
  }

  @Override
  public void close() {
    for (Node n : nodes) {
      try {
        Await.get(n.switchboard().stop(), 30);
      } catch (RuntimeException e) {
        System.out.println("stopping a node: " + e.getMessage());
      }
      Await.get(n.vertx().close(), 30);
      deleteFolder(n.recordFolder());
    }
  }

  /** A run leaves no record behind (tens of MB each at 10,000 msg/s). */
  private static void deleteFolder(Path folder) {
    if (folder == null) {
      return;
    }
    try (Stream<Path> paths = Files.walk(folder)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      System.out.println("could not delete " + folder + ": " + e.getMessage());
    }
  }
}
