package switchboard.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import switchboard.e2e.FrameClient;
import switchboard.e2e.TestNode;

/** Chat steps the fault tests share, each checked the way a person would notice it. */
final class ChatSteps {
  /** How long a page keeps resending a message the server refuses `unavailable`. */
  static final Duration RESEND_FOR = Duration.ofSeconds(30);

  private ChatSteps() {}

  /** The guest says {@code text}; the operator is shown it under the acknowledged seq. */
  static void guestSays(FrameClient guest, FrameClient operator, String text, Map<String, Integer> acked) {
    int seq = guest.say(text).getInteger("seq");
    acked.put(text, seq);
    operator.next("message", m -> m.getInteger("seq") == seq && text.equals(m.getString("text")), TestNode.TIMEOUT);
  }

  /** The operator says {@code text}; the guest is shown it under the acknowledged seq. */
  static void operatorSays(FrameClient operator, FrameClient guest, String chatId, String text,
      Map<String, Integer> acked) {
    int seq = operator.say(chatId, text).getInteger("seq");
    acked.put(text, seq);
    guest.next("message", m -> m.getInteger("seq") == seq && text.equals(m.getString("text")), TestNode.TIMEOUT);
  }

  /**
   * Sends {@code frame} until its ack comes, again every half second while it is refused
   * `unavailable` (as the widget and the console do), and returns the acknowledged seq.
   */
  static int resendUntilAcked(FrameClient client, JsonObject frame, String clientId) {
    long deadline = System.nanoTime() + RESEND_FOR.toNanos();
    while (true) {
      client.send(frame);
      JsonObject f = client.nextMatching(x -> "ack".equals(x.getString("type")) && clientId.equals(x.getString("clientId"))
          || "error".equals(x.getString("type")), Duration.ofSeconds(10), "ack of " + clientId);
      if ("ack".equals(f.getString("type"))) {
        return f.getInteger("seq");
      }
      assertThat(f.getString("code")).as("refusal of %s: %s", clientId, f).isEqualTo("unavailable");
      assertThat(System.nanoTime()).as("%s still refused after %s", clientId, RESEND_FOR).isLessThan(deadline);
      sleep(500);
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
