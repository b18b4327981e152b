package switchboard.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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
 * Issue 14, defect 3: a node claims a chat's rollover and dies (or loses Redis) before it writes
 * the widening. The claim is a lease, so another node fires the rollover once the lease runs
 * out, and the backup queue is rung; before, the claim removed the timer and the specialists
 * rang for ever.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TimerLeaseTest {
  private RedisServer redis;
  private Vertx vertxA;
  private Vertx doomed;
  private Vertx clients;

  @BeforeEach
  void start() {
    redis = RedisServer.start();
    vertxA = Vertx.vertx();
    doomed = Vertx.vertx();
    clients = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    for (Vertx v : new Vertx[] {clients, doomed, vertxA}) {
      TestNode.await(v.close(), Duration.ofSeconds(15));
    }
    redis.close();
  }

  @Test
  void aRolloverClaimedByANodeThatDiedBeforeWideningStillWidens() {
    String prefix = "lease-" + UUID.randomUUID() + ":";
    TestNode a = TestNode.builder(vertxA).redis(redis.url(), prefix).nodeId("node-a").clientVertx(clients)
        .rolloverAfterSeconds(3).start();
    // the doomed node: it shares the store, claims the timer, and is killed before it acts
    RedisStateStore doomedStore = TestNode.await(
        RedisStateStore.connect(doomed, redis.url(), prefix, "node-doomed"), Duration.ofSeconds(10));

    FrameClient carol = FrameClient.operator(a, "carol"); // ill only
    FrameClient dave = FrameClient.operator(a, "dave");   // general only: the backup
    carol.available("ill", true);
    dave.available("general", true);
    a.awaitPresence("ill", true);
    a.awaitPresence("general", true);

    FrameClient guest = FrameClient.guest(a);
    String chatId = guest.start("ill", "Robin").getString("chatId");
    carol.offerFor(chatId);

    // its clock a little ahead, the doomed node claims the rollover before node A can, then dies
    // (the offer can reach carol a moment before the rollover timer is stored: claim until it is there,
    // well before its due time, 3 s after the offer)
    List<String> claimed = List.of();
    for (long until = System.nanoTime() + 1_500_000_000L; !claimed.contains("rollover:" + chatId)
        && System.nanoTime() < until; ) {
      claimed = TestNode.await(doomedStore.claimDueTimers(Instant.now().plusSeconds(4), 10));
    }
    assertThat(claimed).as("the doomed node's claim").contains("rollover:" + chatId);
    TestNode.await(doomed.close(), Duration.ofSeconds(15));

    // due again when the lease runs out (5 s): node A fires it then
    JsonObject davesOffer = dave.next("offer", f -> chatId.equals(f.getString("chatId")), Duration.ofSeconds(20));
    assertThat(davesOffer.getString("offeredOn")).isEqualTo("general");
    // widened once: carol keeps her offer, and the chat is offered on exactly ill and general
    assertThat(carol.pending("offer_withdrawn", f -> chatId.equals(f.getString("chatId")))).isEmpty();
    JsonObject record = a.chat(chatId, a.login("alice"));
    assertThat(record.getString("state")).isEqualTo("offered");
  }
}
