package switchboard.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import switchboard.e2e.TestNode;
import switchboard.store.RedisServer;
import switchboard.store.RedisStateStore;

/**
 * The store-level cause behind {@link RedisPauseTest}'s overdue rollover: claiming due timers
 * removes them from Redis, and a frozen Redis runs a claim call after the node gave up waiting
 * for its answer. The timers it took must still be handed out, once.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TimerClaimAfterPauseTest {
  private RedisServer redis;
  private Vertx vertx;
  private RedisStateStore store;
  private boolean paused;

  @BeforeEach
  void start() {
    redis = RedisServer.start();
    vertx = Vertx.vertx();
    String prefix = "claim-" + UUID.randomUUID() + ":";
    // the first connection of a cold JVM on a busy machine can miss the store's 2 s command timeout
    for (int attempt = 1; store == null; attempt++) {
      try {
        store = TestNode.await(RedisStateStore.connect(vertx, redis.url(), prefix, "n1"), Duration.ofSeconds(10));
      } catch (AssertionError e) {
        if (attempt == 3) {
          throw e;
        }
      }
    }
  }

  @AfterEach
  void stop() {
    if (paused) {
      redis.resume();
    }
    Future<Void> closed = store == null ? Future.succeededFuture() : store.close();
    TestNode.await(closed.transform(x -> vertx.close()), Duration.ofSeconds(15));
    redis.close();
  }

  @Test
  void aTimerClaimedByACallWhoseAnswerWasLostIsStillHandedOutOnce() {
    Instant now = Instant.now();
    TestNode.await(store.scheduleTimer("rollover:due-during-the-pause", now.minusSeconds(1)));
    TestNode.await(store.scheduleTimer("rollover:later", now.plusSeconds(3600)));

    redis.pause();
    paused = true;
    Future<List<String>> lost = store.claimDueTimers(now, 10);
    TestNode.waitUntil(lost::isComplete, Duration.ofSeconds(10), "the claim to give up on the frozen Redis");
    assertThat(lost.failed()).as("claim while Redis is frozen").isTrue();
    redis.resume(); // runs the claim that was given up on: it takes the due timer
    paused = false;

    List<String> handedOut = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline && handedOut.isEmpty()) {
      Future<List<String>> next = store.claimDueTimers(Instant.now(), 10);
      TestNode.waitUntil(next::isComplete, Duration.ofSeconds(10), "a claim after Redis woke");
      if (next.succeeded()) {
        handedOut.addAll(next.result());
      }
    }
    for (int i = 0; i < 5; i++) {
      handedOut.addAll(TestNode.await(store.claimDueTimers(Instant.now(), 10)));
    }
    assertThat(handedOut).containsExactly("rollover:due-during-the-pause");
  }
}
