package switchboard.library;

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
import switchboard.e2e.FrameClient;
import switchboard.e2e.TestNode;

/**
 * Issue 16, the pre-chat form: a queue asks for name, email and question (each off, optional or
 * required); what it requires is checked with the field named, and the question is on the offer
 * card, so staff can triage before accepting, and is the chat's first message.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PreChatFormTest {

  private static TestNode node(Vertx vertx) {
    return TestNode.builder(vertx).editConfig(config -> {
      JsonArray queues = config.getJsonArray("queues");
      queues.getJsonObject(0).put("form", new JsonObject().put("name", "required").put("email", "optional")
          .put("question", "required"));
      queues.getJsonObject(1).put("form", new JsonObject().put("question", "off"));
    }).start();
  }

  private static JsonObject start(String queue, String name, String email, String question, String clientId) {
    return new JsonObject().put("type", "start").put("queue", queue).put("name", name).put("email", email)
        .put("page", "https://library.example/ill").put("question", question).put("clientId", clientId);
  }

  @Test
  void whatAQueueRequiresIsAskedAndTheQuestionIsOnTheOffer(Vertx vertx) {
    TestNode node = node(vertx);
    FrameClient carol = FrameClient.operator(node, "carol");
    carol.available("ill", true);
    node.awaitPresence("ill", true);

    FrameClient guest = FrameClient.guest(node);
    guest.send(start("ill", null, null, "Can I renew a loan from another library?", "q1"));
    assertThat(guest.next("error").getString("message")).startsWith("name:");
    guest.send(start("ill", "Pat", null, null, null));
    assertThat(guest.next("error").getString("message")).startsWith("question:");
    guest.send(start("ill", "Pat", "not-an-address", "Can I renew?", "q1"));
    JsonObject badEmail = guest.next("error");
    assertThat(badEmail.getString("code")).isEqualTo("bad_request");
    assertThat(badEmail.getString("message")).startsWith("email:");
    guest.assertOpen();
    carol.expectNone("offer", QUIET);

    guest.send(start("ill", "Pat", "pat@example.org", "Can I renew a loan from another library?", "q1"));
    JsonObject started = guest.next("started");
    String chatId = started.getString("chatId");
    JsonObject ack = guest.next("ack");
    assertThat(ack.getString("clientId")).isEqualTo("q1");
    assertThat(ack.getLong("seq")).isEqualTo(1);

    JsonObject offer = carol.offerFor(chatId);
    assertThat(offer.getString("question")).isEqualTo("Can I renew a loan from another library?");

    // the widget sends its unacknowledged messages again after `started`: the question is not stored twice
    guest.send(FrameClient.guestMessage("Can I renew a loan from another library?", "q1"));
    assertThat(guest.next("ack", f -> "q1".equals(f.getString("clientId")), TestNode.TIMEOUT).getLong("seq"))
        .isEqualTo(1);
    JsonObject accepted = carol.accept(chatId);
    assertThat(accepted.getJsonArray("history")).hasSize(1);
    assertThat(accepted.getJsonArray("history").getJsonObject(0).getString("text"))
        .isEqualTo("Can I renew a loan from another library?");
    // the question is the guest's like every later message: under their name in the transcript
    assertThat(accepted.getJsonArray("history").getJsonObject(0).getString("name")).isEqualTo("Pat");
    assertThat(accepted.getJsonObject("guest").getString("email")).isEqualTo("pat@example.org");
    assertThat(guest.say("It is due tomorrow").getLong("seq")).isEqualTo(2);
  }

  @Test
  void aQueueThatAsksNoQuestionStartsWithoutOneAndTheListSaysWhatEachAsks(Vertx vertx) {
    TestNode node = node(vertx);
    FrameClient bob = FrameClient.operator(node, "bob");
    bob.available("general", true);
    node.awaitPresence("general", true);

    FrameClient guest = FrameClient.guest(node);
    guest.send(start("general", null, "pat@example.org", "ignored: this queue asks none", "q1"));
    String chatId = guest.next("started").getString("chatId");
    JsonObject offer = bob.offerFor(chatId);
    assertThat(offer.getValue("question")).isNull();
    assertThat(offer.getJsonObject("guest").getString("name")).isEqualTo("Guest");
    JsonObject accepted = bob.accept(chatId);
    assertThat(accepted.getJsonArray("history")).isEmpty();
    assertThat(accepted.getJsonObject("guest").getString("email"))
        .as("a queue that does not ask still keeps what a client sent").isEqualTo("pat@example.org");

    JsonArray queues = node.get("/api/v1/queues").jsonArray();
    assertThat(queues.getJsonObject(0).getJsonObject("form")).isEqualTo(new JsonObject()
        .put("name", "required").put("email", "optional").put("question", "required"));
    assertThat(queues.getJsonObject(1).getJsonObject("form")).isEqualTo(new JsonObject()
        .put("name", "optional").put("email", "off").put("question", "off"));
  }
}
