package switchboard.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static switchboard.e2e.FrameClient.forChat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What the console is built on: rollover timelines, live queue status, canned responses and their permissions. */
@ExtendWith(VertxExtension.class)
class ConsoleSupportTest {

  private static List<String> kinds(JsonArray timeline) {
    return timeline.stream().map(e -> ((JsonObject) e).getString("kind")).toList();
  }

  @Test
  void theTimelineShowsEachRolloverStep(Vertx vertx) {
    TestNode node = TestNode.builder(vertx).rolloverAfterSeconds(1).start();
    FrameClient carol = FrameClient.operator(node, "carol");
    FrameClient dave = FrameClient.operator(node, "dave");
    carol.available("ill", true);
    dave.available("general", true);
    node.awaitPresence("ill", true);
    node.awaitPresence("general", true);

    FrameClient guest = FrameClient.guest(node);
    String chatId = guest.start("ill", "Pat").getString("chatId");
    dave.offerFor(chatId); // after the widening
    JsonObject accepted = dave.accept(chatId);
    JsonArray timeline = accepted.getJsonArray("timeline");
    assertThat(kinds(timeline)).containsExactly("asked", "offered", "widened", "accepted");
    assertThat(timeline.getJsonObject(0).getString("queue")).isEqualTo("ill");
    assertThat(timeline.getJsonObject(1).getString("queue")).isEqualTo("ill");
    assertThat(timeline.getJsonObject(2).getString("queue")).isEqualTo("general");
    assertThat(timeline.getJsonObject(3).getString("operator")).isEqualTo("dave");
    assertThat(timeline.getJsonObject(3).getString("queue")).isEqualTo("general");

    // carol's first offer (rung on ill before the widening) was withdrawn when dave accepted;
    // only the transfer's new offer, a later version, may be accepted
    int withdrawn = carol.nextFor("offer_withdrawn", chatId).getInteger("version");
    dave.send(new JsonObject().put("type", "transfer").put("chatId", chatId).put("queue", "ill"));
    carol.next("offer", o -> chatId.equals(o.getString("chatId")) && o.getInteger("version") > withdrawn,
        TestNode.TIMEOUT);
    carol.accept(chatId);
    carol.send(new JsonObject().put("type", "close").put("chatId", chatId));
    carol.nextFor("closed", chatId);

    JsonObject record = node.chat(chatId, node.login("alice"));
    assertThat(kinds(record.getJsonArray("timeline")))
        .containsExactly("asked", "offered", "widened", "accepted", "transferred", "offered", "accepted", "closed");
  }

  @Test
  void consolesSeeHowManyAreAvailableAndWaitingPerQueue(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    FrameClient bob = FrameClient.operator(node, "bob");
    JsonObject first = bob.next("queue_status", s -> "general".equals(s.getString("queue")), TestNode.TIMEOUT);
    assertThat(first.getBoolean("available")).isFalse();
    assertThat(first.getInteger("waiting")).isZero();

    FrameClient guest = FrameClient.guest(node);
    guest.start("general", "Pat");
    JsonObject waiting = bob.next("queue_status",
        s -> "general".equals(s.getString("queue")) && s.getInteger("waiting") == 1, TestNode.TIMEOUT);
    assertThat(waiting.getInteger("operatorsAvailable")).isZero();

    FrameClient dave = FrameClient.operator(node, "dave");
    dave.available("general", true);
    JsonObject staffed = bob.next("queue_status",
        s -> "general".equals(s.getString("queue")) && s.getInteger("operatorsAvailable") == 1, TestNode.TIMEOUT);
    assertThat(staffed.getBoolean("available")).isTrue();
    assertThat(staffed.getJsonArray("operators").getJsonObject(0).getString("name")).isEqualTo("Dave");
  }

  @Test
  void cannedResponsesArePersonalOrSharedByAQueuesOperators(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    String carol = node.login("carol"); // ill
    String alice = node.login("alice"); // ill, general (admin)
    String bob = node.login("bob"); // general

    TestNode.Http shared = node.post("/api/v1/canned",
        new JsonObject().put("queue", "ill").put("shortcut", "ill-form").put("text", "Fill in the ILL form."), carol);
    assertThat(shared.status()).as("%s", shared).isEqualTo(201);
    TestNode.Http personal = node.post("/api/v1/canned",
        new JsonObject().put("shortcut", "hi").put("text", "Hello, Carol here."), carol);
    assertThat(personal.status()).isEqualTo(201);
    assertThat(personal.json().getString("owner")).isEqualTo("carol");

    assertThat(node.get("/api/v1/canned", carol).json().getJsonArray("responses")).hasSize(2);
    JsonArray ofAlice = node.get("/api/v1/canned", alice).json().getJsonArray("responses");
    assertThat(ofAlice.stream().map(r -> ((JsonObject) r).getString("shortcut"))).containsExactly("ill-form");
    assertThat(node.get("/api/v1/canned", bob).json().getJsonArray("responses")).isEmpty();

    TestNode.Http notBobsQueue = node.post("/api/v1/canned",
        new JsonObject().put("queue", "ill").put("shortcut", "x").put("text", "y"), bob);
    assertThat(notBobsQueue.status()).isEqualTo(403);
    TestNode.Http badShortcut = node.post("/api/v1/canned",
        new JsonObject().put("shortcut", "Not OK").put("text", "y"), bob);
    assertThat(badShortcut.status()).isEqualTo(400);
    assertThat(badShortcut.json().getString("message")).startsWith("shortcut");

    String personalId = personal.json().getString("id");
    assertThat(node.delete("/api/v1/canned/" + personalId, alice).status())
        .as("someone else's personal response").isEqualTo(404);
    assertThat(node.delete("/api/v1/canned/" + personalId, carol).status()).isEqualTo(204);
    assertThat(node.get("/api/v1/canned", carol).json().getJsonArray("responses")).hasSize(1);
  }
}
