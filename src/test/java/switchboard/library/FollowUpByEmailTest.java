package switchboard.library;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import switchboard.e2e.FrameClient;
import switchboard.e2e.TestNode;
import switchboard.mail.FakeSmtpServer;

/**
 * Issue 16: staff answer an offline question by email from the inbox (it is then marked answered,
 * by them) and follow up a chat by email to the address its guest gave.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FollowUpByEmailTest {

  @Test
  void anOfflineQuestionIsAnsweredByMailAndMarkedAnsweredByWhoDidIt(Vertx vertx) throws Exception {
    try (FakeSmtpServer smtp = new FakeSmtpServer()) {
      TestNode node = TestNode.builder(vertx).editConfig(c -> c.put("mail", new JsonObject().put("host", "127.0.0.1")
          .put("port", smtp.port()).put("from", "chat@library.example").put("starttls", "DISABLED"))).start();
      String id = node.post("/api/v1/offline", new JsonObject().put("queue", "ill").put("name", "Pat")
          .put("email", "pat@example.org").put("question", "Can I borrow a thesis\nfrom another university?"), null)
          .json().getString("id");
      String carol = node.login("carol");
      String bob = node.login("bob");
      assertThat(node.post("/api/v1/offline/" + id + "/reply", new JsonObject().put("text", "Yes"), bob).status())
          .as("bob does not staff ill").isEqualTo(404);
      assertThat(node.post("/api/v1/offline/" + id + "/reply", new JsonObject().put("text", " "), carol).status())
          .isEqualTo(400);

      TestNode.Http answered = node.post("/api/v1/offline/" + id + "/reply",
          new JsonObject().put("text", "Yes: ask at the desk, it takes a week."), carol);
      assertThat(answered.status()).as("%s", answered).isEqualTo(200);
      assertThat(answered.json().getBoolean("done")).isTrue();
      assertThat(answered.json().getString("doneBy")).isEqualTo("carol");
      FakeSmtpServer.Received mail = smtp.next(10);
      assertThat(mail.rcptTo()).containsExactly("pat@example.org");
      assertThat(mail.header("Subject")).isEqualTo("Re: your question to Interlibrary Loan");
      assertThat(mail.text()).contains("Yes: ask at the desk, it takes a week.").contains("Carol")
          .contains("> Can I borrow a thesis").contains("> from another university?");
      JsonObject inbox = node.get("/api/v1/offline", carol).json().getJsonArray("messages").getJsonObject(0);
      assertThat(inbox.getString("doneBy")).isEqualTo("carol");
    }
  }

  @Test
  void aChatIsFollowedUpByMailToTheGuestsAddress(Vertx vertx) throws Exception {
    try (FakeSmtpServer smtp = new FakeSmtpServer()) {
      TestNode node = TestNode.builder(vertx).guestGraceSeconds(30).editConfig(c -> c.put("mail", new JsonObject()
          .put("host", "127.0.0.1").put("port", smtp.port()).put("from", "chat@library.example")
          .put("starttls", "DISABLED"))).start();
      FrameClient carol = FrameClient.operator(node, "carol");
      carol.available("ill", true);
      node.awaitPresence("ill", true);
      FrameClient pat = FrameClient.guest(node);
      pat.send(new JsonObject().put("type", "start").put("queue", "ill").put("name", "Pat")
          .put("email", "pat@example.org").put("question", "Is the 1912 atlas digitised?").put("clientId", "q1"));
      String chatId = pat.next("started").getString("chatId");
      carol.offerFor(chatId);
      carol.accept(chatId);
      carol.send(new JsonObject().put("type", "close").put("chatId", chatId).put("resolution", "follow-up"));
      pat.next("closed");

      String token = node.login("carol");
      TestNode.Http sent = node.post("/api/v1/chats/" + chatId + "/reply",
          new JsonObject().put("text", "It is: here is the link https://library.example/atlas-1912"), token);
      assertThat(sent.status()).as("%s", sent).isEqualTo(202);
      FakeSmtpServer.Received mail = smtp.next(10);
      assertThat(mail.rcptTo()).containsExactly("pat@example.org");
      assertThat(mail.header("Subject")).isEqualTo("Following up on your chat with Interlibrary Loan");
      assertThat(mail.text()).contains("https://library.example/atlas-1912").contains("Is the 1912 atlas digitised?");
      assertThat(node.post("/api/v1/chats/" + chatId + "/reply", new JsonObject().put("text", "x"),
          node.login("bob")).status()).isEqualTo(403);
    }
  }

  @Test
  void withoutMailTheRepliesAreNotFound(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    String id = node.post("/api/v1/offline", new JsonObject().put("queue", "ill").put("email", "pat@example.org")
        .put("question", "Hours?"), null).json().getString("id");
    assertThat(node.post("/api/v1/offline/" + id + "/reply", new JsonObject().put("text", "9 to 5"),
        node.login("carol")).status()).isEqualTo(404);
  }
}
