package switchboard.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static switchboard.e2e.FrameClient.forChat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import io.vertx.junit5.VertxExtension;

/** An operator whose last console closes: the guest is told, and the chat goes back to its queue unless they return. */
@ExtendWith(VertxExtension.class)
class OperatorGraceTest {

  private record Held(FrameClient guest, String chatId) {}

  private static Held chatHeldBy(TestNode node, FrameClient operator) {
    FrameClient guest = FrameClient.guest(node);
    String chatId = guest.start("ill", "Pat").getString("chatId");
    operator.offerFor(chatId);
    operator.accept(chatId);
    guest.next("joined");
    return new Held(guest, chatId);
  }

  @Test
  void aChatGoesBackToItsQueueWhenItsOperatorDoesNotReturn(Vertx vertx) {
    TestNode node = TestNode.builder(vertx).operatorGraceSeconds(1).guestGraceSeconds(30).start();
    FrameClient alice = FrameClient.operator(node, "alice");
    alice.available("ill", true);
    node.awaitPresence("ill", true);
    Held held = chatHeldBy(node, alice);
    FrameClient bob = FrameClient.operator(node, "bob");
    bob.available("general", true);
    node.awaitPresence("general", true);
    bob.expectNone("offer", forChat(held.chatId()), FrameClient.QUIET);

    alice.drop();
    JsonObject told = held.guest().next("message");
    assertThat(told.getString("from")).isEqualTo("system");
    assertThat(told.getString("text")).contains("Alice");

    // after the grace period the chat rings again, on the chain of its queue: bob on general
    JsonObject offer = bob.next("offer", forChat(held.chatId()), Duration.ofSeconds(5));
    assertThat(offer.getString("offeredOn")).isEqualTo("general");
    bob.accept(held.chatId());
    assertThat(held.guest().next("joined").getString("operator")).isEqualTo("Bob");
    JsonObject record = node.chat(held.chatId(), node.login("alice"));
    assertThat(record.getString("operator")).isEqualTo("bob");
    assertThat(record.getString("recordedQueue")).isEqualTo("ill");
  }

  @Test
  void anOperatorWhoComesBackInTimeKeepsTheChat(Vertx vertx) {
    TestNode node = TestNode.builder(vertx).operatorGraceSeconds(3).guestGraceSeconds(30).start();
    FrameClient alice = FrameClient.operator(node, "alice");
    alice.available("ill", true);
    node.awaitPresence("ill", true);
    Held held = chatHeldBy(node, alice);
    assertThat(held.guest().say("are you there?").getInteger("seq")).isEqualTo(1);

    alice.drop();
    FrameClient again = FrameClient.operator(node, "alice");
    // the new console is given the chat back, with its history
    JsonObject accepted = again.nextFor("accepted", held.chatId());
    assertThat(accepted.getJsonArray("history").stream().map(m -> ((JsonObject) m).getString("text")))
        .contains("are you there?");
    assertThat(again.say(held.chatId(), "Still here").getInteger("seq")).isGreaterThan(1);
    assertThat(held.guest().next("message", m -> "Still here".equals(m.getString("text")), TestNode.TIMEOUT))
        .isNotNull();

    // well past the grace period it is still hers
    FrameClient bob = FrameClient.operator(node, "bob");
    bob.available("general", true);
    bob.expectNone("offer", forChat(held.chatId()), Duration.ofSeconds(4));
    assertThat(node.chat(held.chatId(), node.login("alice")).getString("operator")).isEqualTo("alice");
  }
}
