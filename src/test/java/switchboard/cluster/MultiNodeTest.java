package switchboard.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static switchboard.e2e.FrameClient.forChat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import switchboard.e2e.FrameClient;
import switchboard.e2e.TestNode;
import switchboard.store.RedisServer;

/**
 * Two nodes, each on its own Vert.x instance (so nothing is shared but Redis), as behind a
 * load balancer: guests and operators on different nodes chat, and a node that dies loses
 * no chat and no rollover.
 */
class MultiNodeTest {
  private static RedisServer redis;
  private Vertx vertxA;
  private Vertx vertxB;
  private Vertx clients;
  private String prefix;

  @BeforeAll
  static void startRedis() {
    redis = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @BeforeEach
  void vertxInstances() {
    vertxA = Vertx.vertx();
    vertxB = Vertx.vertx();
    clients = Vertx.vertx();
    prefix = "test-" + UUID.randomUUID() + ":";
  }

  @AfterEach
  void closeAll() {
    for (Vertx v : new Vertx[] {vertxA, vertxB, clients}) {
      TestNode.await(v.close(), Duration.ofSeconds(15));
    }
  }

  private TestNode.Builder node(Vertx vertx, String id) {
    return TestNode.builder(vertx).redis(redis.url(), prefix).nodeId(id).clientVertx(clients);
  }

  @Test
  void aGuestOnOneNodeChatsWithAnOperatorOnTheOther() {
    TestNode a = node(vertxA, "node-a").start();
    TestNode b = node(vertxB, "node-b").start();

    FrameClient alice = FrameClient.operator(b, "alice");
    alice.available("ill", true);
    a.awaitPresence("ill", true);

    FrameClient guest = FrameClient.guest(a);
    String chatId = guest.start("ill", "Pat").getString("chatId");
    assertThat(guest.say("Is my loan renewed?").getInteger("seq")).isEqualTo(1);
    alice.offerFor(chatId);
    JsonObject accepted = alice.accept(chatId);
    assertThat(accepted.getJsonArray("history")).hasSize(1);
    assertThat(guest.next("joined").getString("operator")).isEqualTo("Alice");

    assertThat(alice.say(chatId, "Yes, until Friday.").getInteger("seq")).isEqualTo(2);
    JsonObject atGuest = guest.next("message");
    assertThat(atGuest.getString("text")).isEqualTo("Yes, until Friday.");
    assertThat(atGuest.getInteger("seq")).isEqualTo(2);

    guest.send(new JsonObject().put("type", "typing").put("typing", true));
    assertThat(alice.next("typing", forChat(chatId), TestNode.TIMEOUT).getBoolean("typing")).isTrue();

    assertThat(guest.say("Thanks!").getInteger("seq")).isEqualTo(3);
    assertThat(alice.next("message", forChat(chatId), TestNode.TIMEOUT).getString("text")).isEqualTo("Thanks!");

    guest.send(new JsonObject().put("type", "close"));
    assertThat(alice.next("closed", forChat(chatId), TestNode.TIMEOUT).getString("by")).isEqualTo("guest");
    JsonObject record = a.chat(chatId, a.login("alice"));
    assertThat(record.getString("state")).isEqualTo("closed");
    assertThat(record.getJsonArray("messages")).hasSize(3);
  }

  @Test
  void aChatHeldByAnOperatorWhoseNodeDiedGoesBackToTheQueue() {
    // carol holds a chat from her console on node A; A dies with her console, which never
    // comes back anywhere. Nobody hears her last console close, yet the guest must not wait
    // for ever: once her presence expires (15 s) the sweep gives her chats the grace, then
    // the chat returns to the queue and rolls over to dave.
    TestNode a = node(vertxA, "node-a").operatorGraceSeconds(1).rolloverAfterSeconds(1).start();
    TestNode b = node(vertxB, "node-b").operatorGraceSeconds(1).rolloverAfterSeconds(1).start();
    FrameClient carol = FrameClient.operator(a, "carol"); // ill only
    carol.available("ill", true);
    b.awaitPresence("ill", true);
    FrameClient guest = FrameClient.guest(b);
    String chatId = guest.start("ill", "Pat").getString("chatId");
    carol.offerFor(chatId);
    carol.accept(chatId);
    guest.next("joined");

    TestNode.await(vertxA.close(), Duration.ofSeconds(15));
    FrameClient dave = FrameClient.operator(b, "dave"); // general only, on the survivor
    dave.available("general", true);

    JsonObject lost = guest.next("message", m -> m.getString("text", "").contains("lost their connection"),
        Duration.ofSeconds(30));
    assertThat(lost.getString("from")).isEqualTo("system");
    JsonObject offer = dave.next("offer", forChat(chatId), Duration.ofSeconds(15));
    assertThat(offer.getString("offeredOn")).isEqualTo("general");
    dave.accept(chatId);
    assertThat(guest.next("joined").getString("operator")).isEqualTo("Dave");
  }

  @Test
  void closingOneOfTwoConsolesOnTwoNodesLeavesTheOperatorAvailable() {
    TestNode a = node(vertxA, "node-a").start();
    TestNode b = node(vertxB, "node-b").start();
    String token = a.login("alice");
    FrameClient onA = FrameClient.operator(a, "alice", token);
    FrameClient onB = FrameClient.operator(b, "alice", token);
    onA.available("ill", true);
    b.awaitPresence("ill", true);

    onA.close(); // her console on A closes; the one on B stays open
    // she stays available on both nodes (the presence API reads the store at most once a
    // second: three seconds cover the close being handled and any cached answer)
    long until = System.currentTimeMillis() + 3_000;
    while (System.currentTimeMillis() < until) {
      assertThat(a.presence("ill")).as("ill available on A while her console on B is open").isTrue();
      assertThat(b.presence("ill")).as("ill available on B while her console on B is open").isTrue();
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
    // and a chat started now rings for her on B
    FrameClient guest = FrameClient.guest(a);
    String chatId = guest.start("ill", "Pat").getString("chatId");
    onB.offerFor(chatId);

    onB.close(); // her last console: away everywhere
    a.awaitPresence("ill", false);
    b.awaitPresence("ill", false);
  }

  @Test
  void whenANodeDiesItsRolloverFiresOnTheOtherAndItsGuestResumesThere() {
    TestNode a = node(vertxA, "node-a").rolloverAfterSeconds(2).guestGraceSeconds(30).start();
    TestNode b = node(vertxB, "node-b").rolloverAfterSeconds(2).guestGraceSeconds(30).start();

    FrameClient carol = FrameClient.operator(a, "carol"); // ill only, on the node that will die
    FrameClient dave = FrameClient.operator(b, "dave"); // general only, on the survivor
    carol.available("ill", true);
    dave.available("general", true);
    b.awaitPresence("ill", true);
    b.awaitPresence("general", true);

    FrameClient guest = FrameClient.guest(a);
    JsonObject started = guest.start("ill", "Pat");
    String chatId = started.getString("chatId");
    carol.offerFor(chatId);
    assertThat(guest.say("first, before the crash").getInteger("seq")).isEqualTo(1);
    assertThat(guest.say("second, before the crash").getInteger("seq")).isEqualTo(2);

    // node A goes away with its sockets and its timers' poller; the deadline is in Redis
    TestNode.await(vertxA.close(), Duration.ofSeconds(15));

    JsonObject offer = dave.next("offer", forChat(chatId), Duration.ofSeconds(10));
    assertThat(offer.getString("offeredOn")).isEqualTo("general");
    JsonObject accepted = dave.accept(chatId);
    assertThat(accepted.getJsonArray("history").stream().map(m -> ((JsonObject) m).getString("text")))
        .containsExactly("first, before the crash", "second, before the crash");
    assertThat(dave.say(chatId, "Dave here, on the other node").getInteger("seq")).isEqualTo(3);

    // the guest's page reconnects through the load balancer and lands on node B
    FrameClient back = FrameClient.guest(b);
    back.send(new JsonObject().put("type", "resume").put("chatId", chatId)
        .put("token", started.getString("token")).put("lastSeq", 2));
    JsonObject missed = back.next("message");
    assertThat(missed.getInteger("seq")).isEqualTo(3);
    assertThat(missed.getString("text")).isEqualTo("Dave here, on the other node");
    JsonObject resumed = back.next("resumed");
    assertThat(resumed.getString("state")).isEqualTo("active");
    assertThat(resumed.getString("operator")).isEqualTo("Dave");
    back.expectNone("message", FrameClient.QUIET);

    assertThat(back.say("glad you are there").getInteger("seq")).isEqualTo(4);
    assertThat(dave.next("message", forChat(chatId), TestNode.TIMEOUT).getString("text"))
        .isEqualTo("glad you are there");

    JsonObject record = b.chat(chatId, b.login("alice"));
    assertThat(record.getString("recordedQueue")).isEqualTo("ill");
    assertThat(record.getString("answeredQueue")).isEqualTo("general");
    assertThat(record.getJsonArray("messages")).hasSize(4);
  }

  @Test
  void anAdminChangeOnOneNodeIsLiveOnTheOthersAndSurvivesARestart() {
    TestNode a = node(vertxA, "node-a").start();
    TestNode b = node(vertxB, "node-b").start();
    String admin = a.login("alice");
    JsonObject maps = new JsonObject().put("name", "maps").put("title", "Map Library")
        .put("backups", new io.vertx.core.json.JsonArray().add("general"));
    assertThat(a.post("/api/v1/admin/queues", maps, admin).status()).isEqualTo(201);
    TestNode.waitUntil(() -> b.get("/api/v1/queues").body().contains("\"maps\""), Duration.ofSeconds(2),
        "node-b to list the new queue");

    FrameClient bob = FrameClient.operator(b, "bob");
    bob.available("general", true);
    b.awaitPresence("general", true);
    String chatId = FrameClient.guest(b).start("maps", "Pat").getString("chatId");
    assertThat(bob.offerFor(chatId).getString("offeredOn")).isEqualTo("general");

    // a node started later from the same file takes the set-up from the store, change included
    b.stop();
    TestNode again = node(vertxB, "node-b2").start();
    assertThat(again.get("/api/v1/queues").body()).contains("\"maps\"");
  }
}
