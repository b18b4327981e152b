package switchboard.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Frames the server cannot parse or does not accept get an {@code error} frame with a code, and the socket
 * stays open: each case is followed by a valid action on the same socket that must still work.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BadInputTest {

  private static JsonObject start(String queue) {
    return new JsonObject().put("type", "start").put("queue", queue).put("name", "Pat");
  }

  @Test
  void guestFramesTheServerCannotParseAreBadRequests(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    FrameClient guest = FrameClient.guest(node);

    guest.sendRaw("{not json");
    guest.expectError("bad_request");
    guest.sendRaw("[1,2,3]");
    guest.expectError("bad_request");
    guest.sendRaw("{\"text\":\"no type\"}");
    guest.expectError("bad_request");
    guest.send(new JsonObject().put("type", "dance"));
    guest.expectError("bad_request");
    guest.send(new JsonObject().put("type", "start").put("name", "Pat")); // no queue
    guest.expectError("bad_request");
    guest.send(FrameClient.guestMessage("hello?", "early")); // before start
    guest.expectError("bad_request");

    guest.assertOpen();
    JsonObject started = guest.start("ill", "Pat");
    assertThat(started.getString("queue")).isEqualTo("ill");
  }

  @Test
  void startOnAnUnknownQueueIsRejected(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    FrameClient guest = FrameClient.guest(node);
    guest.send(start("no-such-queue"));
    guest.expectError("unknown_queue");
    guest.assertOpen();
    assertThat(guest.start("general", "Pat").getString("queue")).isEqualTo("general");
  }

  @Test
  void messageWithoutTextIsBadRequestAndTooLongTextIsTooLarge(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    FrameClient guest = FrameClient.guest(node);
    guest.start("ill", "Pat");

    guest.send(new JsonObject().put("type", "message").put("clientId", "no-text"));
    guest.expectError("bad_request");
    guest.send(FrameClient.guestMessage("x".repeat(4097), "too-long"));
    guest.expectError("too_large");

    guest.assertOpen();
    // 4096 characters is still fine, and it is message number 1: the refused ones were not stored.
    JsonObject ack = guest.say("y".repeat(4096));
    assertThat(ack.getInteger("seq")).isEqualTo(1);
  }

  @Test
  void guestSendingTooFastIsRateLimited(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    FrameClient alice = FrameClient.operator(node, "alice");
    alice.available("ill", true);
    FrameClient guest = FrameClient.guest(node);
    String chatId = guest.start("ill", "Chatty").getString("chatId");
    alice.offerFor(chatId);
    alice.accept(chatId);
    guest.next("joined");

    for (int i = 1; i <= 31; i++) {
      guest.send(FrameClient.guestMessage("message " + i, "m" + i));
    }
    for (int i = 1; i <= 30; i++) {
      String id = "m" + i;
      assertThat(guest.next("ack", f -> id.equals(f.getString("clientId")), TestNode.TIMEOUT).getInteger("seq"))
          .isEqualTo(i);
    }
    guest.expectError("rate_limited");
    guest.assertOpen();

    // The socket still works: closing the chat reaches the operator.
    guest.send(new JsonObject().put("type", "close"));
    assertThat(alice.next("closed", f -> chatId.equals(f.getString("chatId")), TestNode.TIMEOUT).getString("by"))
        .isEqualTo("guest");
  }

  @Test
  void operatorFramesAboutUnknownChatsAreNotFound(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    FrameClient alice = FrameClient.operator(node, "alice");

    alice.sendRaw("{oops");
    alice.expectError("bad_request");
    alice.send(new JsonObject().put("type", "juggle"));
    alice.expectError("bad_request");
    alice.send(new JsonObject().put("type", "accept").put("chatId", "no-such-chat"));
    alice.expectError("not_found");
    alice.send(FrameClient.operatorMessage("no-such-chat", "hello", "c1"));
    alice.expectError("not_found");
    alice.send(new JsonObject().put("type", "close").put("chatId", "no-such-chat"));
    alice.expectError("not_found");

    alice.assertOpen();
    alice.available("ill", true);
    FrameClient guest = FrameClient.guest(node);
    String chatId = guest.start("ill", "Pat").getString("chatId");
    alice.offerFor(chatId);
    assertThat(alice.accept(chatId).getString("chatId")).isEqualTo(chatId);
  }

  @Test
  void operatorActingOnAChatAnotherOperatorHoldsIsForbidden(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    FrameClient alice = FrameClient.operator(node, "alice");
    FrameClient carol = FrameClient.operator(node, "carol");
    alice.available("ill", true);
    carol.available("ill", true);
    node.awaitPresence("ill", true);
    FrameClient guest = FrameClient.guest(node);
    String chatId = guest.start("ill", "Pat").getString("chatId");
    alice.offerFor(chatId);
    carol.offerFor(chatId);
    alice.accept(chatId);
    guest.next("joined");

    carol.send(FrameClient.operatorMessage(chatId, "I'll take it", "steal-1"));
    carol.expectError("forbidden");
    carol.send(new JsonObject().put("type", "close").put("chatId", chatId));
    carol.expectError("forbidden");
    carol.send(new JsonObject().put("type", "transfer").put("chatId", chatId).put("queue", "general"));
    carol.expectError("forbidden");
    carol.send(new JsonObject().put("type", "accept").put("chatId", chatId));
    carol.expectError("already_taken");
    guest.expectNone("message", FrameClient.QUIET);

    // Carol's socket still works: she gets and takes the next chat.
    carol.assertOpen();
    FrameClient guest2 = FrameClient.guest(node);
    String second = guest2.start("ill", "Quinn").getString("chatId");
    carol.offerFor(second);
    carol.accept(second);
    assertThat(guest2.next("joined").getString("operator")).isEqualTo("Carol");
  }
}
