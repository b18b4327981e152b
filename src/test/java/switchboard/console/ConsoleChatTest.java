package switchboard.console;

import static org.assertj.core.api.Assertions.assertThat;
import static switchboard.console.Console.chatSelector;
import static switchboard.console.Console.offerSelector;
import static switchboard.console.Console.sb;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import switchboard.e2e.FrameClient;
import switchboard.e2e.TestNode;

/** Offers, rollover, the accept race, chatting, transfers, canned responses and the timeline, in the console. */
class ConsoleChatTest extends ConsoleTestBase {

  /** A console signed in as {@code user} and available on {@code queues}, with the presence API agreeing. */
  private Console available(String user, String... queues) {
    Console c = console(user).login(user);
    for (String queue : queues) {
      c.setAvailable(queue, true);
    }
    for (String queue : queues) {
      node.awaitPresence(queue, true);
    }
    return c;
  }

  @Test
  void anOfferRingsOnItsQueueThenWidensToTheBackup() {
    startNode(b -> b.rolloverAfterSeconds(1));
    Console carol = available("carol", "ill");
    Console dave = available("dave", "general");

    FrameClient guest = guest();
    String chatId = guest.start("ill", "Pat").getString("chatId");

    String offer = offerSelector(chatId);
    carol.waitForText(offer + " " + sb("offer-guest"), "Pat");
    assertThat(carol.text(offer + " " + sb("offer-queue"))).isEqualTo("ill");
    assertThat(carol.text(offer + " " + sb("offer-offered-on"))).isEqualTo("ill");
    assertThat(carol.isShown(offer + " " + sb("offer-widened"))).isFalse();
    assertThat(carol.text(offer + " " + sb("offer-page"))).isEqualTo("https://library.example/help");
    assertThat(dave.isShown(offer)).as("dave (general) is not offered the chat before the rollover").isFalse();
    assertThat(carol.shown(sb("console")).getAttribute("data-rings")).isEqualTo("1");

    // after a second nobody on ill answered: the offer widens to general, and carol keeps hers
    dave.waitForText(offer + " " + sb("offer-offered-on"), "general");
    assertThat(dave.text(offer + " " + sb("offer-queue"))).isEqualTo("ill");
    assertThat(dave.text(offer + " " + sb("offer-widened"))).isEqualTo("widened");
    assertThat(carol.isShown(offer)).isTrue();
    // the waiting time counts up while it rings
    dave.until(d -> !dave.text(offer + " " + sb("offer-waited")).equals("0:00") ? true : null, "the waiting time to count");
  }

  @Test
  void twoConsolesRaceToAcceptAndExactlyOneGetsTheChat() {
    startNode();
    Console bob = available("bob", "general");
    Console dave = available("dave", "general");
    FrameClient guest = guest();
    String chatId = guest.start("general", "Sam").getString("chatId");
    bob.offer(chatId);
    dave.offer(chatId);

    // both click Accept at the same instant (each page schedules its own click for it)
    long at = System.currentTimeMillis() + 1000;
    for (Console c : List.of(bob, dave)) {
      c.js("const b = document.querySelector(arguments[0]); setTimeout(() => b.click(), arguments[1] - Date.now());",
          offerSelector(chatId) + " " + sb("accept"), at);
    }

    String joined = guest.next("joined").getString("operator");
    Console winner = "Bob".equals(joined) ? bob : dave;
    Console loser = winner == bob ? dave : bob;
    winner.chat(chatId);
    loser.waitGone(offerSelector(chatId));
    assertThat(loser.isShown(chatSelector(chatId))).as("the other console has no pane for the chat").isFalse();
    assertThat(winner.isShown(offerSelector(chatId))).isFalse();
    assertThat(winner.driver.findElements(By.cssSelector(chatSelector(chatId)))).hasSize(1);
    assertThat(loser.driver.findElements(By.cssSelector(chatSelector(chatId)))).isEmpty();
    guest.expectNone("joined", FrameClient.QUIET);
    // no assertion on the "answered first" notice: the loser's click may land after its offer
    // was already withdrawn, and then there is nothing to say
    loser.screenshot("console-twoConsolesRaceToAcceptAndExactlyOneGetsTheChat-loser");
  }

