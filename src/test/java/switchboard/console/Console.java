package switchboard.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import switchboard.e2e.TestNode;

/** One browser showing the operator console, driven the way a person uses it, through the data-sb hooks. */
final class Console {
  /** How long a person would reasonably wait for something to show. */
  static final Duration SHOWS_WITHIN = Duration.ofSeconds(10);

  final String label;
  final WebDriver driver;
  private final TestNode node;

  Console(String label, WebDriver driver, TestNode node) {
    this.label = label;
    this.driver = driver;
    this.node = node;
  }

  // ---------------------------------------------------------------- finding things

  static String sb(String name) {
    return "[data-sb=\"" + name + "\"]";
  }

  static String offerSelector(String chatId) {
    return sb("offer") + "[data-chat=\"" + chatId + "\"]";
  }

  static String chatSelector(String chatId) {
    return sb("chat") + "[data-chat=\"" + chatId + "\"]";
  }

  /** The element matching {@code css}, once a person can see it. */
  WebElement shown(String css) {
    return until(d -> {
      List<WebElement> found = d.findElements(By.cssSelector(css));
      return found.isEmpty() || !found.get(0).isDisplayed() ? null : found.get(0);
    }, css + " to show");
  }

  /**
   * Chooses {@code value} in the select matching {@code css}, again if the console re-rendered the
   * select's options meanwhile (presence updates rebuild the transfer list), until it holds it.
   */
  void choose(String css, String value) {
    until(d -> {
      WebElement select = d.findElements(By.cssSelector(css)).stream().findFirst().orElse(null);
      if (select == null || !select.isDisplayed()) {
        return null;
      }
      new Select(select).selectByValue(value);
      return value.equals(select.getDomProperty("value")) ? true : null;
    }, css + " to hold " + value);
  }

  boolean isShown(String css) {
    try {
      List<WebElement> found = driver.findElements(By.cssSelector(css));
      return !found.isEmpty() && found.get(0).isDisplayed();
    } catch (StaleElementReferenceException e) {
      return false;
    }
  }

  void waitGone(String css) {
    until(d -> isShown(css) ? null : true, css + " to go away");
  }

  String text(String css) {
    return shown(css).getText();
  }

  void waitForText(String css, String part) {
    until(d -> {
      try {
        List<WebElement> found = d.findElements(By.cssSelector(css));
        return !found.isEmpty() && found.get(0).isDisplayed() && found.get(0).getText().contains(part) ? true : null;
      } catch (StaleElementReferenceException e) {
        return null;
      }
    }, css + " to say \"" + part + "\" (it says \"" + safeText(css) + "\")");
  }

  private String safeText(String css) {
    try {
      List<WebElement> found = driver.findElements(By.cssSelector(css));
      return found.isEmpty() ? "<absent>" : found.get(0).getText();
    } catch (RuntimeException e) {
      return "?";
    }
  }

  Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  <T> T until(Function<WebDriver, T> condition, String what) {
    return new WebDriverWait(driver, SHOWS_WITHIN)
        .pollingEvery(Duration.ofMillis(50))
        .ignoring(StaleElementReferenceException.class)
        .withMessage(() -> label + ": waiting for " + what)
        .until(condition);
  }

  // ---------------------------------------------------------------- signing in

  void open() {
    driver.get(node.uri("/console/").toString());
  }

  /** Fills in and sends the sign-in form (without waiting for the outcome). */
  void submitLogin(String user, String password) {
    WebElement name = shown(sb("login-user"));
    name.clear();
    name.sendKeys(user);
    WebElement pw = shown(sb("login-password"));
    pw.clear();
    pw.sendKeys(password);
    shown(sb("login-submit")).click();
  }

  /** Opens the console, signs {@code user} in, and waits until the console says who is signed in. */
  Console login(String user) {
    open();
    submitLogin(user, TestNode.PASSWORD);
    waitSignedIn(TestNode.displayName(user));
    return this;
  }

  /** Waits for the console to show {@code name} and its socket to be ready (the queues listed). */
  void waitSignedIn(String name) {
    waitForText(sb("operator-name"), name);
    shown(sb("availability"));
    until(d -> "up".equals(js("return document.querySelector('[data-sb=connection]').dataset.state")) ? true : null,
        "the console's socket to be ready");
  }

