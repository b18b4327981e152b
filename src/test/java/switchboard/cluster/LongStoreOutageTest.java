package switchboard.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static switchboard.e2e.FrameClient.forChat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
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
import switchboard.store.RedisStateStore;

/**
 * Issue 14, defect 5: Redis is away longer than the presence expiry (15 s). When it is back,
 * presence in it is empty until the nodes beat again; sweeps and timers must wait for that, or
 * they tell a guest their operator "lost their connection" and restart an overdue rollover from
 * the top of the chain instead of widening it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LongStoreOutageTest {
  private RedisServer redis;
  private Vertx vertx;
  private Vertx clients;

  @BeforeEach
  void start() {
    redis = RedisServer.startPersistent(); // comes back with its data, but the presence keys expired
    vertx = Vertx.vertx();
    clients = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    for (Vertx v : new Vertx[] {clients, vertx}) {
      TestNode.await(v.close(), Duration.ofSeconds(15));
    }
    redis.close();
  }

  @Test
  void afterTheOutageNobodyIsFalselyGoneAndTheOverdueRolloverWidens() {
    TestNode node = TestNode.builder(vertx).redis(redis.url(), "outage-" + UUID.randomUUID() + ":")
        .nodeId("node-a").clientVertx(clients).rolloverAfterSeconds(4).operatorGraceSeconds(3).start();
    FrameClient alice = FrameClient.operator(node, "alice"); // holds a chat on general
    FrameClient carol = FrameClient.operator(node, "carol"); // ill only
    FrameClient dave = FrameClient.operator(node, "dave");   // general only: ill's backup
    alice.available("general", true);
    node.awaitPresence("general", true);
    FrameClient held = FrameClient.guest(node);
    String heldChat = held.start("general", "Pat").getString("chatId");
    alice.offerFor(heldChat);
    alice.accept(heldChat);
    held.next("joined");
    dave.available("general", true);
    carol.available("ill", true);
    node.awaitPresence("ill", true);

    FrameClient ringing = FrameClient.guest(node);
    String ringingChat = ringing.start("ill", "Robin").getString("chatId");
    carol.offerFor(ringingChat);

    // Redis is away past the presence expiry (15 s) and the rollover deadline (4 s); stopped, not
    // paused: a paused Redis would run the heartbeats queued on its sockets the moment it wakes
    redis.stop();
    TestNode.waitUntil(() -> node.get("/health/ready").status() == 503, Duration.ofSeconds(20),
        "the node to notice the store is away");
    sleep(RedisStateStore.PRESENCE_TTL.plusSeconds(2));
    redis.restart();

    // the rollover was due during the outage: it widens to general, carol keeps ringing
    JsonObject davesOffer = dave.next("offer", forChat(ringingChat), Duration.ofSeconds(15));
    assertThat(davesOffer.getString("offeredOn")).isEqualTo("general");
    assertThat(carol.pending("offer_withdrawn", forChat(ringingChat))).as("carol's offer withdrawn").isEmpty();
    // alice never left: her guest is not told otherwise, and the chat stays hers
    held.expectNone("message", m -> m.getString("text", "").contains("lost their connection"),
        Duration.ofSeconds(5));
    assertThat(node.chat(heldChat, node.login("alice")).getString("operator")).isEqualTo("alice");
    assertThat(held.say("still with you?").getInteger("seq")).isPositive();
    assertThat(alice.next("message", forChat(heldChat), TestNode.TIMEOUT).getString("text"))
        .isEqualTo("still with you?");
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