  @Test
  void chatBothWaysWithTypingUnreadCountsAndNextChat() {
    startNode();
    Console alice = available("alice", "ill");
    FrameClient pat = guest();
    String first = pat.start("ill", "Pat").getString("chatId");
    pat.say("Hello, I need a book from 1990");
    alice.offer(first);
    // Enter on a focused offer accepts it
    alice.offer(first).sendKeys(Keys.ENTER);
    alice.chat(first);
    alice.waitForMessage(first, "guest", "Hello, I need a book from 1990");
    assertThat(pat.next("joined").getString("operator")).isEqualTo("Alice");
    assertThat(alice.text(chatSelector(first) + " " + sb("chat-page"))).isEqualTo("https://library.example/help");
    assertThat(alice.shown(chatSelector(first) + " " + sb("message-time")).getText()).matches("\\d\\d:\\d\\d:\\d\\d");

    // the guest types: the pane says so
    pat.send(new JsonObject().put("type", "typing").put("typing", true));
    alice.waitForText(chatSelector(first) + " " + sb("typing"), "Pat is typing");

    // the operator types: the guest hears it, then gets the message
    WebElement input = alice.input(first);
    input.sendKeys("Which title");
    pat.next("typing", f -> f.getBoolean("typing"), FrameClient.TIMEOUT);
    input.sendKeys("?");
    input.sendKeys(Keys.ENTER);
    JsonObject toGuest = pat.next("message", m -> "Which title?".equals(m.getString("text")), FrameClient.TIMEOUT);
    assertThat(toGuest.getString("from")).isEqualTo("operator");
    assertThat(toGuest.getString("name")).isEqualTo("Alice");
    Console.Shown mine = alice.waitForMessage(first, "operator", "Which title?");
    assertThat(mine.seq()).isEqualTo(String.valueOf(toGuest.getInteger("seq")));
    assertThat(alice.shown(chatSelector(first) + " " + sb("input")).getAttribute("value")).isEmpty();

    pat.say("The Name of the Rose");
    alice.waitForMessage(first, "guest", "The Name of the Rose");
    alice.waitGone(chatSelector(first) + " " + sb("typing"));

    // a second chat at once: it comes to the front, and the first counts what arrives meanwhile
    FrameClient kim = guest();
    String second = kim.start("ill", "Kim").getString("chatId");
    alice.accept(second);
    alice.waitForText(chatSelector(second) + " " + sb("chat-guest"), "Kim");
    assertThat(alice.isShown(chatSelector(first))).as("one pane at a time").isFalse();
    pat.say("Are you still there?");
    String firstTab = sb("chat-tab") + "[data-chat=\"" + first + "\"]";
    alice.waitForText(firstTab + " " + sb("unread"), "1");

    // Alt+N goes to the next chat, the one with the unread message, and clears the count
    alice.input(second).sendKeys(Keys.chord(Keys.ALT, "n"));
    alice.chat(first);
    alice.waitForMessage(first, "guest", "Are you still there?");
    alice.waitGone(firstTab + " " + sb("unread"));
    assertThat(alice.shown(firstTab).getAttribute("aria-selected")).isEqualTo("true");

    // the guest leaves: the pane says so and its box is closed
    pat.send(new JsonObject().put("type", "close"));
    alice.waitForText(chatSelector(first) + " " + sb("chat-ended"), "Pat left the chat");
    assertThat(alice.shown(chatSelector(first) + " " + sb("input")).isEnabled()).isFalse();

    // the operator ends the other chat, then reads its transcript
    alice.shown(sb("chat-tab") + "[data-chat=\"" + second + "\"]").click();
    alice.shown(chatSelector(second) + " " + sb("close")).click();
    assertThat(kim.next("closed").getString("by")).isEqualTo("operator");
    alice.waitForText(chatSelector(second) + " " + sb("chat-ended"), "You ended the chat");
    alice.shown(chatSelector(second) + " " + sb("transcript")).click();
    alice.waitForText(sb("transcript-title"), "Chat with Kim");
    alice.screenshot("console-chatBothWaysWithTypingUnreadCountsAndNextChat-transcript");
    alice.shown(sb("transcript-dialog") + " " + sb("dialog-close")).click();

    // on a tablet the columns stack: the queues and offers above the chats
    alice.shown(firstTab).click();
    viewport(alice, 800, 1100);
    alice.until(d -> {
      Object stacked = alice.js("const side = document.querySelector('.side').getBoundingClientRect();"
          + " const work = document.querySelector('.work').getBoundingClientRect();"
          + " return side.bottom <= work.top + 1 && work.width > 700;");
      return Boolean.TRUE.equals(stacked) ? true : null;
    }, "the columns to stack");
    alice.screenshot("console-chatBothWaysWithTypingUnreadCountsAndNextChat-tablet");
    viewport(alice, 1280, 800);
  }

