package switchboard.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static switchboard.e2e.FrameClient.QUIET;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** An operator hands a chat over to another queue or to a named colleague. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TransferTest {

  private static Predicate<JsonObject> chat(String chatId) {
    return f -> chatId.equals(f.getString("chatId"));
  }

  /** The guest's and operators' messages of an {@code accepted} history, without system lines. */
  private static List<JsonObject> spoken(JsonObject accepted) {
    return accepted.getJsonArray("history").stream()
        .map(m -> (JsonObject) m)
        .filter(m -> !"system".equals(m.getString("from")))
        .toList();
  }

  private static JsonObject transfer(String chatId, String key, String value) {
    return new JsonObject().put("type", "transfer").put("chatId", chatId).put(key, value);
  }

  @Test
  void transferToAQueueOffersItToThatQueuesOperators(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    FrameClient alice = FrameClient.operator(node, "alice");
    FrameClient bob = FrameClient.operator(node, "bob");
    alice.available("ill", true);
    bob.available("general", true);
    node.awaitPresence("ill", true);
    node.awaitPresence("general", true);

    FrameClient guest = FrameClient.guest(node);
    String chatId = guest.start("ill", "Pat").getString("chatId");
    alice.offerFor(chatId);
    bob.expectNone("offer", chat(chatId), QUIET);
    alice.accept(chatId);
    assertThat(guest.next("joined").getString("operator")).isEqualTo("Alice");
    guest.say("Actually it's a general question");
    alice.say(chatId, "Let me pass you to a colleague");

    alice.send(transfer(chatId, "queue", "general"));
    assertThat(alice.next("offer_withdrawn", chat(chatId), TestNode.TIMEOUT).getString("reason")).isEqualTo("transferred");
    JsonObject offer = bob.offerFor(chatId);
    assertThat(offer.getString("offeredOn")).isEqualTo("general");

    JsonObject accepted = bob.accept(chatId);
    // Bob sees the conversation so far (the server may add numbered system lines, e.g. about the transfer).
    List<JsonObject> said = spoken(accepted);
    assertThat(said).extracting(m -> m.getInteger("seq")).containsExactly(1, 2);
    assertThat(said).extracting(m -> m.getString("text"))
        .containsExactly("Actually it's a general question", "Let me pass you to a colleague");
    assertThat(guest.next("joined", f -> "Bob".equals(f.getString("operator")), TestNode.TIMEOUT)).isNotNull();

    int bobsSeq = bob.say(chatId, "Hi, Bob here").getInteger("seq");
    assertThat(bobsSeq).isGreaterThan(2);
    JsonObject toGuest = guest.next("message", m -> "Hi, Bob here".equals(m.getString("text")), TestNode.TIMEOUT);
    assertThat(toGuest.getString("name")).isEqualTo("Bob");
    assertThat(toGuest.getInteger("seq")).isEqualTo(bobsSeq);
    int guestsSeq = guest.say("Thanks Bob").getInteger("seq");
    assertThat(guestsSeq).isGreaterThan(bobsSeq);
    assertThat(bob.next("message", m -> "Thanks Bob".equals(m.getString("text")), TestNode.TIMEOUT).getInteger("seq"))
        .isEqualTo(guestsSeq);

    // Alice no longer holds the chat.
    alice.send(FrameClient.operatorMessage(chatId, "still here?", "late-1"));
    alice.expectError("forbidden");
  }

  @Test
  void transferToANamedOperatorOffersItToThemOnly(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    FrameClient alice = FrameClient.operator(node, "alice");
    FrameClient bob = FrameClient.operator(node, "bob");
    FrameClient dave = FrameClient.operator(node, "dave");
    FrameClient carol = FrameClient.operator(node, "carol");
    alice.available("ill", true);
    bob.available("general", true);
    dave.available("general", true);
    node.awaitPresence("ill", true);
    node.awaitPresence("general", true);

    FrameClient guest = FrameClient.guest(node);
    String chatId = guest.start("ill", "Pat").getString("chatId");
    alice.offerFor(chatId);
    alice.accept(chatId);
    guest.next("joined");
    carol.available("ill", true);

    alice.send(transfer(chatId, "operator", "bob"));
    bob.offerFor(chatId);
    dave.expectNone("offer", chat(chatId), QUIET);
    assertThat(carol.pending("offer", chat(chatId))).as("offers to carol").isEmpty();

    bob.accept(chatId);
    assertThat(guest.next("joined", f -> "Bob".equals(f.getString("operator")), TestNode.TIMEOUT)).isNotNull();
    int seq = bob.say(chatId, "Bob speaking").getInteger("seq");
    JsonObject toGuest = guest.next("message", m -> "Bob speaking".equals(m.getString("text")), TestNode.TIMEOUT);
    assertThat(toGuest.getString("name")).isEqualTo("Bob");
    assertThat(toGuest.getInteger("seq")).isEqualTo(seq);
  }

  @Test
  void transferToAnUnavailableOperatorIsRefusedAndTheChatStays(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    FrameClient alice = FrameClient.operator(node, "alice");
    alice.available("ill", true);
    node.awaitPresence("ill", true);
    FrameClient guest = FrameClient.guest(node);
    String chatId = guest.start("ill", "Pat").getString("chatId");
    alice.offerFor(chatId);
    alice.accept(chatId);
    guest.next("joined");

    alice.send(transfer(chatId, "operator", "bob")); // bob is not signed in
    alice.expectError("queue_unavailable");
    alice.assertOpen();

    alice.say(chatId, "I'm still with you");
    JsonObject toGuest = guest.next("message", m -> "I'm still with you".equals(m.getString("text")), TestNode.TIMEOUT);
    assertThat(toGuest.getString("name")).isEqualTo("Alice");
  }
}
