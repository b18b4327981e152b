package switchboard.console;

import static org.assertj.core.api.Assertions.assertThat;
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
import switchboard.hardening.Xss;

/**
 * Hostile strings in the console fields that {@code ConsoleSignInTest} does not cover: queue titles,
 * operator names (the signed-in one, transfer targets, the timeline, the transcript), the guest's
 * email and page (a {@code javascript:} page never becomes a link), long messages, canned responses
 * (the list, the suggestions, the text they put in the box), and every field of an offline message.
 * Each shows as the text it is: nothing becomes an element, an event handler or a {@code javascript:}
 * link, and {@code window.__xss} (which every string would set if it ran) stays undefined.
 */
class ConsoleXssTest extends ConsoleTestBase {
  static final String ILL_TITLE = Xss.IMG + " " + Xss.TEMPLATE;
  static final String GENERAL_TITLE = Xss.SCRIPT + " " + Xss.BIDI;
  static final String CAROL_NAME = Xss.JS_URL + Xss.SCRIPT;
  static final String ALICE_NAME = Xss.IMG + " " + Xss.BIDI;
  static final String GUEST_NAME = Xss.IMG + " " + Xss.TEMPLATE;
  static final String GUEST_EMAIL = Xss.SCRIPT;
  static final String GUEST_PAGE = Xss.JS_URL;
  static final String LONG_MESSAGE = Xss.longText(4000);
  static final String CANNED_TEXT = Xss.ALL;
  static final String CANNED_LONG = Xss.longText(2000);

  private void hostileNode() {
    startNode(b -> b.editConfig(config -> {
      for (Object o : config.getJsonArray("queues")) {
        JsonObject q = (JsonObject) o;
        q.put("title", "ill".equals(q.getString("name")) ? ILL_TITLE : GENERAL_TITLE);
      }
      for (Object o : config.getJsonArray("operators")) {
        JsonObject op = (JsonObject) o;
        if ("carol".equals(op.getString("id"))) {
          op.put("name", CAROL_NAME);
        } else if ("alice".equals(op.getString("id"))) {
          op.put("name", ALICE_NAME);
        }
      }
    }));
  }

  private Console signInCarol() {
    Console carol = console("carol");
    carol.open();
    carol.submitLogin("carol", TestNode.PASSWORD);
    carol.waitSignedIn(Xss.JS_URL);
    return carol;
  }

  @Test
  void aChatWithHostileNamesTitlesPagesCannedResponsesTransferAndTranscriptShowsText() {
    hostileNode();
    String carolToken = node.login("carol");
    for (JsonObject canned : List.of(
        new JsonObject().put("queue", "ill").put("shortcut", "hostile").put("text", CANNED_TEXT),
        new JsonObject().putNull("queue").put("shortcut", "long").put("text", CANNED_LONG))) {
      TestNode.Http r = node.post("/api/v1/canned", canned, carolToken);
      assertThat(r.status()).as("%s", r).isEqualTo(201);
    }
    // alice, available on ill too, is who carol can transfer to
    FrameClient alice = FrameClient.operator(node, "alice");
    clients.add(alice);
    alice.available("ill", true);
    alice.next("availability", f -> "ill".equals(f.getString("queue")), FrameClient.TIMEOUT);

    Console carol = signInCarol();
    assertShows(carol, sb("operator-name"), CAROL_NAME);
    assertShows(carol, sb("queue") + "[data-queue=ill] " + sb("queue-title"), ILL_TITLE);
    carol.setAvailable("ill", true);
    assertNothingInjected(carol, "the signed-in console");

    FrameClient guest = guest();
    guest.send(new JsonObject().put("type", "start").put("queue", "ill").put("name", GUEST_NAME)
        .put("email", GUEST_EMAIL).put("page", GUEST_PAGE));
    String chatId = guest.next("started").getString("chatId");
    alice.offerFor(chatId); // it rings for her too; the offer that counts below is the transfer's
    String offer = Console.offerSelector(chatId);
    assertShows(carol, offer + " " + sb("offer-guest"), GUEST_NAME);
    assertShows(carol, offer + " " + sb("offer-page"), GUEST_PAGE);
    assertNothingInjected(carol, "the offer");

    carol.accept(chatId);
    String pane = Console.chatSelector(chatId);
    assertShows(carol, pane + " " + sb("chat-guest"), GUEST_NAME);
    assertShows(carol, pane + " " + sb("chat-email"), GUEST_EMAIL);
    assertShows(carol, pane + " " + sb("chat-page"), GUEST_PAGE);
    assertShows(carol, pane + " " + sb("chat-queue"), ILL_TITLE);
    assertThat(carol.shown(pane + " " + sb("chat-page")).getAttribute("href"))
        .as("a javascript: page is not made a link").isNull();
    assertShows(carol, pane + " " + sb("timeline"), "Accepted by " + CAROL_NAME);
    guest.say(LONG_MESSAGE);
    carol.waitForMessage(chatId, "guest", LONG_MESSAGE);
    assertNothingInjected(carol, "the chat");

    // canned responses: the suggestion shows the text, choosing it puts the text in the box as it is
    WebElement input = carol.input(chatId);
    input.sendKeys("/hostile");
    WebElement option = carol.shown(pane + " " + sb("canned-option"));
    assertThat(Xss.text(carol.driver, option)).contains(CANNED_TEXT).contains(ILL_TITLE);
    input.sendKeys(Keys.ENTER);
    carol.until(d -> CANNED_TEXT.equals(Xss.value(carol.driver, input)) ? true : null,
        "the canned text in the box");
    input.sendKeys(Keys.ENTER);
    carol.waitForMessage(chatId, "operator", CANNED_TEXT);
    assertThat(guest.next("message", m -> CANNED_TEXT.equals(m.getString("text")), FrameClient.TIMEOUT)
        .getString("name")).isEqualTo(CAROL_NAME);
    carol.shown(sb("canned-manage")).click();
    WebElement dialog = carol.shown(sb("canned-dialog"));
    assertShows(carol, sb("canned-list"), CANNED_TEXT);
    assertShows(carol, sb("canned-list"), CANNED_LONG);
    assertShows(carol, sb("canned-list"), "Everyone on " + ILL_TITLE);
    assertNothingInjected(carol, "the canned responses");
    dialog.findElement(By.cssSelector(sb("dialog-close"))).click();
    carol.waitGone(sb("canned-dialog"));

    // transfer to alice: her name in the menu, the timeline and the note
    WebElement target = carol.shown(pane + " " + sb("transfer-target"));
    assertThat(new Select(target).getOptions().stream().map(o -> Xss.text(carol.driver, o)).toList())
        .contains(ALICE_NAME + " (available)", GENERAL_TITLE, ILL_TITLE);
    carol.choose(pane + " " + sb("transfer-target"), "operator:alice");
    carol.shown(pane + " " + sb("transfer")).click();
    alice.next("offer", f -> chatId.equals(f.getString("chatId")) && f.containsKey("transferredBy"),
        FrameClient.TIMEOUT);
    alice.accept(chatId);
    assertShows(carol, pane + " " + sb("chat-ended"), ALICE_NAME);
    assertShows(carol, pane + " " + sb("timeline"), "Transferred to " + ALICE_NAME);
    alice.say(chatId, Xss.TEMPLATE);
    alice.send(new JsonObject().put("type", "close").put("chatId", chatId));
    guest.next("closed");
    assertNothingInjected(carol, "the transferred chat");

    // the transcript: guest, email, page, who answered, every message
    carol.shown(pane + " " + sb("transcript")).click();
    String transcript = sb("transcript-dialog");
    assertShows(carol, transcript + " " + sb("transcript-title"), GUEST_NAME);
    assertShows(carol, transcript + " " + sb("transcript-meta"), GUEST_PAGE);
    assertShows(carol, transcript + " " + sb("transcript-meta"), GUEST_EMAIL);
    assertShows(carol, transcript + " " + sb("transcript-meta"), "by " + ALICE_NAME);
    assertShows(carol, transcript + " " + sb("transcript"), LONG_MESSAGE);
    assertShows(carol, transcript + " " + sb("transcript"), CANNED_TEXT);
    assertShows(carol, transcript + " " + sb("transcript"), Xss.TEMPLATE);
    assertShows(carol, transcript + " " + sb("transcript"), "Transferred to " + ALICE_NAME);
    assertNothingInjected(carol, "the transcript");
  }

