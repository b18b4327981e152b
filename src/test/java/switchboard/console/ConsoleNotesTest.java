package switchboard.console;

import static org.assertj.core.api.Assertions.assertThat;
import static switchboard.console.Console.chatSelector;
import static switchboard.console.Console.offerSelector;
import static switchboard.console.Console.sb;

import org.junit.jupiter.api.Test;
import switchboard.e2e.FrameClient;

/** Issue 16 in the console: an internal note, and a transfer whose note the next operator's offer shows. */
class ConsoleNotesTest extends ConsoleTestBase {

  @Test
  void aNoteStaysWithStaffAndTheTransferNoteIsOnTheNextOffer() {
    startNode();
    Console alice = console("alice").login("alice");
    alice.setAvailable("ill", true);
    Console bob = console("bob").login("bob");
    bob.setAvailable("general", true);
    node.awaitPresence("ill", true);
    node.awaitPresence("general", true);

    FrameClient guest = guest();
    String chatId = guest.start("ill", "Pat").getString("chatId");
    alice.accept(chatId);
    guest.next("joined");
    String pane = chatSelector(chatId);
    alice.shown(pane + " " + sb("note-input")).sendKeys("Visiting scholar, no card yet");
    alice.shown(pane + " " + sb("note-add")).click();
    alice.until(d -> alice.timeline(chatId).stream().anyMatch(t -> t.contains("Note by Alice: Visiting scholar"))
        ? true : null, "the note in the timeline");

    alice.choose(pane + " " + sb("transfer-target"), "queue:general");
    alice.shown(pane + " " + sb("transfer-note")).sendKeys("Needs the map room");
    alice.shown(pane + " " + sb("transfer")).click();
    bob.waitForText(offerSelector(chatId) + " " + sb("offer-transfer"), "Transferred by Alice: “Needs the map room”");
    bob.accept(chatId);
    bob.until(d -> bob.timeline(chatId).stream().anyMatch(t -> t.contains("Visiting scholar")) ? true : null,
        "alice's note in bob's timeline");
    assertThat(bob.timeline(chatId)).anySatisfy(t -> assertThat(t).contains("Needs the map room"));

    guest.expectNone("message", m -> m.getString("text").contains("scholar") || m.getString("text").contains("map room"),
        FrameClient.QUIET);
    assertThat(alice.scriptErrors()).isEmpty();
    assertThat(bob.scriptErrors()).isEmpty();
  }
}
