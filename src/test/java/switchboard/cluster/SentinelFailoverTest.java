package switchboard.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import switchboard.e2e.FrameClient;
import switchboard.e2e.TestNode;
import switchboard.store.RedisSentinelGroup;

/**
 * Redis high availability: two nodes reach Redis through three sentinels ({@code redis.sentinels});
 * the primary's host dies during chats (SIGKILL), the sentinels promote the replica, and the nodes
 * follow without a restart: the chat in progress carries on with every replicated message kept,
 * the chat that was waiting is answered, and a new chat starts.
 */
class SentinelFailoverTest {
  private RedisSentinelGroup redis;
  private Vertx vertxA;
  private Vertx vertxB;
  private Vertx clients;

  @BeforeEach
  void start() {
    redis = RedisSentinelGroup.start();
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

  private static void awaitReady(TestNode node) {
    TestNode.waitUntil(() -> node.get("/health/ready").status() == 200, Duration.ofSeconds(30),
        node.nodeId() + " ready again");
  }

  @Test
  void chatsCarryOnWhenThePrimaryFailsOver() {
    String prefix = "sentinel-" + UUID.randomUUID() + ":";
    TestNode a = TestNode.builder(vertxA).redisSentinels(redis.sentinelUrls(), redis.masterName(), prefix)
        .nodeId("node-a").clientVertx(clients).guestGraceSeconds(60).operatorGraceSeconds(60).start();
    TestNode b = TestNode.builder(vertxB).redisSentinels(redis.sentinelUrls(), redis.masterName(), prefix)
        .nodeId("node-b").clientVertx(clients).guestGraceSeconds(60).operatorGraceSeconds(60).start();

    // one chat in progress (guest on node A, operator on node B) and one waiting
    FrameClient alice = FrameClient.operator(b, "alice");
    alice.available("ill", true);
    a.awaitPresence("ill", true);
    FrameClient pat = FrameClient.guest(a);
    String patChat = pat.start("ill", "Pat").getString("chatId");
    alice.offerFor(patChat);
    alice.accept(patChat);
    pat.next("joined");
    assertThat(pat.say("before the failover").getInteger("seq")).isEqualTo(1);
    assertThat(alice.say(patChat, "answer before the failover").getInteger("seq")).isEqualTo(2);
    pat.next("message");
    FrameClient sam = FrameClient.guest(b);
    String samChat = sam.start("ill", "Sam").getString("chatId");
    alice.offerFor(samChat);

    // what was acknowledged has reached the replica (replication is asynchronous: see the README)
    redis.awaitReplicaCaughtUp();
    int old = redis.killPrimary();
    int promoted = redis.awaitNewPrimary(old);
    assertThat(promoted).isNotEqualTo(old);
    awaitReady(a);
    awaitReady(b);

    // the chat in progress goes on both ways across the nodes, nothing acknowledged lost
    JsonObject after = FrameClient.guestMessage("after the failover", "after-1");
    int seq = sendUntilAcknowledged(pat, after);
    assertThat(seq).isEqualTo(3);
    assertThat(seqSeenByConsole(alice, patChat, "after the failover")).isEqualTo(3);
    assertThat(alice.say(patChat, "answer after the failover").getInteger("seq")).isEqualTo(4);
    assertThat(pat.next("message", m -> m.getInteger("seq") == 4, TestNode.TIMEOUT).getString("text"))
        .isEqualTo("answer after the failover");
    JsonObject record = a.chat(patChat, a.login("alice"));
    assertThat(record.getJsonArray("messages").stream().map(m -> ((JsonObject) m).getString("text")))
        .containsExactly("before the failover", "answer before the failover", "after the failover",
            "answer after the failover");

    // the chat that was waiting is answered, and a new one starts and is offered
    alice.accept(samChat);
    sam.next("joined", TestNode.TIMEOUT);
    assertThat(sam.say("hello after the failover").getInteger("seq")).isEqualTo(1);
    FrameClient lee = FrameClient.guest(a);
    String leeChat = lee.start("ill", "Lee").getString("chatId");
    assertThat(alice.offerFor(leeChat).getString("chatId")).isEqualTo(leeChat);
  }

  /**
   * The seq of the message with {@code text} as the console learns of it: as a {@code message}
   * frame, or in the history of the {@code accepted} frame its sync sends when its node was told
   * to catch up (a failover can drop the relay's frames between nodes; what the store holds is
   * what the console then shows).
   */
  private static int seqSeenByConsole(FrameClient console, String chatId, String text) {
    JsonObject seen = console.nextMatching(f -> {
      if ("message".equals(f.getString("type"))) {
        return text.equals(f.getString("text"));
      }
      return "accepted".equals(f.getString("type")) && chatId.equals(f.getString("chatId"))
          && f.getJsonArray("history").stream().anyMatch(m -> text.equals(((JsonObject) m).getString("text")));
    }, TestNode.TIMEOUT, "the console to see \"" + text + "\"");
    if ("message".equals(seen.getString("type"))) {
      return seen.getInteger("seq");
    }
    return seen.getJsonArray("history").stream().map(m -> (JsonObject) m)
        .filter(m -> text.equals(m.getString("text"))).findFirst().orElseThrow().getInteger("seq");
  }

  /**
   * The widget's way: a message refused with {@code unavailable} while the nodes find the new
   * primary is sent again (same clientId); returns the seq of its acknowledgement.
   */
  private static int sendUntilAcknowledged(FrameClient guest, JsonObject message) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      guest.send(message);
      JsonObject answer = guest.nextMatching(
          f -> "ack".equals(f.getString("type")) || "error".equals(f.getString("type")),
          Duration.ofSeconds(10), "the message's ack or error");
      if ("ack".equals(answer.getString("type"))) {
        return answer.getInteger("seq");
      }
      assertThat(answer.getString("code")).isEqualTo("unavailable");
      assertThat(System.nanoTime()).as("a message still refused 30 s after the failover").isLessThan(deadline);
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
