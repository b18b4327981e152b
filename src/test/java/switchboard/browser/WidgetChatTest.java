package switchboard.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import switchboard.e2e.FrameClient;

/** The widget embedded on another origin's page, chatting with an operator socket. */
class WidgetChatTest extends BrowserTestBase {

  /** A chat started in the widget and accepted by alice; returns its id. */
  private String chatWithAlice(FrameClient alice, String firstMessage) {
    openLibraryPage("ill");
    openWidget();
    waitForStatus("available");
    say(firstMessage);
    waitForMessage("guest", firstMessage);
    String chatId = alice.next("offer").getString("chatId");
    JsonObject accepted = alice.accept(chatId);
    waitForStatus("Alice joined");
    assertOperatorGets(alice, chatId, accepted, firstMessage);
    return chatId;
  }

  @Test
  void guestAndOperatorChatBothWays() {
    startNode();
    FrameClient alice = operator("alice", "ill");
    openLibraryPage("ill");

    WebElement launcher = hook("open");
    assertThat(launcher.getAttribute("aria-expanded")).isEqualTo("false");
    launcher.click();
    waitForStatus("Someone is available");
    assertThat(launcher.getAttribute("aria-expanded")).isEqualTo("true");
    assertThat(js("return " + root + ".activeElement && " + root + ".activeElement.dataset.sb"))
        .as("focus moves into the panel, to the name field").isEqualTo("name");
    assertThat(hook("input").getAccessibleName()).isEqualTo("Your message");

    hook("name").sendKeys("Pat");
    WebElement input = hook("input");
    input.sendKeys("Hello, I need a book");
    input.sendKeys(Keys.chord(Keys.SHIFT, Keys.ENTER));
    input.sendKeys("from 1990");
    input.sendKeys(Keys.ENTER);
    String first = "Hello, I need a book\nfrom 1990";
    Shown mine = waitForMessage("guest", first);
    assertThat(hook("input").getAttribute("value")).as("Enter sent and emptied the box").isEmpty();

    // before anyone answers, the guest sees their place in line
    waitForStatus("in line");
    assertThat(shown("name")).as("the name field goes once the chat starts").isFalse();

    JsonObject offer = alice.next("offer");
    String chatId = offer.getString("chatId");
    assertThat(offer.getJsonObject("guest").getString("name")).isEqualTo("Pat");
    assertThat(offer.getJsonObject("guest").getString("page")).startsWith(siteOrigin());
    JsonObject accepted = alice.accept(chatId);
    waitForStatus("Alice joined");
    assertOperatorGets(alice, chatId, accepted, first);

    alice.send(new JsonObject().put("type", "typing").put("chatId", chatId).put("typing", true));
    waitForStatus("Alice is typing…");
    alice.say(chatId, "Hi Pat, which book?");
    Shown reply = waitForMessage("operator", "Hi Pat, which book?");
    assertThat(Long.parseLong(reply.seq())).isGreaterThan(Long.parseLong(mine.seq()));

    say("The Name of the Rose");
    assertOperatorGets(alice, chatId, accepted, "The Name of the Rose");
    waitForMessage("guest", "The Name of the Rose");

    // typing reaches the operator while the guest types, and stops by itself
    hook("input").sendKeys("Umberto");
    alice.next("typing", f -> chatId.equals(f.getString("chatId")) && f.getBoolean("typing"), FrameClient.TIMEOUT);
    alice.next("typing", f -> chatId.equals(f.getString("chatId")) && !f.getBoolean("typing"), FrameClient.TIMEOUT);

    assertThat(messages()).extracting(Shown::from, Shown::text).containsExactly(
        org.assertj.core.groups.Tuple.tuple("guest", first),
        org.assertj.core.groups.Tuple.tuple("operator", "Hi Pat, which book?"),
        org.assertj.core.groups.Tuple.tuple("guest", "The Name of the Rose"));

    // Escape closes the panel and gives the focus back to the launcher; the chat goes on
    hook("input").sendKeys(Keys.ESCAPE);
    until(d -> !shown("input") ? true : null, "the panel to close on Escape");
    assertThat(js("return " + root + ".activeElement && " + root + ".activeElement.dataset.sb")).isEqualTo("open");
    alice.say(chatId, "Still there?");
    until(d -> hook("open").getText().contains("1") ? true : null, "an unread count on the launcher");
    hook("open").click();
    waitForMessage("operator", "Still there?");

    // the operator ends the chat: the guest sees so, and can start a new one
    alice.send(new JsonObject().put("type", "close").put("chatId", chatId));
    waitForStatus("The chat has ended");
    assertThat(hook("log").getText()).contains("Alice ended the chat.");
    assertThat(hook("input").isEnabled()).isFalse();
    hook("restart").click();
    waitForStatus("Someone is available");
    assertThat(messages()).isEmpty();
    assertThat(hook("name").getAttribute("value")).as("the name is remembered").isEqualTo("Pat");
  }

