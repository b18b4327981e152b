package switchboard.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static switchboard.e2e.FrameClient.QUIET;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** A guest whose socket drops: resume with replay, idempotent resends, bad resumes, and the grace period running out. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ResumeTest {
  /** Grace used by the tests that must not hit it. */
  static final int LONG_GRACE = 10;
  /** Grace used by the tests that wait for it (TestNode default). */
  static final int SHORT_GRACE = 2;
  static final Duration AFTER_GRACE = Duration.ofSeconds(SHORT_GRACE + 5);

  private static Predicate<JsonObject> chat(String chatId) {
    return f -> chatId.equals(f.getString("chatId"));
  }

  private static JsonObject resume(String chatId, String token, int lastSeq) {
    return new JsonObject().put("type", "resume").put("chatId", chatId).put("token", token).put("lastSeq", lastSeq);
  }

  /** An active chat between a guest and alice. */
  private record Chat(FrameClient guest, FrameClient alice, String chatId, String token) {}

  private static Chat activeChat(TestNode node) {
    FrameClient alice = FrameClient.operator(node, "alice");
    alice.available("ill", true);
    node.awaitPresence("ill", true);
    FrameClient guest = FrameClient.guest(node);
    JsonObject started = guest.start("ill", "Pat");
    String chatId = started.getString("chatId");
    alice.offerFor(chatId);
    alice.accept(chatId);
    guest.next("joined");
    return new Chat(guest, alice, chatId, started.getString("token"));
  }

  @Test
  void resumeReplaysWhatTheGuestMissedWithoutLossOrDuplicates(Vertx vertx) {
    TestNode node = TestNode.builder(vertx).guestGraceSeconds(LONG_GRACE).start();
    Chat c = activeChat(node);

    assertThat(c.guest().say("hello").getInteger("seq")).isEqualTo(1);
    assertThat(c.alice().next("message", chat(c.chatId()), TestNode.TIMEOUT).getInteger("seq")).isEqualTo(1);
    assertThat(c.alice().say(c.chatId(), "reply one").getInteger("seq")).isEqualTo(2);
    assertThat(c.guest().next("message").getInteger("seq")).isEqualTo(2);

    c.guest().drop();
    assertThat(c.alice().say(c.chatId(), "while you were away 1").getInteger("seq")).isEqualTo(3);
    assertThat(c.alice().say(c.chatId(), "while you were away 2").getInteger("seq")).isEqualTo(4);

    FrameClient back = FrameClient.guest(node);
    back.send(resume(c.chatId(), c.token(), 2));
    List<JsonObject> replayed = new ArrayList<>();
    JsonObject resumed;
    while (true) {
      JsonObject f = back.nextMatching(
          x -> "message".equals(x.getString("type")) || "resumed".equals(x.getString("type")),
          TestNode.TIMEOUT, "replayed messages then 'resumed'");
      if ("resumed".equals(f.getString("type"))) {
        resumed = f;
        break;
      }
      replayed.add(f);
    }
    assertThat(replayed).extracting(m -> m.getInteger("seq")).containsExactly(3, 4);
    assertThat(replayed).extracting(m -> m.getString("text"))
        .containsExactly("while you were away 1", "while you were away 2");
    assertThat(replayed).allSatisfy(m -> {
      assertThat(m.getString("from")).isEqualTo("operator");
      assertThat(m.getString("name")).isEqualTo("Alice");
    });
    assertThat(resumed.getString("chatId")).isEqualTo(c.chatId());
    assertThat(resumed.getString("state")).isEqualTo("active");
    assertThat(resumed.getString("queue")).isEqualTo("ill");
    assertThat(resumed.getValue("operator")).as("resumed.operator: %s", resumed).isNotNull();
    back.expectNone("message", QUIET);

    // The chat goes on over the new socket, numbering continues.
    assertThat(back.say("back again").getInteger("seq")).isEqualTo(5);
    JsonObject atAlice = c.alice().next("message", m -> "back again".equals(m.getString("text")), TestNode.TIMEOUT);
    assertThat(atAlice.getInteger("seq")).isEqualTo(5);
    assertThat(c.alice().say(c.chatId(), "welcome back").getInteger("seq")).isEqualTo(6);
    assertThat(back.next("message").getInteger("seq")).isEqualTo(6);

    JsonObject record = node.chat(c.chatId(), node.login("alice"));
    assertThat(record.getJsonArray("messages").stream().map(m -> ((JsonObject) m).getInteger("seq")))
        .containsExactly(1, 2, 3, 4, 5, 6);
  }

  @Test
  void resendingAClientIdGivesTheSameSeqAndStoresTheMessageOnce(Vertx vertx) {
    TestNode node = TestNode.builder(vertx).guestGraceSeconds(LONG_GRACE).start();
    Chat c = activeChat(node);

    c.guest().send(FrameClient.guestMessage("first", "dup-1"));
    JsonObject ack1 = c.guest().next("ack", f -> "dup-1".equals(f.getString("clientId")), TestNode.TIMEOUT);
    assertThat(ack1.getInteger("seq")).isEqualTo(1);
    // The second message leaves and the socket drops before its ack is read.
    c.guest().send(FrameClient.guestMessage("second", "dup-2"));
    c.guest().drop();

    FrameClient back = FrameClient.guest(node);
    back.send(resume(c.chatId(), c.token(), 1));
    back.next("resumed");

    back.send(FrameClient.guestMessage("first", "dup-1"));
    assertThat(back.next("ack", f -> "dup-1".equals(f.getString("clientId")), TestNode.TIMEOUT).getInteger("seq"))
        .as("seq of an acknowledged message sent again").isEqualTo(1);
    back.send(FrameClient.guestMessage("second", "dup-2"));
    assertThat(back.next("ack", f -> "dup-2".equals(f.getString("clientId")), TestNode.TIMEOUT).getInteger("seq"))
        .as("seq of an unacknowledged message sent again").isEqualTo(2);

    // The operator sees each message once.
    assertThat(c.alice().next("message", m -> "first".equals(m.getString("text")), TestNode.TIMEOUT).getInteger("seq")).isEqualTo(1);
    assertThat(c.alice().next("message", m -> "second".equals(m.getString("text")), TestNode.TIMEOUT).getInteger("seq")).isEqualTo(2);
    c.alice().expectNone("message", chat(c.chatId()), QUIET);

    // The next new message is 3: nothing was stored twice.
    assertThat(back.say("third").getInteger("seq")).isEqualTo(3);
    JsonObject record = node.chat(c.chatId(), node.login("alice"));
    assertThat(record.getJsonArray("messages").stream().map(m -> ((JsonObject) m).getString("text")))
        .containsExactly("first", "second", "third");
  }

  @Test
  void resumeWithAWrongTokenOrUnknownChatIsNotFoundAndTheSocketStaysOpen(Vertx vertx) {
    TestNode node = TestNode.builder(vertx).guestGraceSeconds(LONG_GRACE).start();
    FrameClient guest = FrameClient.guest(node);
    JsonObject started = guest.start("ill", "Pat"); // nobody available: the chat waits
    String chatId = started.getString("chatId");
    guest.drop();

    FrameClient back = FrameClient.guest(node);
    back.send(resume(chatId, started.getString("token") + "x", 0));
    back.expectError("not_found");
    back.assertOpen();
    back.send(resume("no-such-chat-" + chatId, started.getString("token"), 0));
    back.expectError("not_found");
    back.assertOpen();

    back.send(resume(chatId, started.getString("token"), 0));
    JsonObject resumed = back.next("resumed");
    assertThat(resumed.getString("chatId")).isEqualTo(chatId);
    assertThat(resumed.getString("state")).isEqualTo("waiting");
    assertThat(resumed.getString("queue")).isEqualTo("ill");
  }

  @Test
  void offeredChatIsWithdrawnAsAbandonedWhenTheGuestDoesNotComeBack(Vertx vertx) {
    TestNode node = TestNode.builder(vertx).guestGraceSeconds(SHORT_GRACE).start();
    FrameClient alice = FrameClient.operator(node, "alice");
    alice.available("ill", true);
    node.awaitPresence("ill", true);
    FrameClient guest = FrameClient.guest(node);
    String chatId = guest.start("ill", "Gone").getString("chatId");
    alice.offerFor(chatId);

    guest.drop();
    // The guest has a grace period to come back: the offer is not withdrawn at once...
    alice.expectNone("offer_withdrawn", chat(chatId), QUIET);
    // ...but it is once the grace period is over.
    JsonObject withdrawn = alice.next("offer_withdrawn", chat(chatId), AFTER_GRACE);
    assertThat(withdrawn.getString("reason")).isEqualTo("abandoned");
  }

  @Test
  void waitingChatIsAbandonedAfterGraceAndNeverOfferedLater(Vertx vertx) {
    TestNode node = TestNode.builder(vertx).guestGraceSeconds(SHORT_GRACE).start();
    String admin = node.login("alice");
    FrameClient guest = FrameClient.guest(node);
    String chatId = guest.start("ill", "Gone").getString("chatId");
    guest.drop();

    TestNode.waitUntil(() -> "abandoned".equals(node.chat(chatId, admin).getString("state")), AFTER_GRACE,
        "chat " + chatId + " to become abandoned");

    FrameClient alice = FrameClient.operator(node, "alice", admin);
    alice.available("ill", true);
    alice.expectNone("offer", chat(chatId), Duration.ofSeconds(1));
  }

  @Test
  void activeChatIsClosedWhenTheGuestDoesNotComeBack(Vertx vertx) {
    TestNode node = TestNode.builder(vertx).guestGraceSeconds(SHORT_GRACE).start();
    Chat c = activeChat(node);
    c.guest().drop();
    JsonObject closed = c.alice().next("closed", chat(c.chatId()), AFTER_GRACE);
    assertThat(closed.getString("by")).isEqualTo("guest");
  }
}
