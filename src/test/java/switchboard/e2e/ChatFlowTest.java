package switchboard.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static switchboard.e2e.FrameClient.QUIET;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** A guest and an operator chatting: offer, accept, history, messages both ways with acks and seq, typing, close. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ChatFlowTest {

  @Test
  void guestAndOperatorChatBothWays(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    FrameClient alice = FrameClient.operator(node, "alice");
    alice.available("ill", true);
    node.awaitPresence("ill", true);

    FrameClient guest = FrameClient.guest(node);
    JsonObject started = guest.start("ill", "Pat");
    String chatId = started.getString("chatId");
    assertThat(started.getString("queue")).isEqualTo("ill");
    JsonObject queued = guest.next("queued");
    assertThat(queued.getInteger("position")).as("queued: %s", queued).isEqualTo(1);
    assertThat(queued.containsKey("estimatedWaitSeconds")).as("queued has estimatedWaitSeconds: %s", queued).isTrue();

    // A message before anyone joined is acknowledged and numbered 1.
    JsonObject ack1 = guest.say("I need a book from another library");
    assertThat(ack1.getInteger("seq")).isEqualTo(1);

    JsonObject offer = alice.offerFor(chatId);
    assertThat(offer.getString("queue")).isEqualTo("ill");
    assertThat(offer.getString("offeredOn")).isEqualTo("ill");
    assertThat(offer.getJsonObject("guest").getString("name")).isEqualTo("Pat");
    assertThat(offer.getString("waitingSince")).as("offer.waitingSince: %s", offer).isNotBlank();

    JsonObject accepted = alice.accept(chatId);
    JsonArray history = accepted.getJsonArray("history");
    assertThat(history).as("history in %s", accepted).hasSize(1);
    JsonObject first = history.getJsonObject(0);
    assertThat(first.getInteger("seq")).isEqualTo(1);
    assertThat(first.getString("from")).isEqualTo("guest");
    assertThat(first.getString("text")).isEqualTo("I need a book from another library");

    assertThat(guest.next("joined").getString("operator")).isEqualTo("Alice");

    // Operator → guest.
    String opClientId = "op-1";
    alice.send(FrameClient.operatorMessage(chatId, "Hello Pat, which book?", opClientId));
    JsonObject opAck = alice.next("ack", f -> opClientId.equals(f.getString("clientId")), TestNode.TIMEOUT);
    assertThat(opAck.getString("chatId")).isEqualTo(chatId);
    assertThat(opAck.getInteger("seq")).isEqualTo(2);
    JsonObject toGuest = guest.next("message");
    assertThat(toGuest.getInteger("seq")).isEqualTo(2);
    assertThat(toGuest.getString("from")).isEqualTo("operator");
    assertThat(toGuest.getString("name")).isEqualTo("Alice");
    assertThat(toGuest.getString("text")).isEqualTo("Hello Pat, which book?");
    assertThat(toGuest.getString("at")).isNotBlank();

    // Guest → operator.
    guest.send(FrameClient.guestMessage("Moby Dick, 1851 edition", "g-2"));
    JsonObject guestAck = guest.next("ack", f -> "g-2".equals(f.getString("clientId")), TestNode.TIMEOUT);
    assertThat(guestAck.getInteger("seq")).isEqualTo(3);
    JsonObject toOperator = alice.nextFor("message", chatId);
    assertThat(toOperator.getString("chatId")).isEqualTo(chatId);
    assertThat(toOperator.getInteger("seq")).isEqualTo(3);
    assertThat(toOperator.getString("from")).isEqualTo("guest");
    assertThat(toOperator.getString("name")).isEqualTo("Pat");
    assertThat(toOperator.getString("text")).isEqualTo("Moby Dick, 1851 edition");
    assertThat(toOperator.getString("at")).isNotBlank();

    // Typing, both ways.
    guest.send(new JsonObject().put("type", "typing").put("typing", true));
    JsonObject typingToOp = alice.nextFor("typing", chatId);
    assertThat(typingToOp.getString("chatId")).isEqualTo(chatId);
    assertThat(typingToOp.getBoolean("typing")).isTrue();
    guest.send(new JsonObject().put("type", "typing").put("typing", false));
    assertThat(alice.nextFor("typing", chatId).getBoolean("typing")).isFalse();

    alice.send(new JsonObject().put("type", "typing").put("chatId", chatId).put("typing", true));
    assertThat(guest.next("typing").getBoolean("typing")).isTrue();

    // The transcript has the three messages, in order.
    JsonObject chat = node.chat(chatId, node.login("alice"));
    assertThat(chat.getString("state")).isEqualTo("active");
    assertThat(chat.getJsonArray("messages").stream().map(m -> ((JsonObject) m).getInteger("seq")))
        .containsExactly(1, 2, 3);

    // The guest closes; the operator is told.
    guest.send(new JsonObject().put("type", "close"));
    JsonObject closed = alice.nextFor("closed", chatId);
    assertThat(closed.getString("chatId")).isEqualTo(chatId);
    assertThat(closed.getString("by")).isEqualTo("guest");
    assertThat(node.chat(chatId, node.login("alice")).getString("state")).isEqualTo("closed");
  }

  @Test
  void operatorClosesTheChat(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    FrameClient alice = FrameClient.operator(node, "alice");
    alice.available("ill", true);
    node.awaitPresence("ill", true);

    FrameClient guest = FrameClient.guest(node);
    String chatId = guest.start("ill", "Sam").getString("chatId");
    alice.offerFor(chatId);
    alice.accept(chatId);
    guest.next("joined");

    alice.say(chatId, "Anything else?");
    guest.next("message");

    alice.send(new JsonObject().put("type", "close").put("chatId", chatId));
    assertThat(guest.next("closed").getString("by")).isEqualTo("operator");
    guest.assertOpen();
    guest.expectNone("message", QUIET);
  }

  @Test
  void everyAvailableOperatorOfTheQueueIsOffered(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    FrameClient alice = FrameClient.operator(node, "alice");
    FrameClient carol = FrameClient.operator(node, "carol");
    FrameClient bob = FrameClient.operator(node, "bob");
    alice.available("ill", true);
    carol.available("ill", true);
    bob.available("general", true);
    node.awaitPresence("ill", true);
    node.awaitPresence("general", true);

    FrameClient guest = FrameClient.guest(node);
    String chatId = guest.start("ill", "Lee").getString("chatId");

    assertThat(alice.offerFor(chatId).getString("offeredOn")).isEqualTo("ill");
    assertThat(carol.offerFor(chatId).getString("offeredOn")).isEqualTo("ill");
    // general is only a backup: bob is not rung while ill's operators are.
    bob.expectNone("offer", f -> chatId.equals(f.getString("chatId")), QUIET);

    carol.accept(chatId);
    JsonObject withdrawn = alice.nextFor("offer_withdrawn", chatId);
    assertThat(withdrawn.getString("reason")).isEqualTo("accepted");
    assertThat(guest.next("joined").getString("operator")).isEqualTo("Carol");
  }

  @Test
  void guestClosingAnOfferedChatWithdrawsTheOffers(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    FrameClient alice = FrameClient.operator(node, "alice");
    FrameClient carol = FrameClient.operator(node, "carol");
    alice.available("ill", true);
    carol.available("ill", true);
    node.awaitPresence("ill", true);

    FrameClient guest = FrameClient.guest(node);
    String chatId = guest.start("ill", "Hasty").getString("chatId");
    alice.offerFor(chatId);
    carol.offerFor(chatId);

    guest.send(new JsonObject().put("type", "close"));
    assertThat(alice.nextFor("offer_withdrawn", chatId).getString("reason")).isEqualTo("abandoned");
    assertThat(carol.nextFor("offer_withdrawn", chatId).getString("reason")).isEqualTo("abandoned");

    // Too late to accept it.
    alice.send(new JsonObject().put("type", "accept").put("chatId", chatId));
    JsonObject late = alice.next("error");
    assertThat(late.getString("code")).as("accepting a chat the guest left: %s", late).isIn("not_found", "already_taken");
    guest.expectNone("joined", QUIET);
  }
}
