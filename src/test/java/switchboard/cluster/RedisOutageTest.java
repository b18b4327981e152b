package switchboard.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static switchboard.e2e.FrameClient.forChat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import switchboard.e2e.FrameClient;
import switchboard.e2e.TestNode;
import switchboard.store.RedisServer;

/**
 * Redis dies mid-chat and comes back (with its append-only file, as production runs it):
 * both nodes say they are not ready meanwhile, a message sent during the outage is refused
 * with `unavailable` rather than silently dropped, and afterwards the chat carries on with
 * every acknowledged message kept, without restarting the nodes.
 */
class RedisOutageTest {
  private RedisServer redis;
  private Vertx vertxA;
  private Vertx vertxB;
  private Vertx clients;

  @BeforeEach
  void start() {
    redis = RedisServer.startPersistent();
    vertxA = Vertx.vertx();
    vertxB = Vertx.vertx();
    clients = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    for (Vertx v : new Vertx[] {clients, vertxA, vertxB}) {
      TestNode.await(v.close(), Duration.ofSeconds(15));
    }
    redis.close();
  }

  private static void awaitReady(TestNode node, int status) {
    TestNode.waitUntil(() -> node.get("/health/ready").status() == status, Duration.ofSeconds(20),
        node.nodeId() + " /health/ready answering " + status);
  }

  @Test
  void theChatSurvivesARedisRestartWithNoAcknowledgedMessageLost() {
    String prefix = "outage-" + UUID.randomUUID() + ":";
    TestNode a = TestNode.builder(vertxA).redis(redis.url(), prefix).nodeId("node-a").clientVertx(clients)
        .guestGraceSeconds(60).operatorGraceSeconds(60).start();
    TestNode b = TestNode.builder(vertxB).redis(redis.url(), prefix).nodeId("node-b").clientVertx(clients)
        .guestGraceSeconds(60).operatorGraceSeconds(60).start();
    assertThat(a.get("/health/ready").json().getString("node")).isEqualTo("node-a");

    FrameClient alice = FrameClient.operator(b, "alice");
    alice.available("ill", true);
    a.awaitPresence("ill", true);
    FrameClient guest = FrameClient.guest(a);
    String chatId = guest.start("ill", "Pat").getString("chatId");
    alice.offerFor(chatId);
    alice.accept(chatId);
    guest.next("joined");
    assertThat(guest.say("before the outage").getInteger("seq")).isEqualTo(1);
    assertThat(alice.say(chatId, "answer before the outage").getInteger("seq")).isEqualTo(2);
    guest.next("message");

    redis.stop();
    awaitReady(a, 503);
    awaitReady(b, 503);
    JsonObject during = FrameClient.guestMessage("sent during the outage", "during-1");
    guest.send(during);
    JsonObject refused = guest.next("error", Duration.ofSeconds(10));
    assertThat(refused.getString("code")).isEqualTo("unavailable");
    guest.assertOpen();
    alice.assertOpen();

    redis.restart();
    awaitReady(a, 200);
    awaitReady(b, 200);

    // the widget sends what was refused again; it is stored once and reaches the other node
    guest.send(during);
    assertThat(guest.next("ack", Duration.ofSeconds(10)).getInteger("seq")).isEqualTo(3);
    JsonObject relayed = alice.next("message", m -> "sent during the outage".equals(m.getString("text")),
        TestNode.TIMEOUT);
    assertThat(relayed.getInteger("seq")).isEqualTo(3);
    assertThat(alice.say(chatId, "answer after the outage").getInteger("seq")).isEqualTo(4);
    assertThat(guest.next("message", m -> m.getInteger("seq") == 4, TestNode.TIMEOUT).getString("text"))
        .isEqualTo("answer after the outage");

    JsonObject record = a.chat(chatId, a.login("alice"));
    assertThat(record.getString("state")).isEqualTo("active");
    assertThat(record.getJsonArray("messages").stream().map(m -> ((JsonObject) m).getString("text")))
        .containsExactly("before the outage", "answer before the outage", "sent during the outage",
            "answer after the outage");
  }
}
