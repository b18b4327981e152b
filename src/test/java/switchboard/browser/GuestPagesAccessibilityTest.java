package switchboard.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import switchboard.a11y.Axe;
import switchboard.e2e.FrameClient;

/**
 * Issue 16: axe-core finds no WCAG 2.1 A/AA violation in what guests see: the widget (inside its
 * shadow root) closed, open, chatting, ended with its rating box, and offline with its form; the
 * chat-box page; the demo page.
 */
class GuestPagesAccessibilityTest extends BrowserTestBase {

  @Test
  void theWidgetInEveryStateHasNoViolation() {
    startNode(config -> config.getJsonArray("queues").getJsonObject(0).put("rating", true)
        .put("form", new JsonObject().put("name", "required").put("email", "optional").put("question", "required")));
    // alice staffs ill; nobody staffs general, whose widget shows the leave-a-message form
    FrameClient alice = operator("alice", "ill");
    openLibraryPage("general");
    hook("open");
    assertThat(Axe.violations(driver, "#switchboard-widget")).as("closed, offline").isEmpty();
    openWidget();
    waitForStatus("Nobody is available");
    assertThat(Axe.violations(driver, "#switchboard-widget")).as("the leave-a-message form").isEmpty();

    openLibraryPage("ill");
    openWidget();
    waitForStatus("Someone is available");
    assertThat(Axe.violations(driver, "#switchboard-widget")).as("ready, with the pre-chat form").isEmpty();
    say("A question");
    assertThat(Axe.violations(driver, "#switchboard-widget")).as("the form's error").isEmpty();
    hook("name").sendKeys("Pat");
    hook("input").sendKeys(org.openqa.selenium.Keys.ENTER);
    String chatId = alice.next("offer").getString("chatId");
    alice.accept(chatId);
    waitForStatus("joined");
    alice.say(chatId, "Hello Pat, see https://library.example/help");
    waitForMessage("operator", "Hello Pat, see https://library.example/help");
    assertThat(Axe.violations(driver, "#switchboard-widget")).as("chatting").isEmpty();
    alice.send(new JsonObject().put("type", "close").put("chatId", chatId));
    waitForStatus("ended");
    hook("rating");
    assertThat(Axe.violations(driver, "#switchboard-widget")).as("ended, with the rating box").isEmpty();
  }

  /** The check itself: axe finds what is wrong, also inside the widget's shadow root. */
  @Test
  void axeSeesAViolationInsideTheShadowRoot() {
    startNode();
    openLibraryPage("ill");
    hook("open");
    js(WIDGET_ROOT + ".querySelector('.sb').append(Object.assign(document.createElement('img'), {src: 'x.png'}))");
    assertThat(Axe.violations(driver, "#switchboard-widget")).anySatisfy(v -> assertThat(v).startsWith("image-alt"));
  }

  /**
   * The check judges colours as they end up: the panel fades in (made slow here, 1.5 s), and axe
   * waits for that instead of reading the half-transparent panel as too pale (CI caught that once).
   */
  @Test
  void axeJudgesThePanelOnceItHasFadedIn() {
    startNode();
    operator("alice", "ill");
    openLibraryPage("ill");
    hook("open");
    js(WIDGET_ROOT + ".append(Object.assign(document.createElement('style'),"
        + " {textContent: '.sb-panel:not([hidden]) { animation-duration: 1.5s !important; }'}))");
    openWidget();
    assertThat(Axe.violations(driver, "#switchboard-widget")).as("the panel, read while fading in").isEmpty();
  }

  @Test
  void theChatBoxAndTheDemoPageHaveNoViolation() {
    startNode();
    driver.get(node.uri("/chat/ill").toString());
    root = PAGE_ROOT;
    waitForStatus("Nobody is available");
    assertThat(Axe.violations(driver)).as("the chat box, offline").isEmpty();
    FrameClient alice = operator("alice", "ill");
    driver.get(node.uri("/chat/ill").toString());
    waitForStatus("Someone is available");
    assertThat(Axe.violations(driver)).as("the chat box, ready").isEmpty();
    alice.close();

    driver.get(node.uri("/").toString());
    root = WIDGET_ROOT;
    hook("open");
    assertThat(Axe.violations(driver)).as("the demo page").isEmpty();
  }
}
