package switchboard.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import switchboard.e2e.FrameClient;

/** The full-page chat box at /chat/{queue}, on a phone-sized window. */
class ChatPageTest extends BrowserTestBase {

  @Test
  void chatPageChatsBothWaysOnAPhone() {
    startNode();
    FrameClient alice = operator("alice", "ill");
    driver.manage().window().setSize(new Dimension(390, 844));
    root = PAGE_ROOT;
    driver.get(node.uri("/chat/ill").toString());

    waitForStatus("Someone is available");
    assertThat(driver.getTitle()).contains("Interlibrary Loan");
    assertThat(js("return document.getElementById('switchboard-widget')")).as("no floating widget here").isNull();
    assertThat(js("return document.documentElement.scrollWidth <= window.innerWidth"))
        .as("nothing wider than the phone").isEqualTo(true);

    hook("name").sendKeys("Sam");
    say("Do you lend phone chargers?");
    waitForStatus("in line");
    JsonObject offer = alice.next("offer");
    String chatId = offer.getString("chatId");
    assertThat(offer.getJsonObject("guest").getString("name")).isEqualTo("Sam");
    JsonObject accepted = alice.accept(chatId);
    waitForStatus("Alice joined");
    assertOperatorGets(alice, chatId, accepted, "Do you lend phone chargers?");
    alice.say(chatId, "Yes, at the front desk, for two hours.");
    waitForMessage("operator", "Yes, at the front desk, for two hours.");
    say("Great, thank you!");
    assertOperatorGets(alice, chatId, accepted, "Great, thank you!");
    waitForMessage("guest", "Great, thank you!");

    // the composer stays on screen at the bottom of the phone
    assertThat(js("const r = document.querySelector('[data-sb=send]').getBoundingClientRect();"
        + " return r.bottom <= window.innerHeight && r.right <= window.innerWidth")).isEqualTo(true);
  }

  @Test
  void widgetOnAPhoneTakesTheWholeScreenAndMinimises() {
    startNode();
    operator("alice", "ill");
    driver.manage().window().setSize(new Dimension(390, 844));
    openLibraryPage("ill");
    openWidget();
    waitForStatus("Someone is available");
    // waited for, not read at once: the panel slides in over 160 ms
    until(d -> Boolean.TRUE.equals(js("const r = " + root + ".querySelector('.sb-panel').getBoundingClientRect();"
        + " return r.left === 0 && r.top === 0 && r.right === window.innerWidth")) ? true : null,
        "the panel to cover the phone's screen");
    assertThat(shown("open")).as("the launcher steps aside while the panel is open").isFalse();
    screenshotNamed("ChatPageTest.widgetOnAPhoneTakesTheWholeScreenAndMinimises-open");
    hook("close").click();
    assertThat(hook("open").getAttribute("aria-expanded")).isEqualTo("false");
    assertThat(shown("input")).isFalse();
  }

  @Test
  void demoPageShowsTheWidgetAndTheWayIn() {
    startNode();
    driver.manage().window().setSize(new Dimension(1280, 900));
    root = WIDGET_ROOT;
    driver.get(node.uri("/").toString());
    hook("open").click();
    hook("offline-form");
    assertThat(driver.findElement(By.cssSelector("a[href='/chat/ill']")).isDisplayed()).isTrue();
    assertThat(driver.findElement(By.cssSelector("a[href='/demo/custom-rollover.html']")).isDisplayed()).isTrue();
    assertThat(driver.findElement(By.id("snippet")).getText())
        .isEqualTo("<script src=\"" + node.uri("").toString() + "/widget.js\" data-queue=\"ill\" async></script>");
    // issue 16: the console exists, and the page says how to try a transfer with two operators
    assertThat(driver.findElement(By.tagName("body")).getText()).contains("Staff answer from the console at /console/")
        .contains("To try a transfer").doesNotContain("will live");

    driver.get(node.uri("/demo/custom-rollover.html").toString());
    hook("open").click();
    hook("offline-form");
  }
}
