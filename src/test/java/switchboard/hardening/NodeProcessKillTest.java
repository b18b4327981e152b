package switchboard.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
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
 * A node killed as a process (SIGKILL: no clean stop, no last words to Redis) in the middle of a
 * rollover. The node runs in a child JVM started like production ({@code switchboard.Main -conf},
 * Redis from {@code SWITCHBOARD_REDIS_URL}); the survivor runs in the test. The survivor fires the
 * dead node's due rollover, the dead node's operator stops counting as available once the 15 s
 * presence expiry passes, a chat that was ringing only for that operator is offered elsewhere,
 * and the guests resume on the survivor with nothing lost. Each recovery time is printed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NodeProcessKillTest {
  private static final int ILL_ROLLOVER_SECONDS = 4;

  private RedisServer redis;
  private Vertx vertxB;
  private Vertx clients;
  private NodeProcess child;

  @BeforeEach
  void start() {
    redis = RedisServer.start();
    vertxB = Vertx.vertx();
    clients = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    if (child != null) {
      child.close();
    }
    for (Vertx v : new Vertx[] {clients, vertxB}) {
      TestNode.await(v.close(), Duration.ofSeconds(15));
    }
    redis.close();
  }

  @Test
  void theSurvivorFiresTheDeadNodesRolloverAndReroutesItsOperatorsOffers() throws Exception {
    String prefix = "kill-" + UUID.randomUUID() + ":";
    TestNode.Builder setUp = TestNode.builder(vertxB).redis(redis.url(), prefix).nodeId("node-b").clientVertx(clients)
        .rolloverAfterSeconds(ILL_ROLLOVER_SECONDS).guestGraceSeconds(60).operatorGraceSeconds(60)
        .editConfig(c -> {
          // "maps" rings for carol alone and does not roll over during the test: only losing her presence moves it
          c.getJsonArray("queues").add(new JsonObject().put("name", "maps").put("title", "Maps")
              .put("backups", new JsonArray().add("general")).put("rolloverAfterSeconds", 600));
          c.getJsonArray("operators").stream().map(o -> (JsonObject) o).filter(o -> "carol".equals(o.getString("id")))
              .forEach(o -> o.put("queues", o.getJsonArray("queues").copy().add("maps")));
        });
    child = NodeProcess.start(setUp.configJson(), redis.url(), "node-child", "node-process-kill-child");
    int childPort = child.port();
    TestNode b = setUp.start();

    WebSocketClient ws = HostileSocket.client(clients);
    String carolToken = b.login("carol");
    HostileSocket carol = HostileSocket.connect(ws, childPort, "/ws/operator", Map.of());
    carol.send(new JsonObject().put("type", "auth").put("token", carolToken));
    carol.next("ready", TestNode.TIMEOUT);
    // one at a time: two availability frames in flight at once can lose one (reported, presence/)
    carol.send(new JsonObject().put("type", "availability").put("queue", "ill").put("available", true));
    carol.next("availability", TestNode.TIMEOUT);
    carol.send(new JsonObject().put("type", "availability").put("queue", "maps").put("available", true));
    carol.next("availability", TestNode.TIMEOUT);
    FrameClient dave = FrameClient.operator(b, "dave");
    dave.available("general", true);
    b.awaitPresence("ill", true);
    b.awaitPresence("maps", true);

    HostileSocket guest1 = HostileSocket.connect(ws, childPort, "/ws/guest", Map.of());
    guest1.send(new JsonObject().put("type", "start").put("queue", "ill").put("name", "Pat"));
    JsonObject started1 = guest1.next("started", TestNode.TIMEOUT);
    String chat1 = started1.getString("chatId");
    long offeredAt = System.nanoTime();
    carol.next(f -> "offer".equals(f.getString("type")) && chat1.equals(f.getString("chatId")), TestNode.TIMEOUT);
    guest1.send(new JsonObject().put("type", "message").put("text", "before the crash").put("clientId", "k1"));
    assertThat(guest1.next("ack", TestNode.TIMEOUT).getInteger("seq")).isEqualTo(1);
    HostileSocket guest2 = HostileSocket.connect(ws, childPort, "/ws/guest", Map.of());
    guest2.send(new JsonObject().put("type", "start").put("queue", "maps").put("name", "Quinn"));
    JsonObject started2 = guest2.next("started", TestNode.TIMEOUT);
    String chat2 = started2.getString("chatId");
    carol.next(f -> "offer".equals(f.getString("type")) && chat2.equals(f.getString("chatId")), TestNode.TIMEOUT);

    // mid-rollover: chat 1 is due to widen to general in a few seconds, and its timer was set by the child
    child.kill();
    long killedAt = System.nanoTime();

    JsonObject widened = dave.next("offer", f -> chat1.equals(f.getString("chatId")), Duration.ofSeconds(15));
    long rolloverLateMs = (System.nanoTime() - offeredAt) / 1_000_000 - ILL_ROLLOVER_SECONDS * 1000L;
    assertThat(widened.getString("offeredOn")).isEqualTo("general");

    TestNode.waitUntil(() -> !b.presence("maps"), Duration.ofSeconds(25), "carol's presence to expire");
    long presenceGoneMs = (System.nanoTime() - killedAt) / 1_000_000;
    JsonObject rerouted = dave.next("offer", f -> chat2.equals(f.getString("chatId")), Duration.ofSeconds(10));
    long reroutedMs = (System.nanoTime() - killedAt) / 1_000_000;
    assertThat(rerouted.getString("offeredOn")).isEqualTo("general");
    assertThat(presenceGoneMs).as("presence expiry after the kill").isLessThan(20_000);

    // both chats are answered on the survivor, and their guests come back there with nothing lost
    assertThat(dave.accept(chat1).getJsonArray("history").getJsonObject(0).getString("text")).isEqualTo("before the crash");
    dave.accept(chat2);
    FrameClient back = FrameClient.guest(b);
    back.send(new JsonObject().put("type", "resume").put("chatId", chat1).put("token", started1.getString("token"))
        .put("lastSeq", 1));
    JsonObject resumed = back.next("resumed");
    assertThat(resumed.getString("operator")).isEqualTo("Dave");
    assertThat(back.say("after the crash").getInteger("seq")).isGreaterThan(1);
    assertThat(dave.next("message", f -> chat1.equals(f.getString("chatId")), TestNode.TIMEOUT).getString("text"))
        .isEqualTo("after the crash");
    JsonObject record = b.chat(chat1, b.login("alice"));
    assertThat(record.getString("recordedQueue")).isEqualTo("ill");
    assertThat(record.getString("answeredQueue")).isEqualTo("general");

    System.out.printf("node killed mid-rollover: rollover fired %d ms after it was due; the dead node's operator "
        + "unavailable %d ms after the kill; her ringing chat re-offered %d ms after the kill%n",
        rolloverLateMs, presenceGoneMs, reroutedMs);
  }
}