  /** The token the console keeps in session storage. */
  String token() {
    Object token = js("const s = JSON.parse(sessionStorage.getItem('switchboard.console.session') || 'null');"
        + " return s && s.token;");
    assertThat(token).as("%s: token in session storage", label).isNotNull();
    return (String) token;
  }

  // ---------------------------------------------------------------- availability

  static String availabilityBox(String queue) {
    return sb("availability") + "[data-queue=\"" + queue + "\"]";
  }

  /** Clicks the queue's switch and waits until the server confirmed it (the queue row turns on or off). */
  void setAvailable(String queue, boolean available) {
    WebElement box = shown(availabilityBox(queue));
    if (box.isSelected() != available) {
      box.click();
    }
    until(d -> {
      Object on = js("const q = document.querySelector('[data-sb=queue][data-queue=\"' + arguments[0] + '\"]');"
          + " return !!q && q.classList.contains('queue--on');", queue);
      return Boolean.valueOf(available).equals(on) ? true : null;
    }, "the " + queue + " switch to be confirmed " + (available ? "on" : "off"));
  }

  // ---------------------------------------------------------------- offers and chats

  WebElement offer(String chatId) {
    return shown(offerSelector(chatId));
  }

  /** Clicks the offer's Accept button. */
  void clickAccept(String chatId) {
    offer(chatId).findElement(By.cssSelector(sb("accept"))).click();
  }

  /** Accepts and waits for the chat's pane. */
  WebElement accept(String chatId) {
    clickAccept(chatId);
    return chat(chatId);
  }

  WebElement chat(String chatId) {
    return shown(chatSelector(chatId));
  }

  WebElement input(String chatId) {
    return shown(chatSelector(chatId) + " " + sb("input"));
  }

  /** Types into the chat's box and presses Enter. */
  void say(String chatId, String text) {
    WebElement input = input(chatId);
    input.sendKeys(text);
    input.sendKeys(Keys.ENTER);
  }

  /** One shown message. */
  record Shown(String from, String seq, String text) {}

  @SuppressWarnings("unchecked")
  List<Shown> messages(String chatId) {
    List<Map<String, Object>> raw = (List<Map<String, Object>>) js(
        "return [...document.querySelectorAll('[data-sb=chat][data-chat=\"' + arguments[0] + '\"] [data-sb=message]')]"
            + ".map(e => ({from: e.dataset.from, seq: e.dataset.seq || null, text: e.textContent}))", chatId);
    return raw.stream().map(m -> new Shown((String) m.get("from"), (String) m.get("seq"), (String) m.get("text")))
        .toList();
  }

  /** Waits until a numbered message from {@code from} with exactly {@code text} shows in the chat. */
  Shown waitForMessage(String chatId, String from, String text) {
    return until(d -> messages(chatId).stream()
            .filter(m -> from.equals(m.from()) && text.equals(m.text()) && m.seq() != null)
            .findFirst().orElse(null),
        "a " + from + " message \"" + text + "\" in chat " + chatId + " (shown: " + safeMessages(chatId) + ")");
  }

  private String safeMessages(String chatId) {
    try {
      return messages(chatId).toString();
    } catch (RuntimeException e) {
      return "?";
    }
  }

  /** The texts of the chat's timeline steps, in order. */
  @SuppressWarnings("unchecked")
  List<String> timeline(String chatId) {
    return (List<String>) js("return [...document.querySelectorAll('[data-sb=chat][data-chat=\"' + arguments[0]"
        + " + '\"] [data-sb=timeline-event]')].map(e => e.textContent)", chatId);
  }

  /** Uncaught script errors the page logged since the last call (failed requests are not errors of ours). */
  List<String> scriptErrors() {
    return driver.manage().logs().get(org.openqa.selenium.logging.LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue())
        .map(e -> label + ": " + e.getMessage())
        .filter(m -> !m.contains("Failed to load resource"))
        // Chromium's own line for a socket refused while a test has the node stopped (the console
        // retries, as it should); a network event, not an error of the page's scripts
        .filter(m -> !(m.contains("WebSocket connection to") && m.contains("ERR_CONNECTION_REFUSED")))
        .toList();
  }

  // ---------------------------------------------------------------- screenshots

  void screenshot(String name) {
    try {
      Path dir = Paths.get("target", "screenshots");
      Files.createDirectories(dir);
      Path shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
      Files.copy(shot, dir.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Override
  public String toString() {
    return "Console[" + label + "]";
  }
}
