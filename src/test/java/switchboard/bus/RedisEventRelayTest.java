package switchboard.bus;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.net.ServerSocket;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import switchboard.hardening.RedisCutter;
import switchboard.store.RedisServer;

/**
 * Two nodes (each its own Vert.x, so its own event bus) relaying frames over one Redis:
 * delivery exactly once on each node, order kept, and a subscriber that survives a Redis restart.
 */
class RedisEventRelayTest {
  private static RedisServer server;

  private Vertx vertxA;
  private Vertx vertxB;
  private RedisEventRelay relayA;
  private RedisEventRelay relayB;
  private String prefix;

  @BeforeAll
  static void startRedis() {
    server = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() {
    if (server != null) {
      server.close();
    }
  }

  @BeforeEach
  void startNodes() {
    prefix = "sbtest:" + UUID.randomUUID() + ":";
    vertxA = Vertx.vertx();
    vertxB = Vertx.vertx();
    relayA = await(RedisEventRelay.start(vertxA, server.url(), prefix, "node-a"));
    relayB = await(RedisEventRelay.start(vertxB, server.url(), prefix, "node-b"));
  }

  @AfterEach
  void stopNodes() {
    for (RedisEventRelay r : new RedisEventRelay[] {relayA, relayB}) {
      if (r != null) {
        await(r.close());
      }
    }
    for (Vertx v : new Vertx[] {vertxA, vertxB}) {
      if (v != null) {
        await(v.close());
      }
    }
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("failed: " + e.getCause(), e.getCause());
    } catch (Exception e) {
      throw new AssertionError("did not complete: " + e, e);
    }
  }

  private static List<String> listen(Vertx vertx, String address) {
    List<String> got = new CopyOnWriteArrayList<>();
    await(vertx.eventBus().<String>consumer(address, m -> got.add(m.body())).completion());
    return got;
  }

