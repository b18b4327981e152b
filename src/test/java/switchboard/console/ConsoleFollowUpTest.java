package switchboard.console;

import static org.assertj.core.api.Assertions.assertThat;
import static switchboard.console.Console.sb;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import switchboard.mail.FakeSmtpServer;

/** Issue 16 in the console: an offline question answered by email from the inbox. */
class ConsoleFollowUpTest extends ConsoleTestBase {

  @Test
  void anInboxQuestionIsAnsweredByEmailAndShownAnswered() throws Exception {
    try (FakeSmtpServer smtp = new FakeSmtpServer()) {
      startNode(b -> b.editConfig(c -> c.put("mail", new JsonObject().put("host", "127.0.0.1").put("port", smtp.port())
          .put("from", "chat@library.example").put("starttls", "DISABLED"))));
      String id = node.post("/api/v1/offline", new JsonObject().put("queue", "ill").put("name", "Pat")
          .put("email", "pat@example.org").put("question", "Do you lend microfilm?"), null).json().getString("id");
      Console carol = console("carol").login("carol");
      String item = sb("inbox-item") + "[data-id=\"" + id + "\"]";
      carol.waitForText(item + " " + sb("inbox-question"), "Do you lend microfilm?");
      carol.shown(item + " " + sb("inbox-reply")).click();
      carol.shown(item + " " + sb("inbox-reply-text")).sendKeys("Yes, for two weeks.");
      carol.shown(item + " " + sb("inbox-reply-send")).click();
      carol.waitForText(item + " " + sb("inbox-done-by"), "Done by Carol");

      FakeSmtpServer.Received mail = smtp.next(10);
      assertThat(mail.rcptTo()).containsExactly("pat@example.org");
      assertThat(mail.text()).contains("Yes, for two weeks.").contains("> Do you lend microfilm?");
      assertThat(carol.scriptErrors()).isEmpty();
    }
  }
}