  @Test
  void transferToAnotherQueueThenToANamedOperator() {
    startNode();
    Console alice = available("alice", "ill", "general");
    Console bob = available("bob", "general");
    FrameClient guest = guest();
    String chatId = guest.start("ill", "Pat").getString("chatId");
    alice.accept(chatId);
    assertThat(guest.next("joined").getString("operator")).isEqualTo("Alice");
    guest.say("It is really a general question");
    alice.waitForMessage(chatId, "guest", "It is really a general question");

    // to a queue: the chat is offered on general, and bob takes it
    String pane = chatSelector(chatId);
    alice.choose(pane + " " + sb("transfer-target"), "queue:general");
    alice.shown(pane + " " + sb("transfer")).click();
    alice.waitForText(pane + " " + sb("chat-ended"), "You transferred this chat to Ask a Librarian");
    bob.waitForText(offerSelector(chatId) + " " + sb("offer-offered-on"), "general");
    bob.accept(chatId);
    guest.next("joined", f -> "Bob".equals(f.getString("operator")), FrameClient.TIMEOUT);
    bob.waitForMessage(chatId, "guest", "It is really a general question");
    alice.waitGone(offerSelector(chatId));

    // to a named operator: alice is offered it (she is available on general) and accepts
    String bobsPane = chatSelector(chatId);
    bob.until(d -> bob.driver.findElements(By.cssSelector(bobsPane + " " + sb("transfer-target")
        + " option[value=\"operator:alice\"]")).isEmpty() ? null : true, "alice in bob's transfer list");
    bob.choose(bobsPane + " " + sb("transfer-target"), "operator:alice");
    bob.shown(bobsPane + " " + sb("transfer")).click();
    bob.waitForText(bobsPane + " " + sb("chat-ended"), "You transferred this chat to Alice");
    alice.offer(chatId);
    alice.accept(chatId);
    guest.next("joined", f -> "Alice".equals(f.getString("operator")), FrameClient.TIMEOUT);
    alice.until(d -> alice.shown(pane + " " + sb("input")).isEnabled() ? true : null, "alice's box to open again");
    alice.say(chatId, "Back with me, Pat");
    guest.next("message", m -> "Back with me, Pat".equals(m.getString("text")), FrameClient.TIMEOUT);
    assertThat(alice.timeline(chatId)).anySatisfy(t -> assertThat(t).startsWith("Transferred to general"));
    bob.screenshot("console-transferToAnotherQueueThenToANamedOperator-bob");
  }

