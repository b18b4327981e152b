package switchboard.console;

import static org.assertj.core.api.Assertions.assertThat;
import static switchboard.console.Console.chatSelector;
import static switchboard.console.Console.sb;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.support.ui.Select;
import switchboard.e2e.FrameClient;

/** Issue 16: the operator sets a chat's resolution code in the console, also after the guest left. */
class ConsoleResolutionTest extends ConsoleTestBase {

  @Test
  void theResolutionIsChosenAfterTheGuestLeftAndCounted() {
    startNode();
    Console carol = console("carol").login("carol");
    carol.setAvailable("ill", true);
    node.awaitPresence("ill", true);

    FrameClient guest = guest();
    String chatId = guest.start("ill", "Pat").getString("chatId");
    carol.clickAccept(chatId);
    guest.next("joined");
    guest.send(new JsonObject().put("type", "close"));
    String pane = chatSelector(chatId);
    carol.waitForText(pane + " " + sb("chat-ended"), "left the chat");

    new Select(carol.shown(pane + " " + sb("resolution"))).selectByValue("follow-up-home");
    carol.waitForText(pane + " " + sb("resolution-status"), "Saved");

    JsonObject totals = node.get("/api/v1/stats", node.login("alice")).json().getJsonObject("totals");
    assertThat(totals.getJsonObject("resolutions").getInteger("follow-up-home")).isEqualTo(1);
    assertThat(carol.scriptErrors()).isEmpty();
  }
}
