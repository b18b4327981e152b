package switchboard.console;

import static org.assertj.core.api.Assertions.assertThat;
import static switchboard.console.Console.chatSelector;
import static switchboard.console.Console.sb;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Keys;
import org.openqa.selenium.chrome.ChromeDriver;
import switchboard.e2e.FrameClient;

/**
 * Issue 16, what keeps a console's operator attentive: auto-away when nobody touches it, a ring
 * that repeats until the offer is answered, a tone for messages in chats not in view, a focus ring
 * that also shows in forced-colors mode, and the supervisor's view of live chats (admins).
 */
class ConsoleAttentionTest extends ConsoleTestBase {

  @Test
  void anIdleConsoleGoesAwayUntilItsOperatorIsBack() {
    startNode(b -> b.editConfig(c -> c.getJsonObject("chats").put("operatorAwayAfterIdleSeconds", 3)));
    Console carol = console("carol").login("carol");
    carol.setAvailable("ill", true);
    node.awaitPresence("ill", true);

    carol.waitForText(sb("auto-away"), "You were set away");
    node.awaitPresence("ill", false);
    carol.shown(sb("auto-away-back")).click();
    node.awaitPresence("ill", true);
    assertThat(carol.isShown(sb("auto-away"))).isFalse();
  }

  @Test
  void anOfferRingsAgainUntilAnsweredAndABackgroundMessageSounds() {
    startNode();
    Console carol = console("carol").login("carol");
    carol.setAvailable("ill", true);
    node.awaitPresence("ill", true);
    FrameClient first = guest();
    String one = first.start("ill", "Pat").getString("chatId");
    carol.offer(one);
    carol.until(d -> carol.shown(sb("console")).getAttribute("data-ring-repeats") != null ? true : null,
        "the offer to ring again");
    carol.accept(one);
    String repeats = carol.shown(sb("console")).getAttribute("data-ring-repeats");

    FrameClient second = guest();
    String two = second.start("ill", "Sam").getString("chatId");
    carol.accept(two);
    carol.shown(chatSelector(two) + " " + sb("input")).click();
    first.say("Are you still there?");
    carol.waitForMessage(one, "guest", "Are you still there?");
    carol.until(d -> "1".equals(carol.shown(sb("console")).getAttribute("data-message-tones")) ? true : null,
        "a tone for the chat not in view");
    second.say("Thanks!");
    carol.waitForMessage(two, "guest", "Thanks!");
    assertThat(carol.shown(sb("console")).getAttribute("data-message-tones")).as("not for the chat in view")
        .isEqualTo("1");
    assertThat(carol.shown(sb("console")).getAttribute("data-ring-repeats")).as("no ring once both are answered")
        .isEqualTo(String.valueOf(Integer.parseInt(repeats)));
  }

  @Test
  void theFocusRingShowsInForcedColorsAndAdminsSeeLiveChats() {
    startNode();
    Console alice = console("alice").login("alice");
    Console carol = console("carol").login("carol");
    carol.setAvailable("ill", true);
    node.awaitPresence("ill", true);
    FrameClient guest = guest();
    String chatId = guest.start("ill", "Pat").getString("chatId");
    carol.accept(chatId);
    alice.waitForText(sb("live-chat") + "[data-chat=\"" + chatId + "\"]", "held by Carol");
    assertThat(carol.isShown(sb("live-panel"))).as("operators have no supervisor view").isFalse();

    ((ChromeDriver) alice.driver).executeCdpCommand("Emulation.setEmulatedMedia",
        Map.of("features", List.of(Map.of("name", "forced-colors", "value", "active"))));
    alice.shown(sb("archive-open")).sendKeys(Keys.SHIFT); // keyboard focus, so :focus-visible applies
    alice.js("document.querySelector('[data-sb=archive-open]').focus()");
    @SuppressWarnings("unchecked")
    Map<String, Object> ring = (Map<String, Object>) alice.js("const s = getComputedStyle(document.activeElement);"
        + " return {style: s.outlineStyle, width: parseFloat(s.outlineWidth), forced: matchMedia('(forced-colors: active)').matches}");
    assertThat(ring.get("forced")).isEqualTo(true);
    assertThat(ring.get("style")).isEqualTo("solid");
    assertThat(((Number) ring.get("width")).doubleValue()).isGreaterThanOrEqualTo(2.0);
  }
}
