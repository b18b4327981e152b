package switchboard.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import switchboard.e2e.FrameClient;
import switchboard.e2e.TestNode;
import switchboard.hardening.NodeProcess;
import switchboard.store.RedisServer;

/**
 * What a host reads: a node started as in production (a child JVM, Redis, a config file) with
 * {@code SWITCHBOARD_LOG_FORMAT=json} and {@code SWITCHBOARD_ACCESS_LOG=true} writes only JSON
 * lines, one per event, with the access log's facts as fields; and from start through a chat to
 * SIGTERM it warns about nothing (Micrometer's "Gauge already registered" for the Redis clients
 * at start, Vert.x's "Discarding message" for consumers already gone at stop, are both gone).
 */
class NodeLogsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private RedisServer redis;
  private Vertx vertx;
  private Vertx clients;
  private NodeProcess child;

  @BeforeEach
  void start() {
    redis = RedisServer.start();
    vertx = Vertx.vertx();
    clients = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    if (child != null) {
      child.close();
    }
    for (Vertx v : new Vertx[] {clients, vertx}) {
      TestNode.await(v.close(), Duration.ofSeconds(15));
    }
    redis.close();
  }

  @Test
  void jsonLinesWithAnAccessLogAndNoWarningFromStartToStop() throws Exception {
    String prefix = "logs-" + UUID.randomUUID() + ":";
    TestNode.Builder setUp = TestNode.builder(vertx).redis(redis.url(), prefix).nodeId("node-b").clientVertx(clients);
    Path config = Files.createTempDirectory("switchboard-logs-").resolve("config.json");
    Files.writeString(config, setUp.configJson());
    child = NodeProcess.start(config, redis.url(), "node-json", "node-logs-json", "256m",
        Map.of("SWITCHBOARD_LOG_FORMAT", "json", "SWITCHBOARD_ACCESS_LOG", "true"));
    TestNode b = setUp.start();

    // a chat: the guest on the child, the operator on the other node
    FrameClient bob = FrameClient.operator(b, "bob");
    bob.available("general", true);
    b.awaitPresence("general", true);
    FrameClient guest = FrameClient.connect(clients.createWebSocketClient(), child.port(), "/ws/guest", "guest@child");
    String chatId = guest.start("general", "Pat").getString("chatId");
    bob.offerFor(chatId);
    bob.accept(chatId);
    guest.next("joined");
    guest.say("hello from the child");
    bob.next("message", m -> "hello from the child".equals(m.getString("text")), TestNode.TIMEOUT);
    HttpResponse<String> queues = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://localhost:" + child.port() + "/api/v1/queues?token=secret-in-the-query"))
        .header("User-Agent", "NodeLogsTest \"quoted\" agent").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(queues.statusCode()).isEqualTo(200);

    // the host stops it while the guest's socket is open
    assertThat(child.terminate()).as("exit code after SIGTERM").isIn(0, 143);

    List<JsonNode> lines = jsonLines(child.log());
    assertThat(lines).anySatisfy(l -> assertThat(l.get("message").asText()).contains("listening on"));
    assertThat(lines).allSatisfy(l -> assertThat(l.get("node").asText()).isIn("node-json", "-"));
    assertThat(lines).as("warnings or errors from start to stop")
        .noneSatisfy(l -> assertThat(l.get("level").asText()).isIn("WARN", "ERROR"));

    List<JsonNode> access = lines.stream().filter(l -> "switchboard.access".equals(l.get("logger").asText())).toList();
    assertThat(access).anySatisfy(l -> {
      assertThat(l.get("method").asText()).isEqualTo("GET");
      assertThat(l.get("path").asText()).isEqualTo("/health/ready");
      assertThat(l.get("status").asInt()).isEqualTo(200);
      assertThat(l.get("client").asText()).isNotBlank();
      assertThat(l.get("ms").isNumber()).isTrue();
    });
    assertThat(access).anySatisfy(l -> {
      assertThat(l.get("path").asText()).isEqualTo("/ws/guest");
      assertThat(l.get("status").asInt()).isEqualTo(101);
    });
    JsonNode queuesLine = access.stream().filter(l -> "/api/v1/queues".equals(l.get("path").asText()))
        .findFirst().orElseThrow(() -> new AssertionError("no access line for /api/v1/queues"));
    assertThat(queuesLine.get("status").asInt()).isEqualTo(200);
    assertThat(queuesLine.get("bytes").asLong()).isEqualTo(queues.body().getBytes().length);
    assertThat(queuesLine.get("agent").asText()).isEqualTo("NodeLogsTest \"quoted\" agent");
    assertThat(access).as("query strings (tokens) stay out of the log")
        .noneSatisfy(l -> assertThat(l.toString()).contains("secret-in-the-query"));
  }

  @Test
  void textLogsByDefaultAndNoAccessLogUnlessAskedFor() throws Exception {
    Path config = Files.createTempDirectory("switchboard-logs-").resolve("config.json");
    Files.writeString(config, TestNode.builder(vertx).nodeId("node-text").configJson());
    child = NodeProcess.start(config, null, "node-text", "node-logs-text", "256m", Map.of());
    HttpResponse<String> queues = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://localhost:" + child.port() + "/api/v1/queues")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(queues.statusCode()).isEqualTo(200);
    assertThat(child.terminate()).isIn(0, 143);
    List<String> lines = Files.readAllLines(child.log()).stream().filter(l -> !l.isBlank()).toList();
    assertThat(lines).anySatisfy(l -> assertThat(l).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  \\[node-text\\] Main - "
        + "Switchboard node node-text listening on .*"));
    assertThat(lines).noneSatisfy(l -> assertThat(l).startsWith("{"));
    assertThat(lines).noneSatisfy(l -> assertThat(l).contains("/api/v1/queues"));
    assertThat(lines).noneSatisfy(l -> assertThat(l).containsPattern(" (WARN|ERROR) "));
  }

  @Test
  void theFirstStartsOneTimePasswordIsAJsonLineToo() throws Exception {
    Path config = Files.createTempDirectory("switchboard-logs-").resolve("config.json");
    Files.copy(Path.of("conf/config.json"), config); // the demo: no operator has a password yet
    child = NodeProcess.start(config, null, "node-first", "node-logs-first", "256m",
        Map.of("SWITCHBOARD_LOG_FORMAT", "json"));
    assertThat(child.terminate()).isIn(0, 143);
    List<JsonNode> lines = jsonLines(child.log());
    assertThat(lines).anySatisfy(l -> assertThat(l.get("message").asText())
        .contains("username: admin").containsPattern("password: [A-Za-z0-9]{16,}"));
  }

  /** The log's lines, each of which must be a JSON object with the fields every line has. */
  private static List<JsonNode> jsonLines(Path log) throws Exception {
    List<JsonNode> lines = new ArrayList<>();
    for (String line : Files.readAllLines(log)) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode parsed;
      try {
        parsed = JSON.readTree(line);
      } catch (Exception e) {
        throw new AssertionError("not a JSON line in " + log + ": " + line, e);
      }
      assertThat(parsed.isObject()).as(line).isTrue();
      for (String field : List.of("time", "level", "node", "logger", "thread", "message")) {
        assertThat(parsed.hasNonNull(field)).as("%s in %s", field, line).isTrue();
      }
      lines.add(parsed);
    }
    return lines;
  }
}
