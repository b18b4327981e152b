package switchboard.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static switchboard.e2e.FrameClient.forChat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
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
 * Issue 14, defects 1 and 2: which node holds a chat's guest is shared, so no node ends a chat on
 * its own count of sockets, and a socket that closes right after `start` still lets the guest
 * grace end the chat. Two nodes on one real redis-server.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GuestPresenceAcrossNodesTest {
  private static final int GRACE_SECONDS = 2;
  /** Longer than the grace, a sweep and a timer poll together. */
  private static final Duration PAST_THE_GRACE = Duration.ofSeconds(GRACE_SECONDS + 6);

  private RedisServer redis;
  private Vertx vertxA;
  private Vertx vertxB;
  private Vertx clients;
  private TestNode a;
  private TestNode b;

  @BeforeEach
  void start() {
    redis = RedisServer.start();
    vertxA = Vertx.vertx();
    vertxB = Vertx.vertx();
    clients = Vertx.vertx();
    String prefix = "guests-" + UUID.randomUUID() + ":";
    a = TestNode.builder(vertxA).redis(redis.url(), prefix).nodeId("node-a").clientVertx(clients)
        .guestGraceSeconds(GRACE_SECONDS).operatorGraceSeconds(60).start();
    b = TestNode.builder(vertxB).redis(redis.url(), prefix).nodeId("node-b").clientVertx(clients)
        .guestGraceSeconds(GRACE_SECONDS).operatorGraceSeconds(60).start();
  }

  @AfterEach
  void stop() {
    for (Vertx v : new Vertx[] {clients, vertxA, vertxB}) {
      TestNode.await(v.close(), Duration.ofSeconds(15));
    }
    redis.close();
  }

  @Test
  void aGuestWhoResumedOnAnotherNodeKeepsTheChatWhenTheOldSocketCloses() {
    FrameClient alice = FrameClient.operator(a, "alice");
    alice.available("ill", true);
    a.awaitPresence("ill", true);
    FrameClient onA = FrameClient.guest(a);
    JsonObject started = onA.start("ill", "Pat");
    String chatId = started.getString("chatId");
    alice.offerFor(chatId);
    alice.accept(chatId);
    onA.next("joined");
    assertThat(onA.say("asked on node A").getInteger("seq")).isEqualTo(1);

    // the guest's browser moved to node B (a new socket) before the old one on A closed
    FrameClient onB = FrameClient.guest(b);
    onB.send(new JsonObject().put("type", "resume").put("chatId", chatId).put("token", started.getString("token"))
        .put("lastSeq", 1));
    assertThat(onB.next("resumed").getString("state")).isEqualTo("active");
    onA.drop();

    // A's grace for its last socket runs out: the guest is still on B, so nothing ends
    alice.expectNone("closed", forChat(chatId), PAST_THE_GRACE);
    assertThat(onB.say("still here, on node B").getInteger("seq")).isEqualTo(2);
    assertThat(alice.next("message", f -> f.getInteger("seq") == 2, TestNode.TIMEOUT).getString("text"))
        .isEqualTo("still here, on node B");
    assertThat(a.chat(chatId, a.login("alice")).getString("state")).isEqualTo("active");

    // and when the guest really leaves, the grace ends the chat as before
    onB.drop();
    assertThat(alice.next("closed", forChat(chatId), PAST_THE_GRACE).getString("by")).isEqualTo("guest");
  }

  @Test
  void aGuestWhoseSocketClosedRightAfterStartDoesNotLeaveTheChatRinging() {
    FrameClient carol = FrameClient.operator(a, "carol"); // ill only
    carol.available("ill", true);
    a.awaitPresence("ill", true);
    b.awaitPresence("ill", true);

    // guests on both nodes send `start` and close at once, before the start is answered
    int guests = 6;
    List<FrameClient> sockets = new ArrayList<>();
    for (int i = 0; i < guests; i++) {
      FrameClient guest = FrameClient.guest(i % 2 == 0 ? a : b);
      guest.send(new JsonObject().put("type", "start").put("queue", "ill").put("name", "Gone " + i)
          .putNull("email").put("page", "https://library.example/help"));
      sockets.add(guest);
    }
    sockets.forEach(FrameClient::close);

    // each chat that was created rang carol; each must stop ringing once the grace runs out
    Set<String> rang = new LinkedHashSet<>();
    long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
    while (System.nanoTime() < until) {
      try {
        rang.add(carol.next("offer", Duration.ofMillis(500)).getString("chatId"));
      } catch (AssertionError quiet) {
        // no offer in that half second
      }
    }
    assertThat(rang).as("chats created by the starts").isNotEmpty();
    for (String chatId : rang) {
      JsonObject withdrawn = carol.next("offer_withdrawn", forChat(chatId), PAST_THE_GRACE);
      assertThat(withdrawn.getString("reason")).as("chat %s", chatId).isEqualTo("abandoned");
    }
  }
}
