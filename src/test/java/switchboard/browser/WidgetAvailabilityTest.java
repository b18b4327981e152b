package switchboard.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.DayOfWeek;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import switchboard.e2e.FrameClient;

/**
 * Issue 16: the leave-a-message form asks again who is available and turns into the chat when
 * someone comes (keeping what the guest wrote), and opening times say "today" or "tomorrow".
 */
class WidgetAvailabilityTest extends BrowserTestBase {

  @Test
  void theFormBecomesTheChatWhenSomeoneComes() {
    startNode();
    driver.get(siteOrigin() + "/?queue=ill&recheck=2");
    openWidget();
    waitForStatus("Nobody is available");
    assertThat(shown("offline-form")).isTrue();

    FrameClient alice = operator("alice", "ill");
    waitForStatus("Someone is available");
    assertThat(shown("offline-form")).isFalse();
    assertThat(shown("input")).isTrue();
    alice.close();
  }

  @Test
  void whatTheGuestWroteComesAlongToTheChat() {
    startNode();
    driver.get(siteOrigin() + "/?queue=ill&recheck=2");
    openWidget();
    waitForStatus("Nobody is available");
    hook("offline-name").sendKeys("Pat");
    hook("offline-question").sendKeys("Is the map room open on Sunday?");

    FrameClient alice = operator("alice", "ill");
    hook("offline-chat-now").click();
    assertThat(hook("input").getAttribute("value")).isEqualTo("Is the map room open on Sunday?");
    assertThat(hook("name").getAttribute("value")).isEqualTo("Pat");
    hook("input").sendKeys(org.openqa.selenium.Keys.ENTER);
    JsonObject offer = alice.next("offer");
    assertThat(offer.getString("question")).isEqualTo("Is the map room open on Sunday?");
    assertThat(offer.getJsonObject("guest").getString("name")).isEqualTo("Pat");
  }

  @Test
  void theNextOpeningSaysTodayOrTomorrow() {
    // the queue's hours are set in the browser's own zone, so the next opening is later today
    // there, or (late in its day) tomorrow morning
    ZoneId browserZone = ZoneId.of((String) js("return Intl.DateTimeFormat().resolvedOptions().timeZone"));
    ZonedDateTime now = ZonedDateTime.now(browserZone);
    boolean today = now.getHour() <= 21;
    DayOfWeek day = today ? now.getDayOfWeek() : now.getDayOfWeek().plus(1);
    String range = today ? String.format("%02d:00-23:59", now.getHour() + 2) : "09:00-17:00";
    String dayKey = day.getDisplayName(TextStyle.SHORT, Locale.ENGLISH).toLowerCase(Locale.ROOT);
    startNode(config -> config.getJsonArray("queues").getJsonObject(0).put("hours", new JsonObject()
        .put("timeZone", browserZone.getId()).put("weekly", new JsonObject().put(dayKey, new JsonArray().add(range)))));
    openLibraryPage("ill");
    openWidget();
    waitForStatus("Nobody is available");
    String next = hook("offline-next").getText();
    assertThat(next).as("browser zone %s", browserZone).startsWith(today ? "We are back today at" : "We are back tomorrow at");
  }
}
