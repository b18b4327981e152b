package switchboard.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import switchboard.e2e.FrameClient;
import switchboard.e2e.TestNode;

/** How the widget sets itself up: custom rollover and skins, the offline form, an unknown queue. */
class WidgetSetupTest extends BrowserTestBase {

  @Test
  void customRolloverOpensTheChatOnTheFirstAvailableQueueWithItsSkin() {
    String greeting = "Hello from the general desk. <i>Ask away</i>";
    startNode(config -> {
      JsonArray queues = config.getJsonArray("queues");
      for (int i = 0; i < queues.size(); i++) {
        JsonObject q = queues.getJsonObject(i);
        if ("general".equals(q.getString("name"))) {
          q.put("skin", new JsonObject().put("title", "General help desk").put("color", "#7a1f5c")
              .put("textColor", "#ffffff").put("greeting", greeting));
        }
      }
    });
    FrameClient bob = operator("bob", "general");
    assertThat(node.presence("ill")).as("nobody staffs ill").isFalse();

    openLibraryPageWithQueues("ill,general");
    openWidget();
    waitForStatus("Someone is available");
    assertThat(hook("title").getText()).isEqualTo("General help desk");
    assertThat(js("return getComputedStyle(" + root + ".querySelector('.sb-header')).backgroundColor"))
        .isEqualTo("rgb(122, 31, 92)");
    assertThat(js("return getComputedStyle(" + root + ".querySelector('[data-sb=open]')).backgroundColor"))
        .isEqualTo("rgb(122, 31, 92)");
    assertThat(hook("greeting").getText()).as("the greeting, as text").isEqualTo(greeting);

    hook("name").sendKeys("Robin");
    say("Is the library open on Sunday?");
    JsonObject offer = bob.next("offer");
    String chatId = offer.getString("chatId");
    assertThat(offer.getString("queue")).isEqualTo("general");
    JsonObject accepted = bob.accept(chatId);
    waitForStatus("Bob joined");
    assertOperatorGets(bob, chatId, accepted, "Is the library open on Sunday?");
    bob.say(chatId, "Yes, from noon to five.");
    waitForMessage("operator", "Yes, from noon to five.");
    assertThat(messages()).extracting(Shown::text)
        .as("the greeting is not a message").doesNotContain(greeting);

    JsonObject chat = node.chat(chatId, node.login("alice"));
    assertThat(chat.getString("recordedQueue")).isEqualTo("general");
    assertThat(chat.getString("queue")).isEqualTo("general");
  }

  @Test
  void offlineFormWhenNobodyIsAvailable() {
    startNode();
    openLibraryPage("ill");
    openWidget();
    hook("offline-form");
    waitForStatus("Nobody is available");
    assertThat(shown("input")).as("no chat box while nobody can answer").isFalse();
    assertThat(js("return " + root + ".activeElement && " + root + ".activeElement.dataset.sb"))
        .isEqualTo("offline-name");

    hook("offline-name").sendKeys("Pat <b>Lee</b>");
    hook("offline-question").sendKeys("Can I renew a loan twice?");
    hook("offline-submit").click();
    assertThat(hook("offline-error").getText()).contains("email");

    // an address the browser accepts but the server does not: the server's message shows
    hook("offline-email").sendKeys("pat@localhost");
    hook("offline-submit").click();
    until(d -> hook("offline-error").getText().startsWith("Not sent:") ? true : null,
        "the server's 400 message under the form");
    assertThat(hook("offline-email").getAttribute("aria-invalid")).isNull();
    screenshotNamed("WidgetSetupTest.offlineFormWhenNobodyIsAvailable-form");

    hook("offline-email").sendKeys(".org");
    hook("offline-submit").click();
    assertThat(hook("offline-thanks").getText()).contains("Thank you");
    waitForStatus("sent");

    TestNode.Http inbox = node.get("/api/v1/offline", node.login("alice"));
    assertThat(inbox.status()).as("GET /api/v1/offline: %s", inbox).isEqualTo(200);
    JsonArray stored = inbox.json().getJsonArray("messages");
    assertThat(stored).hasSize(1);
    JsonObject m = stored.getJsonObject(0);
    assertThat(m.getString("queue")).isEqualTo("ill");
    assertThat(m.getString("name")).isEqualTo("Pat <b>Lee</b>");
    assertThat(m.getString("email")).isEqualTo("pat@localhost.org");
    assertThat(m.getString("question")).isEqualTo("Can I renew a loan twice?");
    assertThat(m.getString("page")).startsWith(siteOrigin());
    assertThat(m.getBoolean("done")).isFalse();
  }

  @Test
  void unknownQueueSaysChatIsNotSetUp() {
    startNode();
    openLibraryPage("no-such-queue");
    openWidget();
    waitForStatus("not set up");
    assertThat(hook("notice").getText()).contains("not set up");
    assertThat(hook("open").isEnabled()).isTrue();
    assertThat(shown("input")).isFalse();
    assertThat(shown("offline-form")).isFalse();
  }
}
