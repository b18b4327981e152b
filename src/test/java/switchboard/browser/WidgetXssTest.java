package switchboard.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.WebElement;
import switchboard.e2e.FrameClient;
import switchboard.hardening.Xss;

/**
 * Hostile strings in the widget fields that {@code WidgetChatTest} does not cover: the queue's look
 * (title, greeting, colours), its title where it has no look, and the operator's name (the "joined"
 * status and note, each message), in the widget on a library page and on the chat-box page. Each
 * shows as the text it is: nothing becomes an element, an event handler or a {@code javascript:}
 * link, and {@code window.__xss} (which every string would set if it ran) stays undefined.
 */
class WidgetXssTest extends BrowserTestBase {
  static final String SKIN_TITLE = Xss.SCRIPT + " " + Xss.BIDI;
  static final String GREETING = Xss.longText(600);
  static final String GENERAL_TITLE = Xss.IMG + " " + Xss.TEMPLATE;
  static final String ALICE_NAME = Xss.JS_URL + Xss.IMG;

  private void hostileNode() {
    startNode(config -> {
      for (Object o : config.getJsonArray("queues")) {
        JsonObject q = (JsonObject) o;
        if ("ill".equals(q.getString("name"))) {
          q.put("title", Xss.SCRIPT).put("skin", new JsonObject().put("title", SKIN_TITLE).put("greeting", GREETING)
              .put("color", "red;background:url(javascript:window.__xss=1)").put("textColor", Xss.IMG));
        } else {
          q.put("title", GENERAL_TITLE);
        }
      }
      for (Object o : config.getJsonArray("operators")) {
        JsonObject op = (JsonObject) o;
        if ("alice".equals(op.getString("id"))) {
          op.put("name", ALICE_NAME);
        }
      }
    });
  }

  @Test
  void aHostileLookAndOperatorNameShowAsTextInTheWidget() {
    hostileNode();
    FrameClient alice = operator("alice", "ill", "general");
    openLibraryPage("ill");
    openWidget();
    assertShows("title", SKIN_TITLE);
    assertShows("greeting", GREETING);
    assertNothingInjected("the opened widget");

    hook("name").sendKeys("Pat");
    say("Hello?");
    String chatId = alice.next("offer").getString("chatId");
    alice.accept(chatId);
    until(d -> Xss.text(driver, hook("status")).contains(ALICE_NAME + " joined") ? true : null,
        "the status to say the operator joined");
    assertShows("log", ALICE_NAME + " joined the chat");
    alice.say(chatId, Xss.ALL);
    waitForMessage("operator", Xss.ALL);
    assertShows("log", ALICE_NAME + " · ");
    assertNothingInjected("the chat");
  }

  @Test
  void aQueueTitleWithoutALookShowsAsTextOnTheChatBoxPage() {
    hostileNode();
    operator("alice", "general");
    root = PAGE_ROOT;
    driver.get(node.uri("/chat/general").toString());
    assertShows("title", GENERAL_TITLE);
    assertThat(driver.getTitle()).as("the document's title").isEqualTo(GENERAL_TITLE + " – chat");
    assertNothingInjected("the chat-box page");
  }

  /** Waits until hook {@code name} is shown and its text (as the page holds it) contains {@code expected}. */
  private void assertShows(String name, String expected) {
    until(d -> {
      WebElement el = hook(name);
      return Xss.text(driver, el).contains(expected) ? true : null;
    }, "[data-sb=" + name + "] to show " + (expected.length() > 120 ? expected.substring(0, 120) + "…" : expected));
  }

  private void assertNothingInjected(String where) {
    List<String> found = Xss.injections(driver);
    assertThat(found).as("markup or script made from text on %s", where).isEmpty();
  }
}
