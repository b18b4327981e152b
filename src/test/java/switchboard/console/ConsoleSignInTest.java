package switchboard.console;

import static org.assertj.core.api.Assertions.assertThat;
import static switchboard.console.Console.sb;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import switchboard.e2e.FrameClient;
import switchboard.e2e.TestNode;

/** Signing in and out, availability, the offline inbox, and text that must stay text. */
class ConsoleSignInTest extends ConsoleTestBase {

  @Test
  void signInShowsTheConsoleAndAWrongPasswordShowsAnError() {
    startNode();
    Console carol = console("carol");
    carol.open();
    carol.submitLogin("carol", "not-the-password");
    carol.waitForText(sb("login-error"), "do not match");
    assertThat(carol.isShown(sb("console"))).as("still on the sign-in page").isFalse();

    carol.submitLogin("carol", TestNode.PASSWORD);
    carol.waitSignedIn("Carol");
    assertThat(carol.isShown(sb("login-view"))).isFalse();
    assertThat(carol.text(sb("overall-state"))).isEqualTo("Away");
    assertThat(carol.driver.findElements(By.cssSelector(sb("availability"))))
        .as("one switch per queue carol staffs").extracting(e -> e.getAttribute("data-queue")).containsExactly("ill");
    assertThat(carol.text(sb("queue") + "[data-queue=ill]")).contains("Interlibrary Loan");

    // the session survives a reload (token in session storage)
    carol.driver.navigate().refresh();
    carol.waitSignedIn("Carol");
    assertThat(carol.isShown(sb("login-view"))).isFalse();
  }

  @Test
  void theAvailabilitySwitchMakesTheQueueAvailable() {
    startNode();
    Console carol = console("carol").login("carol");
    assertThat(node.presence("ill")).isFalse();

    carol.setAvailable("ill", true);
    node.awaitPresence("ill", true);
    carol.waitForText(sb("overall-state"), "Available");
    assertThat(carol.shown(Console.availabilityBox("ill")).isSelected()).isTrue();
    carol.waitForText(sb("queue-status") + "[data-queue=ill]", "1 available");

    // a reload keeps the operator available and the switch on
    carol.driver.navigate().refresh();
    carol.waitSignedIn("Carol");
    carol.until(d -> carol.shown(Console.availabilityBox("ill")).isSelected() ? true : null, "the switch to stay on");
    carol.waitForText(sb("overall-state"), "Available");

    carol.setAvailable("ill", false);
    node.awaitPresence("ill", false);
    carol.waitForText(sb("overall-state"), "Away");
  }

  @Test
  void anOfflineMessageAppearsInTheInboxAndCanBeMarkedDone() {
    startNode();
    Console carol = console("carol").login("carol");
    carol.waitForText(sb("inbox-empty"), "No messages");

    TestNode.Http left = node.post("/api/v1/offline", new JsonObject()
        .put("queue", "ill").put("name", "Robin").put("email", "robin@example.org")
        .put("question", "Can I renew an interlibrary loan?\nIt is due Friday.")
        .put("page", "https://library.example/ill"), null);
    assertThat(left.status()).as("leave a message: %s", left).isEqualTo(201);
    String id = left.json().getString("id");

    carol.shown(sb("inbox-refresh")).click();
    String item = sb("inbox-item") + "[data-id=\"" + id + "\"]";
    carol.waitForText(item + " " + sb("inbox-name"), "Robin");
    assertThat(carol.text(item + " " + sb("inbox-email"))).isEqualTo("robin@example.org");
    assertThat(carol.text(item + " " + sb("inbox-question"))).contains("Can I renew an interlibrary loan?");
    assertThat(carol.text(sb("inbox-count"))).isEqualTo("1");

    carol.shown(item + " " + sb("inbox-done")).click();
    carol.waitForText(item + " " + sb("inbox-done-by"), "Done by");
    assertThat(carol.shown(item).getAttribute("data-done")).isEqualTo("true");
    assertThat(carol.text(sb("inbox-count"))).isEqualTo("0");
    JsonObject stored = node.get("/api/v1/offline", node.login("carol")).json().getJsonArray("messages").stream()
        .map(m -> (JsonObject) m).filter(m -> id.equals(m.getString("id"))).findFirst().orElseThrow();
    assertThat(stored.getBoolean("done")).isTrue();
    assertThat(stored.getString("doneBy")).isEqualTo("carol");
  }

  @Test
  void guestTextIsShownAsTextNeverAsHtml() {
    startNode();
    Console carol = console("carol").login("carol");
    carol.setAvailable("ill", true);
    node.awaitPresence("ill", true);

    String evilName = "<img src=x onerror=window.__xss=1>";
    String evilText = "<img src=x onerror=window.__xss=1><b>bold?</b>";
    FrameClient guest = guest();
    String chatId = guest.start("ill", evilName).getString("chatId");
    carol.waitForText(Console.offerSelector(chatId) + " " + sb("offer-guest"), evilName);
    carol.accept(chatId);
    carol.waitForText(Console.chatSelector(chatId) + " " + sb("chat-guest"), evilName);
    guest.say(evilText);
    carol.waitForMessage(chatId, "guest", evilText);

    TestNode.Http left = node.post("/api/v1/offline", new JsonObject()
        .put("queue", "ill").put("name", evilName).put("email", "x@example.org").put("question", evilText), null);
    assertThat(left.status()).isEqualTo(201);
    carol.shown(sb("inbox-refresh")).click();
    carol.waitForText(sb("inbox-question"), evilText);

    assertThat(carol.js("return document.querySelectorAll('img, b').length")).as("no element made from guest text")
        .isEqualTo(0L);
    assertThat(carol.js("return typeof window.__xss")).isEqualTo("undefined");
  }

  @Test
  void aDroppedConnectionIsRetriedAndATokenTheServerDoesNotKnowEndsTheSession() {
    startNode();
    int port = node.port();
    Console carol = console("carol").login("carol");

    // the server goes away: the console says so and keeps trying
    node.stop();
    carol.waitForText(sb("connection"), "reconnecting");
    assertThat(carol.isShown(sb("console"))).isTrue();

    // a new node on the same address (in-memory state: it never issued carol's token) refuses it with 4401
    node = TestNode.builder(vertx).editConfig(c -> c.getJsonObject("http").put("port", port)).start();
    carol.waitForText(sb("login-notice"), "Your session ended; sign in again");
    carol.submitLogin("carol", TestNode.PASSWORD);
    carol.waitSignedIn("Carol");
  }

  @Test
  void signingOutOrARevokedTokenReturnsToTheSignInPage() {
    startNode();
    Console carol = console("carol").login("carol");
    carol.setAvailable("ill", true);
    node.awaitPresence("ill", true);

    carol.shown(sb("logout")).click();
    carol.waitForText(sb("login-notice"), "You signed out");
    node.awaitPresence("ill", false);
    assertThat(carol.js("return sessionStorage.getItem('switchboard.console.session')")).isNull();

    // signed in again, the token is revoked from elsewhere: the server closes the socket with 4401
    carol.submitLogin("carol", TestNode.PASSWORD);
    carol.waitSignedIn("Carol");
    String token = carol.token();
    TestNode.Http revoked = node.post("/api/v1/logout", null, token);
    assertThat(revoked.status()).as("logout: %s", revoked).isEqualTo(200);
    carol.waitForText(sb("login-notice"), "Your session ended; sign in again");
    assertThat(carol.isShown(sb("console"))).isFalse();
    List<WebElement> user = carol.driver.findElements(By.cssSelector(sb("login-user")));
    assertThat(user).hasSize(1);
  }
}
