package switchboard.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import switchboard.e2e.TestNode;
import switchboard.store.RedisServer;

/**
 * Two nodes on one Redis (persistent, as production runs it), each on its own Vert.x instance,
 * with a {@link Conversation} whose sockets are dropped and re-opened on either node at random,
 * sometimes right after a message was sent, and a Redis that is killed and restarted mid-chat.
 * After each: no acknowledged message lost, none stored or shown twice, the chat goes on.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FaultsTest {
  private RedisServer redis;
  private Vertx vertxA;
  private Vertx vertxB;
  private Vertx clients;
  private List<TestNode> nodes;

  @BeforeEach
  void start() {
    redis = RedisServer.startPersistent();
    vertxA = Vertx.vertx();
    vertxB = Vertx.vertx();
    clients = Vertx.vertx();
    String prefix = "faults-" + UUID.randomUUID() + ":";
    nodes = List.of(node(vertxA, "node-a", prefix), node(vertxB, "node-b", prefix));
  }

  private TestNode node(Vertx vertx, String id, String prefix) {
    return TestNode.builder(vertx).redis(redis.url(), prefix).nodeId(id).clientVertx(clients)
        .guestGraceSeconds(60).operatorGraceSeconds(60).start();
  }

  @AfterEach
  void stop() {
    for (Vertx v : new Vertx[] {clients, vertxA, vertxB}) {
      TestNode.await(v.close(), Duration.ofSeconds(15));
    }
    redis.close();
  }

  @Test
  void socketsDroppedAtRandomLoseNothingAndRepeatNothing() {
    long seed = System.nanoTime();
    Conversation chat = new Conversation(nodes, seed);
    for (int i = 0; i < 80; i++) {
      chat.step();
    }
    chat.verify();
    System.out.printf("socket churn (seed %d): %d messages, %d socket drops, slowest reconnect and resend %d ms%n",
        seed, chat.sent(), chat.drops(), chat.slowestReconnectMs());
    chat.close();
  }

  @Test
  void aRedisRestartMidChatLosesNoAcknowledgedMessage() {
    long seed = System.nanoTime();
    Conversation chat = new Conversation(nodes, seed);
    for (int i = 0; i < 20; i++) {
      chat.step();
    }
    long recovery = restartRedisWhileChatting(chat, 20);
    chat.verify();
    System.out.printf("Redis restart (seed %d): %d messages, %d socket drops; first message through %d ms after Redis was back%n",
        seed, chat.sent(), chat.drops(), recovery);
    chat.close();
  }

  /** The long version: -Psoak. */
  @Test
  @Tag("soak")
  @Timeout(value = 20, unit = TimeUnit.MINUTES)
  void soakSocketChurnWithARedisRestartEveryFewHundredSteps() {
    long seed = System.nanoTime();
    Conversation chat = new Conversation(nodes, seed);
    long worst = 0;
    for (int round = 0; round < 5; round++) {
      for (int i = 0; i < 300; i++) {
        chat.step();
      }
      worst = Math.max(worst, restartRedisWhileChatting(chat, 30));
    }
    chat.verify();
    System.out.printf("soak (seed %d): %d messages, %d socket drops, 5 Redis restarts, worst recovery %d ms%n",
        seed, chat.sent(), chat.drops(), worst);
    chat.close();
  }

  /**
   * Kills Redis, restarts it two seconds later from another thread while the conversation keeps
   * going (its messages are refused `unavailable` and resent), and returns how long after Redis
   * was back both nodes were ready and a message went through.
   */
  private long restartRedisWhileChatting(Conversation chat, int steps) {
    redis.stop();
    CompletableFuture<Long> restarted = CompletableFuture.supplyAsync(() -> {
      sleep(2_000);
      redis.restart();
      return System.nanoTime();
    });
    // both pages reconnect while the store is away: turned away, but the console is not signed out
    chat.dropOperator();
    chat.dropGuest();
    for (int i = 0; i < steps; i++) {
      chat.step();
    }
    long back = restarted.join();
    for (TestNode node : nodes) {
      TestNode.waitUntil(() -> node.get("/health/ready").status() == 200, Duration.ofSeconds(30),
          node.nodeId() + " ready again");
    }
    chat.guestSays(false);
    chat.operatorSays(false);
    long recoveredMs = (chat.firstAckAfter(back) - back) / 1_000_000;
    assertThat(recoveredMs).as("first message through after Redis was back").isBetween(0L, 30_000L);
    return recoveredMs;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
