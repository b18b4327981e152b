package switchboard.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import switchboard.e2e.FrameClient;
import switchboard.mail.FakeSmtpServer;

/** "Email me a copy" in the widget: offered once the chat ended, only where the server can mail. */
class WidgetEmailTranscriptTest extends BrowserTestBase {

  /** A chat in the widget with alice, one line each way, ended by alice. */
  private void chatThatAliceEnds(String guestLine) {
    FrameClient alice = operator("alice", "ill");
    openLibraryPage("ill");
    openWidget();
    waitForStatus("available");
    say(guestLine);
    waitForMessage("guest", guestLine);
    String chatId = alice.next("offer").getString("chatId");
    alice.accept(chatId);
    waitForStatus("Alice joined");
    alice.say(chatId, "Here is the form");
    waitForMessage("operator", "Here is the form");
    assertThat(shown("email-transcript")).as("no copy offered while the chat goes on").isFalse();
    alice.send(new JsonObject().put("type", "close").put("chatId", chatId));
    waitForStatus("ended");
  }

  @Test
  void afterTheChatTheGuestCanHaveACopyMailed() throws Exception {
    try (FakeSmtpServer smtp = new FakeSmtpServer()) {
      startNode(json -> json.put("mail", new JsonObject().put("host", "127.0.0.1").put("port", smtp.port())
          .put("from", "chat@library.example").put("starttls", "DISABLED")));
      chatThatAliceEnds("Is <i>this</i> book in?");

      hook("email-transcript").sendKeys("pat@example.org");
      hook("email-send").click();
      until(d -> hook("email-status").getText().contains("on its way") ? true : null, "the copy to be sent");
      screenshotNamed("WidgetEmailTranscriptTest.copySent");
      FakeSmtpServer.Received mail = smtp.next(10);
      assertThat(mail.rcptTo()).containsExactly("pat@example.org");
      assertThat(mail.text()).contains(": Is <i>this</i> book in?").contains("Alice: Here is the form");

      hook("restart").click();
      assertThat(shown("email-transcript")).as("a new chat does not offer the old one's copy").isFalse();
    }
  }

  @Test
  void withoutMailNoCopyIsOffered() {
    startNode();
    chatThatAliceEnds("Hello");
    hook("restart"); // the chat has ended on screen
    long until = System.currentTimeMillis() + 1000; // the widget asks the server about features meanwhile
    while (System.currentTimeMillis() < until) {
      assertThat(shown("email-transcript")).isFalse();
    }
  }
}
