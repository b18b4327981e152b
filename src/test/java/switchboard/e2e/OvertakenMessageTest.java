package switchboard.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import switchboard.bus.Addresses;

/**
 * A guest's message on its way to the console (relayed from another node, late) while the
 * librarian answers: the librarian's own answer got a later seq, its ack came first, and a
 * goodbye-and-close then dropped the guest's message (the console drops messages for chats it no
 * longer shows). Found by the concurrency storm on two nodes; here the relay's lateness is made
 * with an event-bus interceptor holding the guest's message back on its way to the console.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class OvertakenMessageTest {
  private static final long HELD_BACK_MS = 2_000;

  @Test
  void theConsoleSeesTheGuestsMessageBeforeTheAckOfAnAnswerStoredAfterIt(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    FrameClient alice = FrameClient.operator(node, "alice");
    alice.available("ill", true);
    node.awaitPresence("ill", true);
    FrameClient guest = FrameClient.guest(node);
    String chatId = guest.start("ill", "Pat").getString("chatId");
    alice.offerFor(chatId);
    alice.accept(chatId);
    guest.next("joined");

    String late = "Also: is the 1851 edition on loan?";
    AtomicInteger heldBack = new AtomicInteger();
    AtomicInteger released = new AtomicInteger();
    vertx.eventBus().<Object>addOutboundInterceptor(ctx -> {
      if (ctx.message().address().equals(Addresses.toOperator("alice")) && ctx.body() instanceof String frame
          && frame.contains(late)) {
        heldBack.incrementAndGet();
        vertx.setTimer(HELD_BACK_MS, t -> {
          ctx.next();
          released.incrementAndGet();
        });
      } else {
        ctx.next();
      }
    });

    JsonObject guestAck = guest.say(late);
    JsonObject answerAck = alice.say(chatId, "Goodbye, and thanks for asking");
    assertThat(heldBack.get()).as("the guest's message was held back on its way to the console").isEqualTo(1);
    assertThat(answerAck.getLong("seq")).isGreaterThan(guestAck.getLong("seq"));

    List<JsonObject> frames = alice.received();
    int message = indexOf(frames, f -> "message".equals(f.getString("type")) && late.equals(f.getString("text")));
    int ack = frames.indexOf(answerAck);
    assertThat(message).as("the guest's message reached the console before the ack of the answer stored after it: %s",
        frames).isGreaterThanOrEqualTo(0).isLessThan(ack);
    assertThat(frames.get(message).getLong("seq")).isEqualTo(guestAck.getLong("seq"));

    // the late copy reaches the session afterwards, and the console is not sent the message twice
    TestNode.waitUntil(() -> released.get() == 1, TestNode.TIMEOUT, "the held-back message let go");
    alice.expectNone("offer", FrameClient.QUIET); // time for the late copy to be written, were it to be
    assertThat(alice.received().stream().filter(f -> late.equals(f.getString("text")))).hasSize(1);
  }

  private static int indexOf(List<JsonObject> frames, Predicate<JsonObject> what) {
    for (int i = 0; i < frames.size(); i++) {
      if (what.test(frames.get(i))) {
        return i;
      }
    }
    return -1;
  }
}
