package switchboard.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import switchboard.e2e.FrameClient;

/**
 * Issue 16 in the widget: the queue's pre-chat form (name and email required, the question first,
 * on the offer card), and links in messages clickable but nothing else read as markup.
 */
class WidgetPreChatFormTest extends BrowserTestBase {

  @Test
  void theFormAsksWhatTheQueueRequiresAndTheQuestionReachesTheOffer() {
    startNode(config -> config.getJsonArray("queues").getJsonObject(0).put("form",
        new JsonObject().put("name", "required").put("email", "required").put("question", "required")));
    FrameClient carol = operator("carol", "ill");
    openLibraryPage("ill");
    openWidget();
    waitForStatus("Someone is available");
    assertThat(hook("input").getAccessibleName()).isEqualTo("Your question");
    assertThat(hook("email").getAccessibleName()).isEqualTo("Your email");

    say("Can I renew a loan from another library?");
    assertThat(hook("form-error").getText()).contains("name");
    assertThat(hook("name").getAttribute("aria-invalid")).isEqualTo("true");
    assertThat(hook("input").getAttribute("value")).as("the question is kept").contains("Can I renew");
    hook("name").sendKeys("Pat");
    hook("email").sendKeys("pat@");
    hook("input").sendKeys(org.openqa.selenium.Keys.ENTER);
    assertThat(hook("form-error").getText()).contains("email");
    assertThat(hook("email").getAttribute("aria-invalid")).isEqualTo("true");
    carol.expectNone("offer", FrameClient.QUIET);

    hook("email").sendKeys("example.org");
    hook("input").sendKeys(org.openqa.selenium.Keys.ENTER);
    waitForMessage("guest", "Can I renew a loan from another library?");
    JsonObject offer = carol.next("offer");
    assertThat(offer.getString("question")).isEqualTo("Can I renew a loan from another library?");
    assertThat(offer.getJsonObject("guest").getString("name")).isEqualTo("Pat");
    JsonObject accepted = carol.accept(offer.getString("chatId"));
    assertThat(accepted.getJsonObject("guest").getString("email")).isEqualTo("pat@example.org");
    assertThat(accepted.getJsonArray("history")).as("the question once, not resent as a second message").hasSize(1);
    waitForStatus("joined");
    say("It is due tomorrow");
    assertThat(waitForMessage("guest", "It is due tomorrow").seq()).isEqualTo("2");
  }

  @Test
  void linksInMessagesAreClickableAndNothingElseIsMarkup() {
    startNode();
    FrameClient alice = operator("alice", "ill");
    openLibraryPage("ill");
    openWidget();
    waitForStatus("Someone is available");
    say("Where is the catalogue?");
    String chatId = alice.next("offer").getString("chatId");
    alice.accept(chatId);
    waitForStatus("joined");
    String text = "See https://catalogue.example.org/search?q=rose&lang=en. Or <b>javascript:alert(1)</b>"
        + " and (http://example.org/a_(b)) <img src=x onerror=alert(2)>";
    alice.say(chatId, text);
    waitForMessage("operator", text);

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> links = (List<Map<String, Object>>) js("return [..." + root
        + ".querySelectorAll('[data-sb=message][data-from=operator] a')].map(a => ({href: a.href, text: a.textContent,"
        + " rel: a.rel, target: a.target}))");
    assertThat(links).extracting(l -> l.get("href")).containsExactly(
        "https://catalogue.example.org/search?q=rose&lang=en", "http://example.org/a_(b)");
    assertThat(links).extracting(l -> l.get("rel")).containsOnly("noopener noreferrer nofollow");
    assertThat(links).extracting(l -> l.get("target")).containsOnly("_blank");
    assertThat(js("return " + root + ".querySelectorAll('[data-sb=message] b, [data-sb=message] img').length"))
        .isEqualTo(0L);
  }
}
