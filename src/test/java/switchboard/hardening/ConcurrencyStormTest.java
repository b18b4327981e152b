package switchboard.hardening;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import switchboard.e2e.TestNode;
import switchboard.store.RedisServer;

/**
 * Tries hard to break routing with concurrency across two nodes sharing one private Redis
 * (see {@link Storm} for what the bots do and what is checked): accepts racing each other,
 * transfers racing accepts, guests closing as operators accept, operators leaving their last
 * console as an offer widens (rollover at 1 s). The seed is fixed and printed; replay another
 * with {@code -Dstorm.seed=N}.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ConcurrencyStormTest {
  private RedisServer redis;
  private Vertx vertxA;
  private Vertx vertxB;
  private Vertx clients;

  @BeforeEach
  void start() {
    redis = RedisServer.start();
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

  private static long seed(long fallback) {
    return Long.getLong("storm.seed", fallback);
  }

  /** 50 operators, 1,000 chats: accepts, transfers to a queue and to an operator, guests closing as answered. */
  @Test
  void acceptStormWithTransfersAndClosingGuestsOnTwoNodes() {
    Storm.Settings settings = new Storm.Settings().seed(seed(20261126L)).operators(50).specialists(10).chats(1000)
        .arrivalsPerSecond(50).guestCloseRace(0.15).transfers(0.08, 0.08);
    run(settings);
  }

  /** Operators drop their only console about when an offer they hold widens, and come back (or not) in time. */
  @Test
  void operatorsLeaveTheirLastConsoleAsOffersWiden() {
    Storm.Settings settings = new Storm.Settings().seed(seed(9L)).operators(50).specialists(20).chats(200)
        .arrivalsPerSecond(25).illShare(0.7).slowAccept(0.2).specialistsSlow(0.9).ignoreOffer(0.2).guestCloseRace(0.1)
        .transfers(0.05, 0.05).dropOnWiden(0.25);
    run(settings);
  }

  /** The long version (-Psoak): three storms of 3,000 chats with every kind of race at once. */
  @Test
  @Tag("soak")
  @Timeout(value = 30, unit = TimeUnit.MINUTES)
  void soakEveryRaceAtOnce() {
    long base = seed(77L);
    for (int round = 0; round < 3; round++) {
      if (round > 0) {
        stop();
        start();
      }
      Storm.Settings settings = new Storm.Settings().seed(base + round).operators(50).specialists(15).chats(3000)
          .arrivalsPerSecond(50).illShare(0.4).slowAccept(0.2).specialistsSlow(0.6).guestCloseRace(0.15)
          .transfers(0.08, 0.08).dropOnWiden(0.05).deadline(Duration.ofMinutes(5));
      run(settings);
    }
  }

  private void run(Storm.Settings settings) {
    System.out.println("concurrency storm: " + settings);
    String prefix = "storm-" + UUID.randomUUID() + ":";
    List<TestNode> nodes = List.of(node(vertxA, "node-a", prefix, settings), node(vertxB, "node-b", prefix, settings));
    Storm storm = new Storm(settings, clients, nodes);
    storm.run();
    System.out.println("concurrency storm (seed " + settings.seed + "): " + storm.verify());
  }

  private TestNode node(Vertx vertx, String id, String prefix, Storm.Settings settings) {
    return Storm.configure(TestNode.builder(vertx).redis(redis.url(), prefix).nodeId(id).clientVertx(clients),
        settings).start();
  }
}
