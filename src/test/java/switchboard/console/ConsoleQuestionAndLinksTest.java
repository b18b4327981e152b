package switchboard.console;

import static org.assertj.core.api.Assertions.assertThat;
import static switchboard.console.Console.chatSelector;
import static switchboard.console.Console.offerSelector;
import static switchboard.console.Console.sb;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import switchboard.e2e.FrameClient;

/** Issue 16 in the console: the guest's question on the offer card, and links in messages clickable. */
class ConsoleQuestionAndLinksTest extends ConsoleTestBase {

  @Test
  void theQuestionIsOnTheOfferAndLinksInTheChatAreClickable() {
    startNode();
    Console carol = console("carol").login("carol");
    carol.setAvailable("ill", true);
    node.awaitPresence("ill", true);

    FrameClient guest = guest();
    guest.send(new JsonObject().put("type", "start").put("queue", "ill").put("name", "Pat")
        .put("page", "https://library.example/help")
        .put("question", "Is https://library.example/book/42 in stock? <b>thanks</b>").put("clientId", "q1"));
    String chatId = guest.next("started").getString("chatId");

    String offer = offerSelector(chatId);
    carol.waitForText(offer + " " + sb("offer-question"), "Is https://library.example/book/42 in stock?");
    assertThat(carol.text(offer + " " + sb("offer-question"))).contains("<b>thanks</b>");
    assertThat(carol.offer(chatId).getAttribute("aria-label")).contains("Is https://library.example/book/42 in stock?");

    carol.clickAccept(chatId);
    carol.waitForMessage(chatId, "guest", "Is https://library.example/book/42 in stock? <b>thanks</b>");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> links = (List<Map<String, Object>>) carol.js("return [...document.querySelectorAll('"
        + chatSelector(chatId) + " [data-sb=message] a')].map(a => ({href: a.href, rel: a.rel}))");
    assertThat(links).containsExactly(Map.of("href", "https://library.example/book/42",
        "rel", "noopener noreferrer nofollow"));
    assertThat(carol.js("return document.querySelectorAll('" + chatSelector(chatId) + " [data-sb=message] b').length"))
        .isEqualTo(0L);
    assertThat(carol.scriptErrors()).isEmpty();
  }
}
