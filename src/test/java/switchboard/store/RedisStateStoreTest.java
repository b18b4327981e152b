package switchboard.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import switchboard.domain.Chat;
import switchboard.domain.ChatMessage;
import switchboard.store.StateStore.ReplaceResult;

/**
 * The Redis store against the contract (a private redis-server for the class, a fresh key
 * prefix per test), plus what only Redis has: key layout, expiring presence, a lost script
 * cache, and a Redis restart under a live store.
 */
class RedisStateStoreTest extends StateStoreContractTest {
  private static RedisServer server;

  private String prefix;
  private Redis raw;

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

  @Override
  protected Future<StateStore> newStore(Vertx vertx) {
    prefix = "sbtest:" + UUID.randomUUID() + ":";
    raw = Redis.createClient(vertx, server.url());
    return connect(vertx, RedisStateStore.PRESENCE_TTL).map(s -> (StateStore) s);
  }

  private Future<RedisStateStore> connect(Vertx vertx, Duration presenceTtl) {
    return RedisStateStore.connect(vertx, server.url(), prefix, "node-test", presenceTtl);
  }

  @AfterEach
  void closeStore() {
    if (store instanceof RedisStateStore r) {
      await(r.close());
    }
    if (raw != null) {
      await(raw.close());
    }
  }

  private Response rawSend(Request request) {
    return await(raw.send(request));
  }

  private boolean exists(String key) {
    return rawSend(Request.cmd(Command.EXISTS).arg(prefix + key)).toInteger() == 1;
  }

  @Test
  void keysFollowTheDocumentedLayoutUnderThePrefix() {
    Chat c = newChat("c1", T0);
    await(store.createChat(c));
    assertThat(exists("chat:c1")).isTrue();
    assertThat(rawSend(Request.cmd(Command.ZSCORE).arg(prefix + "unanswered").arg("c1"))).isNotNull();
    await(store.replaceChat(c, accepted(c, "alice", T0), 5));
    assertThat(exists("held:alice")).isTrue();
    assertThat(rawSend(Request.cmd(Command.ZSCORE).arg(prefix + "unanswered").arg("c1"))).isNull();
    await(store.appendMessage("c1", ChatMessage.FROM_GUEST, "Pat", "hi", T0, "g1"));
    assertThat(exists("transcript:c1")).isTrue();
    assertThat(exists("dedup:c1")).isTrue();
    await(store.scheduleTimer("rollover:c1", T0));
    assertThat(exists("timers")).isTrue();
    await(store.setChosenQueues("alice", Set.of("ill")));
    await(store.setConnected("alice", "node-a", true));
    assertThat(exists("chosen:alice")).isTrue();
    assertThat(exists("presence:alice:node-a")).isTrue();
    long ttl = rawSend(Request.cmd(Command.PTTL).arg(prefix + "presence:alice:node-a")).toLong();
    assertThat(ttl).isBetween(1L, RedisStateStore.PRESENCE_TTL.toMillis());
    await(store.putSession("h1", "alice", Instant.now().plusSeconds(60)));
    assertThat(exists("session:h1")).isTrue();
    long sessionTtl = rawSend(Request.cmd(Command.PTTL).arg(prefix + "session:h1")).toLong();
    assertThat(sessionTtl).isBetween(50_000L, 60_001L);

    Response keys = rawSend(Request.cmd(Command.KEYS).arg("*"));
    for (Response k : keys) {
      if (!server.isExternal()) {
        assertThat(k.toString()).startsWith("sbtest:");
      }
    }
  }

  @Test
  void aPresenceKeyThatIsNotRefreshedExpires(Vertx vertx) throws Exception {
    RedisStateStore shortLived = await(connect(vertx, Duration.ofMillis(1_000)));
    try {
      await(shortLived.setChosenQueues("alice", Set.of("ill")));
      await(shortLived.setConnected("alice", "node-a", true));
      // the heartbeat keeps it alive well past one expiry
      long end = System.currentTimeMillis() + 1_000;
      while (System.currentTimeMillis() < end) {
        await(shortLived.setConnected("alice", "node-a", true));
        assertThat(await(shortLived.connectedOperators())).containsEntry("alice", Set.of("ill"));
        Thread.sleep(100);
      }
      // the node dies: no more heartbeats
      long stoppedAt = System.currentTimeMillis();
      long deadline = stoppedAt + 5_000;
      while (await(shortLived.connectedOperators()).containsKey("alice")) {
        assertThat(System.currentTimeMillis()).as("presence still alive 5 s after the last heartbeat")
            .isLessThan(deadline);
        Thread.sleep(20);
      }
      assertThat(exists("presence:alice:node-a")).isFalse();
      // the index was pruned; a new heartbeat brings her back
      assertThat(exists("nodes:alice")).isFalse();
      await(shortLived.setConnected("alice", "node-a", true));
      assertThat(await(shortLived.connectedOperators())).containsEntry("alice", Set.of("ill"));
    } finally {
      await(shortLived.close());
    }
  }

