package switchboard.console;

import static org.assertj.core.api.Assertions.assertThat;
import static switchboard.console.Console.chatSelector;
import static switchboard.console.Console.offerSelector;
import static switchboard.console.Console.sb;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import switchboard.a11y.Axe;
import switchboard.e2e.FrameClient;

/**
 * Issue 16: axe-core finds no WCAG 2.1 A/AA violation in the console: signed out, with an offer
 * ringing, holding a chat (notes, transfer, resolution), the archive, a transcript, the supervisor view.
 */
class ConsoleAccessibilityTest extends ConsoleTestBase {

  @Test
  void theConsoleHasNoViolation() {
    startNode();
    Console alice = console("alice");
    alice.open();
    alice.shown(sb("login-user"));
    assertThat(Axe.violations(alice.driver)).as("sign-in").isEmpty();
    alice.login("alice");
    alice.setAvailable("ill", true);
    node.awaitPresence("ill", true);
    FrameClient guest = guest();
    guest.send(new JsonObject().put("type", "start").put("queue", "ill").put("name", "Pat")
        .put("question", "Where are the maps?").put("clientId", "q1"));
    String chatId = guest.next("started").getString("chatId");
    alice.shown(offerSelector(chatId) + " " + sb("offer-question"));
    assertThat(Axe.violations(alice.driver)).as("an offer ringing").isEmpty();
    alice.accept(chatId);
    guest.say("On the second floor? See https://library.example/maps");
    alice.waitForMessage(chatId, "guest", "On the second floor? See https://library.example/maps");
    alice.shown(chatSelector(chatId) + " " + sb("note-input")).sendKeys("Regular visitor");
    alice.shown(chatSelector(chatId) + " " + sb("note-add")).click();
    alice.until(d -> alice.timeline(chatId).stream().anyMatch(t -> t.contains("Regular visitor")) ? true : null, "the note");
    alice.shown(sb("live-chat"));
    assertThat(Axe.violations(alice.driver)).as("holding a chat, with the supervisor's view").isEmpty();
    guest.send(new JsonObject().put("type", "close"));
    alice.waitForText(chatSelector(chatId) + " " + sb("chat-ended"), "left the chat");
    assertThat(Axe.violations(alice.driver)).as("an ended chat, with its resolution").isEmpty();
    alice.shown(sb("archive-open")).click();
    alice.waitForText(sb("archive-status"), "match");
    assertThat(Axe.violations(alice.driver)).as("the archive").isEmpty();
    alice.shown(sb("archive-open-chat")).click();
    alice.waitForText(sb("transcript-dialog") + " " + sb("transcript"), "Where are the maps?");
    assertThat(Axe.violations(alice.driver)).as("a transcript").isEmpty();
  }
}
