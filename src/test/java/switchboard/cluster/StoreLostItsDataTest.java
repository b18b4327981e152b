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

/**
 * Issue 14, defect 6: Redis restarts empty (no persistence) under two live nodes. The nodes
 * notice (the marker key is gone) and put back the newest set-up (an admin's deletion stays
 * deleted, also for a node started afterwards from the old config file), the operators' consoles
 * stay signed in and available, and the guest of a chat that no longer exists is told.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StoreLostItsDataTest {
  private RedisServer redis;
  private Vertx vertxA;
  private Vertx vertxB;
  private Vertx vertxC;
  private Vertx clients;

  @BeforeEach
  void start() {
    redis = RedisServer.start();
    vertxA = Vertx.vertx();
    vertxB = Vertx.vertx();
    vertxC = Vertx.vertx();
    clients = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    for (Vertx v : new Vertx[] {clients, vertxA, vertxB, vertxC}) {
      TestNode.await(v.close(), Duration.ofSeconds(15));
    }
    redis.close();
  }

  @Test
  void theNodesPutBackTheNewestSetUpTheirOperatorsAndTellTheGuestsOfLostChats() {
    String prefix = "lost-" + UUID.randomUUID() + ":";
    TestNode a = TestNode.builder(vertxA).redis(redis.url(), prefix).nodeId("node-a").clientVertx(clients)
        .guestGraceSeconds(60).operatorGraceSeconds(60).start();
    TestNode b = TestNode.builder(vertxB).redis(redis.url(), prefix).nodeId("node-b").clientVertx(clients)
        .guestGraceSeconds(60).operatorGraceSeconds(60).start();

    // an admin deletes bob after the nodes started from a config file that has him
    String adminToken = a.login("alice");
    assertThat(a.delete("/api/v1/admin/operators/bob", adminToken).status()).isIn(200, 204);
    TestNode.waitUntil(() -> b.loginRequest("bob", TestNode.PASSWORD).status() == 401, Duration.ofSeconds(15),
        "bob's deletion to reach node B");

    String carolsToken = b.login("carol");
    FrameClient carol = FrameClient.operator(b, "carol", carolsToken); // ill only
    carol.available("ill", true);
    a.awaitPresence("ill", true);
    FrameClient guest = FrameClient.guest(a);
    String lostChat = guest.start("ill", "Pat").getString("chatId");
    carol.offerFor(lostChat);

    redis.restart(); // empty: everything above is gone from the store

    // the guest of the lost chat is told it ended
    assertThat(guest.next("closed", Duration.ofSeconds(20)).getString("by")).isEqualTo("server");
    // the admin API works again, with the newest set-up: bob stays deleted, on every node (alice had
    // no console open, so her API session went with the store's data: she signs in again)
    TestNode.waitUntil(() -> a.loginRequest("alice", TestNode.PASSWORD).status() == 200, Duration.ofSeconds(20),
        "alice to be able to sign in again");
    String newAdminToken = a.login("alice");
    assertThat(a.get("/api/v1/admin/operators", newAdminToken).status()).isEqualTo(200);
    assertThat(a.get("/api/v1/admin/operators/bob", newAdminToken).status()).isEqualTo(404);
    assertThat(a.loginRequest("bob", TestNode.PASSWORD).status()).isEqualTo(401);
    assertThat(b.loginRequest("bob", TestNode.PASSWORD).status()).isEqualTo(401);
    // a node started afterwards from the old config file does not bring bob back
    TestNode c = TestNode.builder(vertxC).redis(redis.url(), prefix).nodeId("node-c").clientVertx(clients).start();
    assertThat(c.loginRequest("bob", TestNode.PASSWORD).status()).isEqualTo(401);
    assertThat(a.loginRequest("bob", TestNode.PASSWORD).status()).isEqualTo(401);

    // carol stayed signed in and available: a new chat rings her without her doing anything
    carol.assertOpen();
    assertThat(b.get("/api/v1/admin/operators", carolsToken).status()).as("carol's token").isNotEqualTo(401);
    a.awaitPresence("ill", true);
    FrameClient next = FrameClient.guest(a);
    String newChat = next.start("ill", "Robin").getString("chatId");
    JsonObject offer = carol.next("offer", forChat(newChat), Duration.ofSeconds(10));
    assertThat(offer.getString("queue")).isEqualTo("ill");
  }
}
