package switchboard.mail;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import switchboard.e2e.FrameClient;
import switchboard.e2e.TestNode;

/** Transcripts by email: a guest after the chat, an operator over HTTP, and the feature switched off. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TranscriptMailTest {
  private static final String FROM = "chat@library.example";
  private FakeSmtpServer smtp;

  @BeforeEach
  void startSmtp() throws IOException {
    smtp = new FakeSmtpServer();
  }

  @AfterEach
  void stopSmtp() throws IOException {
    smtp.close();
  }

  private static TestNode.Builder withMail(Vertx vertx, int port) {
    return TestNode.builder(vertx).editConfig(json -> json.put("mail", new JsonObject()
        .put("host", "127.0.0.1").put("port", port).put("from", FROM).put("starttls", "DISABLED")));
  }

  /** alice (admin, ill) answers Pat; they exchange a few lines; returns the chat id, still active. */
  private static String chat(TestNode node, FrameClient alice, FrameClient guest) {
    alice.available("ill", true);
    node.awaitPresence("ill", true);
    String chatId = guest.start("ill", "Pat").getString("chatId");
    alice.offerFor(chatId);
    alice.accept(chatId);
    guest.next("joined");
    guest.say("Hello, I need a book from another library");
    alice.say(chatId, "Try <b>this</b> form & tell me");
    guest.say("Thanks!\nSecond line");
    return chatId;
  }

  private static JsonObject emailFrame(String address) {
    return new JsonObject().put("type", "email_transcript").put("email", address);
  }

  @Test
  void theGuestGetsAPlainTextCopyOnceTheChatEnded(Vertx vertx) throws Exception {
    TestNode node = withMail(vertx, smtp.port()).start();
    FrameClient alice = FrameClient.operator(node, "alice");
    FrameClient guest = FrameClient.guest(node);
    String chatId = chat(node, alice, guest);

    guest.send(emailFrame("pat@example.org"));
    assertThat(guest.expectError("bad_request").getString("message")).contains("ended");

    alice.send(new JsonObject().put("type", "close").put("chatId", chatId));
    assertThat(guest.next("closed").getString("by")).isEqualTo("operator");
    guest.assertOpen();

    guest.send(emailFrame("not an address"));
    guest.expectError("bad_request");
    guest.send(emailFrame("pat@example.org\r\nBcc: victim@example.org"));
    guest.expectError("bad_request");
    assertThat(smtp.poll(300)).as("nothing is mailed for a refused request").isNull();

    guest.send(emailFrame("pat@example.org"));
    guest.next("email_sent");
    FakeSmtpServer.Received mail = smtp.next(10);
    assertThat(mail.rcptTo()).containsExactly("pat@example.org");
    assertThat(mail.mailFrom()).isEqualTo(FROM);
    assertThat(mail.header("Subject")).isEqualTo("Your chat with Interlibrary Loan");
    assertThat(mail.header("To")).contains("pat@example.org");
    assertThat(mail.header("Content-Type")).startsWith("text/plain");
    assertThat(mail.data()).doesNotContainIgnoringCase("text/html");
    String text = mail.text();
    assertThat(text).contains("Your chat with Interlibrary Loan");
    assertThat(lines(text, "Pat: Hello, I need a book from another library")).isTrue();
    assertThat(lines(text, "Alice: Try <b>this</b> form & tell me")).as("HTML is kept as typed:\n%s", text).isTrue();
    assertThat(lines(text, "Pat: Thanks!")).isTrue();
    assertThat(text).contains("\n      Second line");

    // two more copies are fine, a fourth is refused
    guest.send(emailFrame("pat@example.org"));
    guest.next("email_sent");
    guest.send(emailFrame("other@example.org"));
    guest.next("email_sent");
    assertThat(smtp.next(10).rcptTo()).containsExactly("pat@example.org");
    assertThat(smtp.next(10).rcptTo()).containsExactly("other@example.org");
    guest.send(emailFrame("pat@example.org"));
    guest.expectError("rate_limited");
    guest.assertOpen();
  }

  @Test
  void theOperatorWhoHeldTheChatOrAnAdminCanMailIt(Vertx vertx) throws Exception {
    TestNode node = withMail(vertx, smtp.port()).start();
    FrameClient carol = FrameClient.operator(node, "carol"); // ill, not admin
    carol.available("ill", true);
    node.awaitPresence("ill", true);
    FrameClient guest = FrameClient.guest(node);
    String chatId = guest.start("ill", "Pat").getString("chatId");
    carol.offerFor(chatId);
    carol.accept(chatId);
    guest.say("Where is my book?");
    carol.say(chatId, "On its way");

    JsonObject to = new JsonObject().put("to", "records@library.example");
    TestNode.Http sent = node.post("/api/v1/chats/" + chatId + "/email", to, node.login("carol"));
    assertThat(sent.status()).as("%s", sent).isEqualTo(202);
    assertThat(sent.json().getBoolean("sent")).isTrue();
    FakeSmtpServer.Received mail = smtp.next(10);
    assertThat(mail.rcptTo()).containsExactly("records@library.example");
    assertThat(lines(mail.text(), "Pat: Where is my book?")).isTrue();
    assertThat(lines(mail.text(), "Carol: On its way")).isTrue();

    assertThat(node.post("/api/v1/chats/" + chatId + "/email", to, node.login("alice")).status()).isEqualTo(202);
    smtp.next(10);
    assertThat(node.post("/api/v1/chats/" + chatId + "/email", to, node.login("bob")).status()).isEqualTo(403);
    assertThat(node.post("/api/v1/chats/" + chatId + "/email", to, null).status()).isEqualTo(401);
    assertThat(node.post("/api/v1/chats/no-such-chat/email", to, node.login("alice")).status()).isEqualTo(404);
    TestNode.Http bad = node.post("/api/v1/chats/" + chatId + "/email", new JsonObject().put("to", "nope"),
        node.login("carol"));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().getString("error")).isEqualTo("bad_request");
    assertThat(smtp.poll(300)).isNull();
  }

  @Test
  void featuresSayWhetherMailIsSetUp(Vertx vertx) {
    TestNode on = withMail(vertx, smtp.port()).start();
    TestNode.Http r = on.get("/api/v1/features");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().getBoolean("emailTranscripts")).isTrue();
    assertThat(r.header("Access-Control-Allow-Origin")).contains("*");

    TestNode off = TestNode.start(vertx);
    assertThat(off.get("/api/v1/features").json().getBoolean("emailTranscripts")).isFalse();
  }

  @Test
  void withoutMailTheGuestIsToldAndTheOperatorRouteIsNotThere(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    FrameClient alice = FrameClient.operator(node, "alice");
    FrameClient guest = FrameClient.guest(node);
    String chatId = chat(node, alice, guest);
    guest.send(new JsonObject().put("type", "close"));
    guest.next("closed");

    guest.send(emailFrame("pat@example.org"));
    guest.expectError("bad_request");
    guest.assertOpen();
    TestNode.Http r = node.post("/api/v1/chats/" + chatId + "/email", new JsonObject().put("to", "pat@example.org"),
        node.login("alice"));
    assertThat(r.status()).isEqualTo(404);
  }

  @Test
  void aMailServerThatCannotBeReachedGivesUnavailable(Vertx vertx) throws IOException {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    TestNode node = withMail(vertx, closedPort).start();
    FrameClient alice = FrameClient.operator(node, "alice");
    FrameClient guest = FrameClient.guest(node);
    String chatId = chat(node, alice, guest);
    alice.send(new JsonObject().put("type", "close").put("chatId", chatId));
    guest.next("closed");

    guest.send(emailFrame("pat@example.org"));
    guest.expectError("unavailable");
    guest.assertOpen();
    // a failed send does not use up the guest's copies
    for (int i = 0; i < 3; i++) {
      guest.send(emailFrame("pat@example.org"));
      guest.expectError("unavailable");
    }
  }

  /** Whether the transcript has a line "HH:MM " + {@code rest}. */
  private static boolean lines(String text, String rest) {
    return Pattern.compile("(?m)^\\d\\d:\\d\\d " + Pattern.quote(rest) + "\\r?$").matcher(text).find();
  }
}
