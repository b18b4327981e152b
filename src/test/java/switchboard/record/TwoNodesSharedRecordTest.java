package switchboard.record;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import switchboard.e2e.FrameClient;
import switchboard.e2e.TestNode;
import switchboard.store.RedisServer;

/**
 * Issue 15: two nodes on one Redis (the hot state) and one PostgreSQL (the record) chat across
 * nodes and close; both read the same transcript and stats. Then Redis restarts empty: the set-up,
 * the transcript and the stats are still there, read from the record.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TwoNodesSharedRecordTest {
  private RedisServer redis;
  private String database;
  private Vertx vertxA;
  private Vertx vertxB;
  private Vertx clients;
  private TestNode a;
  private TestNode b;

  @BeforeEach
  void start() {
    redis = RedisServer.start();
    database = PostgresServer.newDatabase();
    vertxA = Vertx.vertx();
    vertxB = Vertx.vertx();
    clients = Vertx.vertx();
    String prefix = "shared-" + UUID.randomUUID() + ":";
    a = TestNode.builder(vertxA).redis(redis.url(), prefix).nodeId("node-a").clientVertx(clients)
        .editConfig(c -> c.put("record", new JsonObject().put("url", database))).start();
    b = TestNode.builder(vertxB).redis(redis.url(), prefix).nodeId("node-b").clientVertx(clients)
        .editConfig(c -> c.put("record", new JsonObject().put("url", database))).start();
  }

  @AfterEach
  void stop() {
    for (Vertx v : new Vertx[] {clients, vertxA, vertxB}) {
      TestNode.await(v.close(), Duration.ofSeconds(15));
    }
    redis.close();
  }

  @Test
  void twoNodesShareOneRecordThatOutlivesTheirRedis() {
    JsonObject ready = a.get("/health/ready").json();
    assertThat(ready.getJsonArray("checks").stream().map(c -> ((JsonObject) c).getString("id")
        + "=" + ((JsonObject) c).getString("status"))).contains("record=UP", "store=UP");

    // an admin change on A is live on B (both read the one record)
    String adminA = a.login("alice");
    JsonObject erin = new JsonObject().put("id", "erin").put("name", "Erin").put("queues", new JsonArray().add("general"))
        .put("password", "erin-passphrase-1");
    assertThat(a.post("/api/v1/admin/operators", erin, adminA).status()).isEqualTo(201);
    TestNode.waitUntil(() -> b.loginRequest("erin", "erin-passphrase-1").status() == 200, Duration.ofSeconds(10),
        "erin able to sign in on node B");

    // a chat: the guest on A, the librarian on B
    FrameClient alice = FrameClient.operator(b, "alice");
    alice.available("ill", true);
    a.awaitPresence("ill", true);
    FrameClient guest = FrameClient.guest(a);
    String chatId = guest.start("ill", "Pat").getString("chatId");
    alice.offerFor(chatId);
    alice.accept(chatId);
    guest.next("joined");
    guest.say("Is the reading room open on Sunday?");
    alice.say(chatId, "Yes, from noon.");
    guest.next("message");
    guest.send(new JsonObject().put("type", "close"));
    guest.next("closed");
    TestNode.waitUntil(() -> "closed".equals(recordedState(chatId)), Duration.ofSeconds(10), "the chat in the record");

    String adminB = b.login("alice");
    JsonArray onA = a.chat(chatId, adminA).getJsonArray("messages");
    JsonArray onB = b.chat(chatId, adminB).getJsonArray("messages");
    assertThat(onA).isEqualTo(onB);
    assertThat(onA.stream().map(m -> ((JsonObject) m).getString("text")))
        .containsExactly("Is the reading room open on Sunday?", "Yes, from noon.");
    assertThat(asked(a, adminA)).isEqualTo(1);
    assertThat(asked(b, adminB)).isEqualTo(1);

    // Redis forgets everything: the record does not
    redis.restart();
    TestNode.waitUntil(() -> a.loginRequest("erin", "erin-passphrase-1").status() == 200, Duration.ofSeconds(20),
        "node A answering again after Redis restarted");
    String admin = a.login("alice");
    assertThat(a.chat(chatId, admin).getJsonArray("messages")).as("read from the record").isEqualTo(onA);
    assertThat(a.chat(chatId, admin).getString("state")).isEqualTo("closed");
    assertThat(asked(a, admin)).isEqualTo(1);
    TestNode.waitUntil(() -> b.loginRequest("alice", TestNode.PASSWORD).status() == 200, Duration.ofSeconds(20),
        "node B answering again after Redis restarted");
    String adminB2 = b.login("alice");
    assertThat(b.chat(chatId, adminB2).getJsonArray("messages")).isEqualTo(onA);
    assertThat(asked(b, adminB2)).isEqualTo(1);
  }

  private static int asked(TestNode node, String admin) {
    return node.get("/api/v1/stats", admin).json().getJsonObject("totals").getInteger("asked");
  }

  private String recordedState(String chatId) {
    try (Connection c = DriverManager.getConnection(database);
        PreparedStatement s = c.prepareStatement("SELECT state FROM chats WHERE id = ?")) {
      s.setString(1, chatId);
      try (ResultSet r = s.executeQuery()) {
        return r.next() ? r.getString(1) : null;
      }
    } catch (SQLException e) {
      return null;
    }
  }
}
