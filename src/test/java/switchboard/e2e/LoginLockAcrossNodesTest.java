package switchboard.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import switchboard.store.RedisServer;

/**
 * The sign-in lock is kept in Redis, so two nodes behind a balancer count one username's
 * failures together: five wrong passwords spread over both lock the username on both (the
 * right password then gets 429 until the lock ends), guesses sent at once to both nodes get
 * no more than five checks, and a Redis outage refuses sign-ins instead of letting them through.
 */
class LoginLockAcrossNodesTest {
  private static RedisServer redis;
  private Vertx vertxA;
  private Vertx vertxB;
  private Vertx clients;
  private Redis raw;
  private String prefix;
  private TestNode a;
  private TestNode b;

  @BeforeAll
  static void startRedis() {
    redis = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @BeforeEach
  void startNodes() {
    vertxA = Vertx.vertx();
    vertxB = Vertx.vertx();
    clients = Vertx.vertx();
    prefix = "login-" + UUID.randomUUID() + ":";
    a = TestNode.builder(vertxA).redis(redis.url(), prefix).nodeId("node-a").clientVertx(clients).start();
    b = TestNode.builder(vertxB).redis(redis.url(), prefix).nodeId("node-b").clientVertx(clients).start();
    raw = Redis.createClient(clients, redis.url());
  }

  @AfterEach
  void closeAll() {
    TestNode.await(raw.close());
    for (Vertx v : new Vertx[] {vertxA, vertxB, clients}) {
      TestNode.await(v.close(), Duration.ofSeconds(15));
    }
  }

  private Response rawSend(Request request) {
    return TestNode.await(raw.send(request));
  }

  @Test
  void fiveFailuresSpreadOverTwoNodesLockTheUsernameOnBothUntilTheLockEnds() {
    TestNode[] nodes = {a, b, a, b, a};
    for (int i = 0; i < nodes.length; i++) {
      TestNode.Http r = nodes[i].loginRequest("carol", "guess-" + (i + 1));
      assertThat(r.status()).as("guess %d on %s: %s", i + 1, nodes[i].nodeId(), r).isEqualTo(401);
      assertThat(r.json().getString("error")).isEqualTo("unauthorized");
    }
    for (TestNode node : List.of(b, a)) {
      TestNode.Http locked = node.loginRequest("carol", TestNode.PASSWORD);
      assertThat(locked.status()).as("the right password on %s after five wrong ones: %s", node.nodeId(), locked)
          .isEqualTo(429);
      assertThat(locked.json().getString("error")).isEqualTo("rate_limited");
      assertThat(locked.body()).doesNotContain("token");
    }
    // other operators sign in on either node
    assertThat(b.loginRequest("dave", TestNode.PASSWORD).status()).isEqualTo(200);
    assertThat(a.loginRequest("bob", TestNode.PASSWORD).status()).isEqualTo(200);

    // the lock is one Redis key under the nodes' prefix, kept for 15 minutes from the fifth failure
    String key = prefix + "login:carol";
    long ttl = rawSend(Request.cmd(Command.PTTL).arg(key)).toLong();
    assertThat(ttl).as("milliseconds left on the lock").isGreaterThan(Duration.ofMinutes(14).toMillis())
        .isLessThanOrEqualTo(Duration.ofMinutes(15).toMillis());
    // attempts during the lock do not make it longer
    assertThat(a.loginRequest("carol", "guess-6").status()).isEqualTo(429);
    assertThat(rawSend(Request.cmd(Command.PTTL).arg(key)).toLong()).isLessThanOrEqualTo(ttl);

    // the fifteen minutes pass (the key expires, as Redis expires it then): carol signs in on both nodes
    rawSend(Request.cmd(Command.PEXPIRE).arg(key).arg(1));
    TestNode.waitUntil(() -> rawSend(Request.cmd(Command.EXISTS).arg(key)).toInteger() == 0, TestNode.TIMEOUT,
        "the lock key to expire");
    assertThat(b.loginRequest("carol", TestNode.PASSWORD).status()).isEqualTo(200);
    assertThat(a.loginRequest("carol", TestNode.PASSWORD).status()).isEqualTo(200);
    // a successful sign-in forgets the failures: four more wrong ones do not lock her
    for (int i = 1; i <= 4; i++) {
      assertThat((i % 2 == 0 ? a : b).loginRequest("carol", "again-" + i).status()).isEqualTo(401);
    }
    assertThat(a.loginRequest("carol", TestNode.PASSWORD).status()).isEqualTo(200);
  }

  @Test
  void guessesSentAtOnceToBothNodesGetNoMoreThanFiveChecks() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<CompletableFuture<TestNode.Http>> answers = new ArrayList<>();
      for (int i = 0; i < 24; i++) {
        TestNode node = i % 2 == 0 ? a : b;
        String guess = "parallel-" + i;
        answers.add(CompletableFuture.supplyAsync(() -> node.loginRequest("dave", guess), pool));
      }
      List<Integer> statuses = new ArrayList<>();
      for (CompletableFuture<TestNode.Http> answer : answers) {
        statuses.add(answer.get().status());
      }
      assertThat(statuses).as("answers to 24 guesses at once").containsOnly(401, 429);
      assertThat(statuses).filteredOn(s -> s == 401).as("guesses whose password was checked").hasSize(5);
    } finally {
      pool.shutdownNow();
    }
    assertThat(a.loginRequest("dave", TestNode.PASSWORD).status()).isEqualTo(429);
    assertThat(b.loginRequest("dave", TestNode.PASSWORD).status()).isEqualTo(429);
  }

  @Test
  void whileRedisIsDownSignInsAreRefusedAsUnavailableNotLetThrough() {
    redis.stop();
    try {
      for (TestNode node : List.of(a, b)) {
        TestNode.Http right = node.loginRequest("alice", TestNode.PASSWORD);
        assertThat(right.status()).as("the right password on %s: %s", node.nodeId(), right).isEqualTo(503);
        assertThat(right.json().getString("error")).isEqualTo("unavailable");
        assertThat(right.body()).doesNotContain("token");
        TestNode.Http wrong = node.loginRequest("alice", "guess");
        assertThat(wrong.status()).as("a guess on %s: %s", node.nodeId(), wrong).isEqualTo(503);
        assertThat(wrong.json().getString("error")).isEqualTo("unavailable");
      }
    } finally {
      redis.restart();
    }
    TestNode.waitUntil(() -> a.loginRequest("alice", TestNode.PASSWORD).status() == 200, Duration.ofSeconds(20),
        "alice signing in on node-a once Redis is back");
    assertThat(b.loginRequest("alice", TestNode.PASSWORD).status()).isEqualTo(200);
  }
}