  @Test
  void reloadKeepsTheChatAndShowsTheHistoryOnce() {
    startNode();
    FrameClient alice = operator("alice", "ill");
    String chatId = chatWithAlice(alice, "First question");
    alice.say(chatId, "First answer");
    waitForMessage("operator", "First answer");
    say("Second question");
    waitForMessage("guest", "Second question");

    driver.navigate().refresh();

    // open at once, with the whole history, each message once
    waitForMessage("operator", "First answer");
    waitForMessage("guest", "Second question");
    waitForStatus("Chatting with Alice");
    assertThat(shown("input")).as("the panel is open after the reload").isTrue();
    List<Shown> shown = messages();
    assertThat(shown).extracting(Shown::text).containsExactly("First question", "First answer", "Second question");
    assertSeqsIncrease(shown);

    // and the chat goes on both ways
    alice.say(chatId, "After the reload");
    waitForMessage("operator", "After the reload");
    say("Thanks!");
    alice.next("message", f -> chatId.equals(f.getString("chatId")) && "Thanks!".equals(f.getString("text")),
        FrameClient.TIMEOUT);
    waitForMessage("guest", "Thanks!");
    assertThat(messages()).extracting(Shown::text)
        .containsExactly("First question", "First answer", "Second question", "After the reload", "Thanks!");

    // once the guest ends it, a reload starts afresh
    hook("end").click();
    alice.next("closed", f -> chatId.equals(f.getString("chatId")), FrameClient.TIMEOUT);
    waitForStatus("The chat has ended");
    assertThat(hook("log").getText()).contains("You ended the chat.");
    driver.navigate().refresh();
    hook("open");
    assertThat(shown("input")).as("no chat to reopen").isFalse();
    openWidget();
    waitForStatus("Someone is available");
    assertThat(messages()).isEmpty();
  }

  @Test
  void droppedSocketResumesWithoutLossOrDuplicates() {
    startNode();
    FrameClient alice = operator("alice", "ill");
    String token = node.login("alice");
    String chatId = chatWithAlice(alice, "Before the drop");

    // counts, at every change of the log, how often each text is shown: a duplicate must never show, even briefly
    js("const r = " + root + "; window.__mostShown = {};"
        + "new MutationObserver(() => { const seen = {};"
        + "  r.querySelectorAll('[data-sb=message]').forEach(e => { seen[e.textContent] = (seen[e.textContent] || 0) + 1;"
        + "    window.__mostShown[e.textContent] = Math.max(window.__mostShown[e.textContent] || 0, seen[e.textContent]); });"
        + "}).observe(r.querySelector('[data-sb=log]'), {childList: true, subtree: true});");

    // the guest's message leaves, then the line drops before its ack can come back
    js("const r = " + root + ";"
        + "r.querySelector('[data-sb=input]').value = 'Sent as the line dropped';"
        + "r.querySelector('[data-sb=send]').click();"
        + "window.Switchboard._debugDropSocket(1500);");
    waitForStatus("Reconnecting");

    // while the guest is away: the operator writes, the guest writes too
    alice.say(chatId, "While you were away 1");
    alice.say(chatId, "While you were away 2");
    say("Typed while offline");

    waitForMessage("operator", "While you were away 1");
    waitForMessage("operator", "While you were away 2");
    waitForMessage("guest", "Sent as the line dropped");
    waitForMessage("guest", "Typed while offline");
    waitForStatus("Chatting with Alice");

    for (String text : List.of("Sent as the line dropped", "Typed while offline")) {
      alice.next("message", f -> chatId.equals(f.getString("chatId")) && text.equals(f.getString("text")),
          FrameClient.TIMEOUT);
    }
    alice.expectNone("message", f -> chatId.equals(f.getString("chatId"))
        && List.of("Sent as the line dropped", "Typed while offline").contains(f.getString("text")), FrameClient.QUIET);

    assertThat(js("return Math.max(...Object.values(window.__mostShown))")).as("most copies of one message ever shown: %s",
        js("return JSON.stringify(window.__mostShown)")).isEqualTo(1L);
    List<Shown> shown = messages();
    assertThat(shown).extracting(Shown::text).containsExactlyInAnyOrder("Before the drop", "Sent as the line dropped",
        "While you were away 1", "While you were away 2", "Typed while offline");
    assertThat(shown).noneMatch(Shown::pending);
    assertSeqsIncrease(shown);

    // the transcript holds each message once, numbered as the widget shows them
    JsonArray stored = node.chat(chatId, token).getJsonArray("messages");
    assertThat(stored.stream().map(o -> ((JsonObject) o).getString("text")).toList())
        .containsExactlyInAnyOrder("Before the drop", "Sent as the line dropped",
            "While you were away 1", "While you were away 2", "Typed while offline");
    for (Shown s : shown) {
      JsonObject same = stored.stream().map(o -> (JsonObject) o)
          .filter(m -> m.getString("text").equals(s.text())).findFirst().orElseThrow();
      assertThat(String.valueOf(same.getLong("seq"))).as("seq of %s", s.text()).isEqualTo(s.seq());
    }
  }

  @Test
  void markupFromEitherSideShowsAsText() {
    startNode();
    FrameClient alice = operator("alice", "ill");
    String evilName = "<img src=x onerror=\"window.__xss=1\">";
    String guestText = "<script>window.__xss=2</script>";
    String operatorText = "<img src=x onerror=\"window.__xss=3\"> & <b>bold</b> &amp;";

    openLibraryPage("ill");
    openWidget();
    waitForStatus("available");
    hook("name").sendKeys(evilName);
    say(guestText);
    JsonObject offer = alice.next("offer");
    String chatId = offer.getString("chatId");
    assertThat(offer.getJsonObject("guest").getString("name")).isEqualTo(evilName);
    JsonObject accepted = alice.accept(chatId);
    assertOperatorGets(alice, chatId, accepted, guestText);
    alice.say(chatId, operatorText);

    waitForMessage("guest", guestText);
    waitForMessage("operator", operatorText);
    assertThat(js("return " + root + ".querySelectorAll('img, b, script').length")).isEqualTo(0L);
    assertThat(js("return typeof window.__xss")).isEqualTo("undefined");
  }

  private static void assertSeqsIncrease(List<Shown> shown) {
    List<Long> seqs = shown.stream().map(s -> Long.parseLong(s.seq())).toList();
    assertThat(IntStream.range(1, seqs.size()).allMatch(i -> seqs.get(i) > seqs.get(i - 1)))
        .as("seqs in order, none twice: %s", seqs).isTrue();
  }
}
