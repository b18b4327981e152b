package switchboard.library;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import switchboard.e2e.FrameClient;
import switchboard.e2e.TestNode;

/**
 * Issue 16: internal notes are staff only (never a frame to the guest, never in what the guest
 * can read), and a transfer carries a note the receiving operator's offer shows with who sent it.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NotesAndTransferNoteTest {

  @Test
  void notesStayWithStaffAndATransferSaysWhoAndWhy(Vertx vertx) {
    TestNode node = TestNode.builder(vertx).guestGraceSeconds(30).start();
    FrameClient alice = FrameClient.operator(node, "alice");
    FrameClient bob = FrameClient.operator(node, "bob");
    alice.available("ill", true);
    bob.available("general", true);
    node.awaitPresence("ill", true);
    node.awaitPresence("general", true);

    FrameClient pat = FrameClient.guest(node);
    String chatId = pat.start("ill", "Pat").getString("chatId");
    alice.offerFor(chatId);
    alice.accept(chatId);
    pat.next("joined");

    alice.send(new JsonObject().put("type", "note").put("chatId", chatId).put("text", "Patron is a visiting scholar"));
    JsonObject noted = alice.nextFor("timeline", chatId).getJsonObject("event");
    assertThat(noted.getString("kind")).isEqualTo("note");
    assertThat(noted.getString("text")).isEqualTo("Patron is a visiting scholar");
    assertThat(noted.getString("operator")).isEqualTo("alice");
    bob.send(new JsonObject().put("type", "note").put("chatId", chatId).put("text", "not mine"));
    assertThat(bob.next("error").getString("code")).isEqualTo("forbidden");

    // a transfer to bob by name, with a note: his offer says who and why
    alice.send(new JsonObject().put("type", "transfer").put("chatId", chatId).put("operator", "bob")
        .put("note", "Needs the map collection"));
    JsonObject offer = bob.offerFor(chatId);
    assertThat(offer.getString("transferredBy")).isEqualTo("alice");
    assertThat(offer.getString("transferredByName")).isEqualTo("Alice");
    assertThat(offer.getString("transferNote")).isEqualTo("Needs the map collection");
    JsonObject accepted = bob.accept(chatId);
    List<String> kinds = accepted.getJsonArray("timeline").stream().map(e -> ((JsonObject) e).getString("kind")).toList();
    assertThat(kinds).contains("note", "transferred");
    JsonObject transferred = accepted.getJsonArray("timeline").stream().map(e -> (JsonObject) e)
        .filter(e -> "transferred".equals(e.getString("kind"))).findFirst().orElseThrow();
    assertThat(transferred.getString("text")).isEqualTo("Needs the map collection");

    // the guest saw none of it: only the system's "Transferring you…" message
    pat.send(new JsonObject().put("type", "close"));
    pat.next("closed");
    List<String> toGuest = pat.received().stream().map(JsonObject::encode).toList();
    assertThat(String.join("\n", toGuest)).doesNotContain("visiting scholar").doesNotContain("map collection");
    JsonObject transcript = node.chat(chatId, node.login("bob"));
    assertThat(transcript.getJsonArray("messages").encode()).doesNotContain("visiting scholar");
    JsonArray timeline = transcript.getJsonArray("timeline");
    assertThat(timeline.encode()).contains("visiting scholar");
  }
}
