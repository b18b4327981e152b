package switchboard.cluster;

import static org.assertj.core.api.Assertions.assertThat;

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
import switchboard.hardening.RedisCutter;
import switchboard.store.RedisServer;

/**
 * Found by the chaos soak (issue 14): frames another node relays while this node's subscriber
 * is away from Redis never reach this node's sockets. A guest whose socket stayed open through
 * the gap waited for ever although an operator had joined. Once the relay is subscribed again,
 * open sockets catch up from the store. Node A reaches Redis through a proxy that refuses it for
 * a while; node B reaches Redis directly.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RelayGapTest {
  /** The relay's reconnect backoff reaches 5 s; then its HELLO and a settle. */
  private static final Duration CAUGHT_UP = Duration.ofSeconds(15);

  private RedisServer redis;
  private RedisCutter cutter;
  private Vertx vertxA;
  private Vertx vertxB;
  private Vertx clients;
  private TestNode a;
  private TestNode b;

  @BeforeEach
  void start() throws Exception {
    redis = RedisServer.start();
    cutter = new RedisCutter(redis.port());
    vertxA = Vertx.vertx();
    vertxB = Vertx.vertx();
    clients = Vertx.vertx();
    String prefix = "gap-" + UUID.randomUUID() + ":";
    a = TestNode.builder(vertxA).redis(cutter.url(), prefix).nodeId("node-a").clientVertx(clients).start();
    b = TestNode.builder(vertxB).redis(redis.url(), prefix).nodeId("node-b").clientVertx(clients).start();
  }

  @AfterEach
  void stop() {
    for (Vertx v : new Vertx[] {clients, vertxA, vertxB}) {
      TestNode.await(v.close(), Duration.ofSeconds(15));
    }
    cutter.close();
    redis.close();
  }

  @Test
  void aGuestWhoseNodeMissedTheJoinAndTheFirstAnswerGetsThemOnceItsNodeIsBack() {
    FrameClient alice = FrameClient.operator(b, "alice");
    alice.available("ill", true);
    a.awaitPresence("ill", true);
    FrameClient guest = FrameClient.guest(a);
    String chatId = guest.start("ill", "Pat").getString("chatId");
    alice.offerFor(chatId);

    // node A loses Redis; meanwhile alice, on node B, accepts and answers
    cutter.refuse(true);
    alice.accept(chatId);
    alice.say(chatId, "Hello Pat, how can I help?");
    guest.expectNone("joined", f -> true, Duration.ofSeconds(1)); // the relay gap is real

    cutter.refuse(false);
    assertThat(guest.next("joined", CAUGHT_UP).getString("operator")).isEqualTo(TestNode.displayName("alice"));
    JsonObject answer = guest.next("message", CAUGHT_UP);
    assertThat(answer.getString("text")).isEqualTo("Hello Pat, how can I help?");
    assertThat(answer.getLong("seq")).isEqualTo(1L);

    // and the chat goes on both ways, the answer shown once
    assertThat(guest.say("thanks, it works again").getLong("seq")).isEqualTo(2L);
    assertThat(alice.next("message", f -> f.getInteger("seq") == 2, CAUGHT_UP).getString("text"))
        .isEqualTo("thanks, it works again");
    guest.expectNone("message", f -> f.getInteger("seq") == 1, Duration.ofSeconds(1));
  }
}