  @Test
  void aCannedResponseIsManagedInTheConsoleAndInsertedWithSlash() {
    startNode();
    Console alice = available("alice", "ill");

    alice.shown(sb("canned-manage")).click();
    alice.shown(sb("canned-shortcut")).sendKeys("hours");
    alice.shown(sb("canned-text")).sendKeys("We are open 9 to 5, Monday to Friday.");
    alice.shown(sb("canned-save")).click();
    alice.waitForText(sb("canned-item"), "/hours");
    new Select(alice.shown(sb("canned-queue"))).selectByValue("ill");
    alice.shown(sb("canned-shortcut")).sendKeys("ill-form");
    alice.shown(sb("canned-text")).sendKeys("Please fill in the ILL request form.");
    alice.shown(sb("canned-save")).click();
    alice.until(d -> d.findElements(By.cssSelector(sb("canned-item"))).size() == 2 ? true : null, "two responses listed");
    alice.screenshot("console-aCannedResponseIsManagedInTheConsoleAndInsertedWithSlash-dialog");
    alice.shown(sb("canned-dialog") + " " + sb("dialog-close")).click();

    List<String> stored = node.get("/api/v1/canned", alice.token()).json().getJsonArray("responses").stream()
        .map(r -> ((JsonObject) r).getString("shortcut") + "@" + ((JsonObject) r).getString("queue")).toList();
    assertThat(stored).containsExactlyInAnyOrder("hours@null", "ill-form@ill");

    FrameClient guest = guest();
    String chatId = guest.start("ill", "Pat").getString("chatId");
    alice.accept(chatId);
    WebElement input = alice.input(chatId);
    input.sendKeys("Hi Pat. /ho");
    String option = chatSelector(chatId) + " " + sb("canned-option");
    alice.waitForText(option, "/hours");
    assertThat(alice.driver.findElements(By.cssSelector(option))).hasSize(1);
    alice.screenshot("console-aCannedResponseIsManagedInTheConsoleAndInsertedWithSlash-typeahead");
    input.sendKeys(Keys.ENTER);
    alice.until(d -> "Hi Pat. We are open 9 to 5, Monday to Friday.".equals(input.getAttribute("value")) ? true : null,
        "the canned text in the box (it has \"" + input.getAttribute("value") + "\")");
    assertThat(alice.isShown(option)).isFalse();
    input.sendKeys(Keys.ENTER);
    guest.next("message", m -> "Hi Pat. We are open 9 to 5, Monday to Friday.".equals(m.getString("text")),
        FrameClient.TIMEOUT);

    // Tab takes the highlighted one too
    input.sendKeys("/ill");
    alice.waitForText(option, "/ill-form");
    input.sendKeys(Keys.TAB);
    alice.until(d -> "Please fill in the ILL request form.".equals(input.getAttribute("value")) ? true : null,
        "the queue's canned text in the box");
  }

  @Test
  void theTimelineShowsEachStep() {
    startNode(b -> b.rolloverAfterSeconds(1));
    FrameClient carol = FrameClient.operator(node, "carol");
    clients.add(carol);
    carol.available("ill", true);
    node.awaitPresence("ill", true);
    Console dave = available("dave", "general");

    FrameClient guest = guest();
    String chatId = guest.start("ill", "Pat").getString("chatId");
    dave.waitForText(offerSelector(chatId) + " " + sb("offer-offered-on"), "general");
    dave.accept(chatId);
    dave.until(d -> dave.timeline(chatId).size() >= 4 ? true : null,
        "four timeline steps (shown: " + dave.timeline(chatId) + ")");
    List<String> steps = dave.timeline(chatId);
    assertThat(steps).hasSize(4);
    assertThat(steps.get(0)).matches("Asked on ill at \\d\\d:\\d\\d:\\d\\d");
    assertThat(steps.get(1)).matches("Offered on ill at \\d\\d:\\d\\d:\\d\\d");
    assertThat(steps.get(2)).matches("Widened to general at \\d\\d:\\d\\d:\\d\\d");
    assertThat(steps.get(3)).matches("Accepted by Dave on general at \\d\\d:\\d\\d:\\d\\d");

    // later steps arrive live
    dave.shown(chatSelector(chatId) + " " + sb("close")).click();
    dave.until(d -> dave.timeline(chatId).size() == 5 ? true : null, "the closing step");
    assertThat(dave.timeline(chatId).get(4)).startsWith("Closed");
  }
}
