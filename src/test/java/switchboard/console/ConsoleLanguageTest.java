package switchboard.console;

import static org.assertj.core.api.Assertions.assertThat;
import static switchboard.console.Console.offerSelector;
import static switchboard.console.Console.sb;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.support.ui.Select;
import switchboard.e2e.FrameClient;

/** Issue 16: the console's words come from message files; an operator chooses English or French. */
class ConsoleLanguageTest extends ConsoleTestBase {

  @Test
  void theConsoleSpeaksTheChosenLanguage() {
    startNode();
    Console carol = console("carol");
    carol.open();
    carol.shown(sb("login-submit"));
    new Select(carol.shown(sb("login-lang"))).selectByValue("fr");
    carol.waitForText(sb("login-submit"), "Se connecter");
    assertThat(carol.js("return document.documentElement.lang")).isEqualTo("fr");
    carol.login("carol");
    carol.setAvailable("ill", true);
    node.awaitPresence("ill", true);
    FrameClient guest = guest();
    String chatId = guest.start("ill", "Pat").getString("chatId");
    carol.waitForText(offerSelector(chatId) + " " + sb("accept"), "Accepter");

    new Select(carol.shown(sb("lang"))).selectByValue("en");
    carol.waitForText(offerSelector(chatId) + " " + sb("accept"), "Accept");
    assertThat(carol.js("return document.documentElement.lang")).isEqualTo("en");
    assertThat(carol.scriptErrors()).isEmpty();
  }
}
