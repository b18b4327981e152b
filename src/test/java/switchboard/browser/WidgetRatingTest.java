package switchboard.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import switchboard.e2e.FrameClient;

/** Issue 16: after the chat, a queue that asks for ratings gets one (1 to 5, a comment) from the widget. */
class WidgetRatingTest extends BrowserTestBase {

  @Test
  void theGuestRatesTheChatOnceItHasEndedAndTheStatsCountIt() {
    startNode(config -> config.getJsonArray("queues").getJsonObject(0).put("rating", true));
    FrameClient alice = operator("alice", "ill");
    openLibraryPage("ill");
    openWidget();
    waitForStatus("Someone is available");
    say("Do you have the Times from 1912?");
    String chatId = alice.next("offer").getString("chatId");
    alice.accept(chatId);
    waitForStatus("joined");
    assertThat(shown("rating")).as("no rating while the chat runs").isFalse();
    alice.send(new JsonObject().put("type", "close").put("chatId", chatId).put("resolution", "answered"));
    waitForStatus("ended");

    hook("rating-send").click();
    assertThat(hook("rating-status").getText()).contains("choose a number");
    widget().findElement(By.cssSelector("[data-sb=rating-value][value='4']")).click();
    hook("rating-comment").sendKeys("Found it, thanks!");
    hook("rating-send").click();
    until(d -> hook("rating-status").getText().contains("Thank you") ? true : null, "the thanks");
    assertThat(shown("rating-send")).isFalse();

    JsonObject totals = node.get("/api/v1/stats", node.login("alice")).json().getJsonObject("totals");
    assertThat(totals.getInteger("rated")).isEqualTo(1);
    assertThat(totals.getDouble("ratingAverage")).isEqualTo(4.0);
    assertThat(totals.getJsonObject("resolutions").getInteger("answered")).isEqualTo(1);
    assertThat(node.get("/api/v1/stats.csv?rows=chats&token=" + node.login("alice")).body())
        .contains(",4,\"Found it, thanks!\",answered");
  }

  @Test
  void aQueueThatDoesNotAskShowsNoRating() {
    startNode();
    FrameClient alice = operator("alice", "ill");
    openLibraryPage("ill");
    openWidget();
    waitForStatus("Someone is available");
    say("Hello");
    String chatId = alice.next("offer").getString("chatId");
    alice.accept(chatId);
    waitForStatus("joined");
    alice.send(new JsonObject().put("type", "close").put("chatId", chatId));
    waitForStatus("ended");
    hook("restart");
    assertThat(shown("rating")).isFalse();
  }
}