  private static void waitFor(String what, long timeoutMs, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (!condition.getAsBoolean()) {
      assertThat(System.currentTimeMillis()).as("waiting for " + what).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  @Test
  void aFrameReachesEachNodeExactlyOnce() throws Exception {
    List<String> guestOnA = listen(vertxA, Addresses.toGuest("c1"));
    List<String> guestOnB = listen(vertxB, Addresses.toGuest("c1"));
    List<String> opOnA = listen(vertxA, Addresses.toOperator("alice"));
    List<String> opOnB = listen(vertxB, Addresses.toOperator("alice"));
    List<String> otherOnB = listen(vertxB, Addresses.toGuest("c2"));

    String frame = "{\"type\":\"message\",\"seq\":1,\"text\":\"two\\nlines ✓\"}";
    relayA.toGuest("c1", frame);
    waitFor("the frame on node-b", 5_000, () -> !guestOnB.isEmpty());
    relayB.toOperator("alice", "{\"type\":\"offer\"}");
    waitFor("the offer on node-a", 5_000, () -> !opOnA.isEmpty());
    Thread.sleep(500); // room for any duplicate to show up

    assertThat(guestOnA).containsExactly(frame);
    assertThat(guestOnB).containsExactly(frame);
    assertThat(opOnA).containsExactly("{\"type\":\"offer\"}");
    assertThat(opOnB).containsExactly("{\"type\":\"offer\"}");
    assertThat(otherOnB).isEmpty();
  }

  @Test
  void aNodeAloneKeepsFramesLocalAndRelaysAgainTheMomentAnotherNodeStarts() throws Exception {
    await(relayB.close());
    relayB = null;
    List<String> onA = listen(vertxA, Addresses.toGuest("c1"));
    // node-a learns it is alone within a check or two; its frames then stay local
    waitFor("node-a keeping frames local", 5_000, () -> {
      relayA.toGuest("c1", "alone");
      return relayA.framesKeptLocal() > 0;
    });
    assertThat(onA).isNotEmpty().allMatch("alone"::equals); // delivered on its own node all the same

    // a node that starts now gets node-a's very next frame: its start waited for its HELLO
    relayB = await(RedisEventRelay.start(vertxB, server.url(), prefix, "node-b"));
    List<String> onB = listen(vertxB, Addresses.toGuest("c1"));
    relayA.toGuest("c1", "after B started");
    waitFor("the frame on node-b", 5_000, () -> !onB.isEmpty());
    assertThat(onB).containsExactly("after B started");
  }

  @Test
  void framesFromOneNodeArriveInOrder() throws Exception {
    List<String> onB = listen(vertxB, Addresses.toGuest("c1"));
    for (int i = 0; i < 2_000; i++) {
      relayA.toGuest("c1", "m" + i);
    }
    waitFor("2000 frames on node-b", 10_000, () -> onB.size() >= 2_000);
    for (int i = 0; i < 2_000; i++) {
      assertThat(onB.get(i)).isEqualTo("m" + i);
    }
  }

  @Test
  void nodesWithAnotherPrefixDoNotHearEachOther() throws Exception {
    Vertx vertxC = Vertx.vertx();
    try {
      RedisEventRelay relayC = await(RedisEventRelay.start(vertxC, server.url(), "other:", "node-c"));
      List<String> onC = listen(vertxC, Addresses.toGuest("c1"));
      List<String> onB = listen(vertxB, Addresses.toGuest("c1"));
      relayA.toGuest("c1", "x");
      waitFor("the frame on node-b", 5_000, () -> !onB.isEmpty());
      Thread.sleep(300);
      assertThat(onC).isEmpty();
      assertThat(relayC.channel()).isEqualTo("other:events");
      await(relayC.close());
    } finally {
      await(vertxC.close());
    }
  }

  @Test
  void theSubscriberSurvivesARedisRestart() throws Exception {
    List<String> onB = listen(vertxB, Addresses.toGuest("c1"));
    List<String> onA = listen(vertxA, Addresses.toOperator("alice"));
    relayA.toGuest("c1", "before");
    waitFor("the first frame", 5_000, () -> onB.contains("before"));

    server.stop();
    try {
      waitFor("both relays to notice the loss", 5_000, () -> !relayA.isSubscribed() && !relayB.isSubscribed());
      // while Redis is down, local delivery still works and relaying does not throw
      List<String> bobOnB = listen(vertxB, Addresses.toOperator("bob"));
      relayB.toOperator("bob", "while-down");
      waitFor("local delivery while Redis is down", 2_000, () -> bobOnB.contains("while-down"));
      Thread.sleep(300); // a few reconnect attempts fail
    } finally {
      server.restart();
    }
    waitFor("both relays to subscribe again", 10_000, () -> relayA.isSubscribed() && relayB.isSubscribed());

    relayA.toGuest("c1", "after");
    relayB.toOperator("alice", "after-op");
    waitFor("frames after the restart", 5_000, () -> onB.contains("after") && onA.contains("after-op"));
    Thread.sleep(300);
    assertThat(onB).containsExactly("before", "after");
    assertThat(onA).containsExactly("after-op");
  }

  @Test
  void aKilledSubscriberConnectionIsReplaced() throws Exception {
    List<String> onB = listen(vertxB, Addresses.toGuest("c1"));
    Redis raw = Redis.createClient(vertxA, server.url());
    try {
      // what Redis does to a subscriber over its output buffer limit, or an admin with CLIENT KILL
      await(raw.send(Request.cmd(Command.CLIENT).arg("KILL").arg("TYPE").arg("pubsub")));
      waitFor("both relays to subscribe again", 10_000, () -> relayA.subscriptions() >= 2 && relayB.subscriptions() >= 2);
    } finally {
      await(raw.close());
    }
    relayA.toGuest("c1", "after");
    waitFor("the frame", 5_000, () -> onB.contains("after"));
    assertThat(onB).containsExactly("after");
  }

  /**
   * Found by CI in a Sentinel failover: a node whose PUBLISH fails drops its frames for the
   * others, whose own subscriptions never broke, so nothing told their sockets anything was
   * missed. Once its PUBLISH works again it tells them, and they catch up from the store.
   */
  @Test
  void framesANodeCouldNotPublishMakeTheOtherNodesCatchUp() throws Exception {
    try (RedisCutter cutter = new RedisCutter(server.port())) {
      RedisEventRelay cutOff = await(RedisEventRelay.start(vertxA, cutter.url(), prefix, "node-a2"));
      try {
        List<String> catchUpOnB = listen(vertxB, Addresses.RELAY_RECOVERED);
        List<String> onB = listen(vertxB, Addresses.toGuest("c1"));
        cutter.refuse(true);
        cutOff.toGuest("c1", "lost on the way out");
        waitFor("the publish to fail", 10_000, () -> cutOff.framesDropped() >= 1);
        cutter.refuse(false);
        waitFor("node B to be told to catch up", 15_000, () -> !catchUpOnB.isEmpty());
        assertThat(onB).as("the frame itself is gone; B's sockets read the store").isEmpty();
        assertThat(relayB.subscriptions()).as("B's own subscription never broke").isEqualTo(1);
      } finally {
        await(cutOff.close());
      }
    }
  }

  @Test
  void aSubscriberThatHearsNothingIsDetectedByItsProbeAndReplaced() throws Exception {
    RedisEventRelay quickB = await(RedisEventRelay.start(vertxB, server.url(), prefix, "node-b2", 200));
    try {
      await(relayB.close());
      relayB = null;
      List<String> onB = listen(vertxB, Addresses.toGuest("c1"));
      quickB.goDeafForTest();
      waitFor("the probe to notice and resubscribe", 5_000, () -> quickB.subscriptions() >= 2 && quickB.isSubscribed());
      relayA.toGuest("c1", "heard");
      waitFor("the frame", 5_000, () -> onB.contains("heard"));
      Thread.sleep(200);
      assertThat(onB).containsExactly("heard");
    } finally {
      await(quickB.close());
    }
  }

  @Test
  void startFailsWhenRedisIsUnreachable() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Vertx vertxC = Vertx.vertx();
    try {
      long t = System.currentTimeMillis();
      Future<RedisEventRelay> f = RedisEventRelay.start(vertxC, "redis://127.0.0.1:" + port, prefix, "node-c");
      Throwable err = null;
      try {
        f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        err = e.getCause();
      }
      assertThat(err).as("start against a dead port must fail").isNotNull().hasMessageContaining("events");
      assertThat(System.currentTimeMillis() - t).isLessThan(15_000);
    } finally {
      await(vertxC.close());
    }
  }
}
