package switchboard.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static switchboard.e2e.FrameClient.QUIET;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
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
    assertThat(accepted.getJsonArray("history").stream().map(m -> ((JsonObject) m).getInteger("seq")))
        .as("bob sees the conversation so far").containsExactly(1, 2);
    assertThat(guest.next("joined", f -> "Bob".equals(f.getString("operator")), TestNode.TIMEOUT)).isNotNull();

    assertThat(bob.say(chatId, "Hi, Bob here").getInteger("seq")).isEqualTo(3);
    JsonObject toGuest = guest.next("message", m -> "Hi, Bob here".equals(m.getString("text")), TestNode.TIMEOUT);
    assertThat(toGuest.getString("name")).isEqualTo("Bob");
    guest.say("Thanks Bob");
    assertThat(bob.next("message", m -> "Thanks Bob".equals(m.getString("text")), TestNode.TIMEOUT).getInteger("seq"))
        .isEqualTo(4);

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
    carol.expectNone("offer", chat(chatId), java.time.Duration.ZERO);

    bob.accept(chatId);
    assertThat(guest.next("joined", f -> "Bob".equals(f.getString("operator")), TestNode.TIMEOUT)).isNotNull();
    assertThat(bob.say(chatId, "Bob speaking").getInteger("seq")).isEqualTo(1);
    assertThat(guest.next("message").getString("name")).isEqualTo("Bob");
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

    assertThat(alice.say(chatId, "I'm still with you").getInteger("seq")).isEqualTo(1);
    assertThat(guest.next("message").getString("name")).isEqualTo("Alice");
  }
}
