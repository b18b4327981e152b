package switchboard.console;

import static org.assertj.core.api.Assertions.assertThat;
import static switchboard.console.Console.sb;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.Select;
import switchboard.e2e.FrameClient;

/** Issue 16 in the console: the archive finds an ended chat by its words and opens its transcript. */
class ConsoleArchiveTest extends ConsoleTestBase {

  @Test
  void anOperatorFindsAChatTheyHeldByItsWordsAndOpensIt() {
    startNode();
    Console carol = console("carol").login("carol");
    carol.setAvailable("ill", true);
    node.awaitPresence("ill", true);
    FrameClient guest = guest();
    String chatId = guest.start("ill", "Pat").getString("chatId");
    guest.say("Can I renew my interlibrary loan?");
    carol.accept(chatId);
    guest.next("joined");
    carol.say(chatId, "Yes, until the 30th.");
    guest.next("message");
    guest.send(new JsonObject().put("type", "close"));
    carol.waitForText(Console.chatSelector(chatId) + " " + sb("chat-ended"), "left the chat");

    carol.shown(sb("archive-open")).click();
    carol.shown(sb("archive-words")).sendKeys("renew");
    new Select(carol.shown(sb("archive-queue"))).selectByValue("ill");
    carol.shown(sb("archive-search")).click();
    String row = sb("archive-row") + "[data-chat=\"" + chatId + "\"]";
    carol.waitForText(row, "Pat");
    carol.waitForText(sb("archive-status"), "1 chat matches");

    carol.shown(sb("archive-words")).clear();
    carol.shown(sb("archive-words")).sendKeys("catalogue");
    carol.shown(sb("archive-search")).click();
    carol.waitForText(sb("archive-status"), "No chat matches");

    carol.shown(sb("archive-words")).clear();
    carol.shown(sb("archive-search")).click();
    carol.shown(row + " " + sb("archive-open-chat")).click();
    String transcript = sb("transcript-dialog") + " " + sb("transcript");
    carol.waitForText(transcript, "Can I renew my interlibrary loan?");
    assertThat(carol.driver.findElement(By.cssSelector(transcript)).getText()).contains("Yes, until the 30th.");
    assertThat(carol.scriptErrors()).isEmpty();
  }
}