  @Test
  void everyFieldOfAnOfflineMessageShowsAsText() {
    hostileNode();
    String question = Xss.longText(3000);
    String email = "<img/src=x/onerror=window.__xss=1>@example.org";
    TestNode.Http left = node.post("/api/v1/offline", new JsonObject().put("queue", "ill").put("name", GUEST_NAME)
        .put("email", email).put("question", question).put("page", GUEST_PAGE), null);
    assertThat(left.status()).as("%s", left).isEqualTo(201);

    Console carol = signInCarol();
    String item = sb("inbox-item");
    assertShows(carol, item + " " + sb("inbox-name"), GUEST_NAME);
    assertShows(carol, item + " " + sb("inbox-email"), email);
    assertShows(carol, item + " " + sb("inbox-question"), question);
    assertShows(carol, item + " " + sb("inbox-page"), GUEST_PAGE);
    String href = carol.shown(item + " " + sb("inbox-email")).getAttribute("href");
    assertThat(href).as("the address is a mailto: link or none").satisfiesAnyOf(
        h -> assertThat(h).isNull(), h -> assertThat(h).startsWith("mailto:"));
    assertNothingInjected(carol, "the inbox");

    // marked done, the item names who did it
    carol.shown(item + " " + sb("inbox-done")).click();
    assertShows(carol, item + "[data-done=true] " + sb("inbox-done-by"), CAROL_NAME);
    assertNothingInjected(carol, "the inbox after marking done");
  }

  // ---------------------------------------------------------------- helpers

  /** Waits until {@code css} is shown and its text (as the page holds it) contains {@code expected}. */
  private static void assertShows(Console c, String css, String expected) {
    try {
      c.until(d -> {
        List<WebElement> found = d.findElements(By.cssSelector(css));
        return !found.isEmpty() && found.get(0).isDisplayed() && Xss.text(c.driver, found.get(0)).contains(expected)
            ? true : null;
      }, css + " to show " + abbreviate(expected));
    } catch (org.openqa.selenium.TimeoutException e) {
      throw new AssertionError(e.getMessage() + "; it shows " + abbreviate(safeText(c, css)), e);
    }
  }

  private static String safeText(Console c, String css) {
    try {
      List<WebElement> found = c.driver.findElements(By.cssSelector(css));
      return found.isEmpty() ? "<absent>" : Xss.text(c.driver, found.get(0));
    } catch (RuntimeException e) {
      return "?";
    }
  }

  private static String abbreviate(String s) {
    return s == null || s.length() <= 200 ? String.valueOf(s) : s.substring(0, 200) + "… (" + s.length() + " chars)";
  }

  private static void assertNothingInjected(Console c, String where) {
    assertThat(Xss.injections(c.driver)).as("%s: markup or script made from text on %s", c.label, where).isEmpty();
  }
}