  @Test
  void theGuestsOfANodeThatStopsBeatingAreHandedBackOnce(Vertx vertx) throws Exception {
    RedisStateStore shortLived = await(connect(vertx, Duration.ofMillis(1_000)));
    try {
      await(shortLived.nodeAlive("node-a"));
      await(shortLived.nodeAlive("node-b"));
      await(shortLived.setGuestConnected("c1", "node-a", true));
      await(shortLived.setGuestConnected("c2", "node-a", true));
      await(shortLived.setGuestConnected("c2", "node-b", true)); // c2's guest also has a socket on B
      assertThat(await(shortLived.guestsLeftOnDeadNodes())).isEmpty();
      // node A dies; B keeps beating
      long deadline = System.currentTimeMillis() + 5_000;
      while (await(shortLived.guestConnected("c1"))) {
        assertThat(System.currentTimeMillis()).as("A's guests still connected 5 s after its last beat")
            .isLessThan(deadline);
        await(shortLived.nodeAlive("node-b"));
        Thread.sleep(50);
      }
      await(shortLived.nodeAlive("node-b"));
      assertThat(await(shortLived.guestConnected("c2"))).isTrue();
      assertThat(await(shortLived.guestsLeftOnDeadNodes())).containsExactly("c1");
      assertThat(await(shortLived.guestsLeftOnDeadNodes())).isEmpty();
      assertThat(exists("gchats:node-a")).isFalse();
    } finally {
      await(shortLived.close());
    }
  }

  @Test
  void aMessageToAChatStoredByAnEarlierVersionReadsItsJson() {
    // an earlier version kept only version, json and holder in the chat hash
    Chat c = accepted(newChat("c1", T0), "alice", T0);
    await(store.createChat(c));
    rawSend(Request.cmd(Command.HDEL).arg(prefix + "chat:c1").arg("state").arg("guestName").arg("operatorName")
        .arg("channel"));
    ChatAppend fromGuest = await(store.appendToChat("c1", ChatMessage.FROM_GUEST, null, "hi", T0, "g1"));
    assertThat(fromGuest.outcome()).isEqualTo(ChatAppend.Outcome.APPENDED);
    assertThat(fromGuest.operatorId()).isEqualTo("alice");
    assertThat(fromGuest.message().name()).isEqualTo("Pat");
    ChatAppend fromOperator = await(store.appendToChat("c1", ChatMessage.FROM_OPERATOR, "alice", "hello", T0, "o1"));
    assertThat(fromOperator.message()).isEqualTo(new ChatMessage(2, "operator", "ALICE", "hello", T0));
    assertThat(await(store.appendToChat("c1", ChatMessage.FROM_OPERATOR, "bob", "x", T0, "o2")).outcome())
        .isEqualTo(ChatAppend.Outcome.NOT_HELD);
  }

  @Test
  void scriptsRunAgainAfterRedisForgetsThem() {
    Chat c = newChat("c1", T0);
    await(store.createChat(c));
    rawSend(Request.cmd(Command.SCRIPT).arg("FLUSH"));
    Chat offered = offered(c, "alice");
    assertThat(await(store.replaceChat(c, offered, 5))).isEqualTo(ReplaceResult.REPLACED);
    rawSend(Request.cmd(Command.SCRIPT).arg("FLUSH"));
    assertThat(await(store.appendMessage("c1", "guest", "Pat", "hi", T0, "g1")).seq()).isEqualTo(1);
    rawSend(Request.cmd(Command.SCRIPT).arg("FLUSH"));
    await(store.scheduleTimer("t", T0));
    assertThat(await(store.claimDueTimers(T0, 5))).containsExactly("t");
    // after the EVAL fallback the script is cached again: EVALSHA works directly
    String sha = LuaScripts.sha1(new String(readResource("/redis/claim_timers.lua")));
    assertThat(rawSend(Request.cmd(Command.SCRIPT).arg("EXISTS").arg(sha)).get(0).toInteger()).isEqualTo(1);
  }

  private static byte[] readResource(String path) {
    try (var in = RedisStateStoreTest.class.getResourceAsStream(path)) {
      return in.readAllBytes();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void commandsWorkAgainAfterRedisRestartsWithoutANewStore() throws Exception {
    await(store.createChat(newChat("before", T0)));
    await(store.ping());
    server.stop();
    try {
      long t = System.currentTimeMillis();
      awaitFailure(store.ping());
      awaitFailure(store.createChat(newChat("during", T0)));
      awaitFailure(store.chat("before"));
      assertThat(System.currentTimeMillis() - t).as("calls fail fast while Redis is down").isLessThan(8_000);
    } finally {
      server.restart();
    }
    long deadline = System.currentTimeMillis() + 10_000;
    while (true) {
      try {
        await(store.ping());
        break;
      } catch (AssertionError e) {
        assertThat(System.currentTimeMillis()).as("store did not recover within 10 s").isLessThan(deadline);
        Thread.sleep(100);
      }
    }
    // no persistence: the restarted Redis is empty, and its script cache too
    assertThat(await(store.chat("before"))).isNull();
    Chat c = newChat("after", T0);
    await(store.createChat(c));
    assertThat(await(store.replaceChat(c, offered(c, "alice"), 5))).isEqualTo(ReplaceResult.REPLACED);
    assertThat(await(store.unansweredChats())).extracting(Chat::id).containsExactly("after");
  }

  @Test
  void connectFailsWhenRedisIsUnreachable(Vertx vertx) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    long t = System.currentTimeMillis();
    Throwable err = awaitFailure(RedisStateStore.connect(vertx, "redis://127.0.0.1:" + port, "x:", "n"));
    assertThat(err).hasMessageContaining("Redis");
    assertThat(System.currentTimeMillis() - t).isLessThan(10_000);
  }
}
