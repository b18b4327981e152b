package switchboard.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoSuchShadowRootException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.SearchContext;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import switchboard.e2e.FrameClient;
import switchboard.e2e.TestNode;

/**
 * What every browser test needs: one headless Chromium per test class (fresh profile), and per
 * test a Switchboard node plus a second HTTP server on another port that plays the library's web
 * site, embedding {@code http://localhost:NODE/widget.js} from a different origin. Waits are on
 * what a person would see; a screenshot of the last page lands in {@code target/screenshots/}.
 */
abstract class BrowserTestBase {
  static final String CHROMIUM = "/usr/bin/chromium";
  static final String CHROMEDRIVER = "/usr/bin/chromedriver";
  /** How long a person would reasonably wait for something to show. */
  static final Duration SHOWS_WITHIN = Duration.ofSeconds(10);
  /** The widget's root in a page that embeds the snippet. */
  static final String WIDGET_ROOT = "document.getElementById('switchboard-widget').shadowRoot";
  /** The chat-box page builds its box in the plain document. */
  static final String PAGE_ROOT = "document";

  static WebDriver driver;
  private static Path profile;

  protected Vertx vertx;
  protected TestNode node;
  private HttpServer site;
  protected final List<FrameClient> clients = new ArrayList<>();
  /** Where the widget lives on the current page: {@link #WIDGET_ROOT} or {@link #PAGE_ROOT}. */
  protected String root = WIDGET_ROOT;

  // ---------------------------------------------------------------- browser, once per class

  @BeforeAll
  static void startBrowser() throws IOException {
    if (!Files.isExecutable(Paths.get(CHROMIUM)) || !Files.isExecutable(Paths.get(CHROMEDRIVER))) {
      fail("browser tests need " + CHROMIUM + " and " + CHROMEDRIVER
          + ": install them with `apt-get install -y chromium chromium-driver`");
    }
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER);
    profile = Files.createTempDirectory("switchboard-chrome-");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--user-data-dir=" + profile, "--window-size=1280,900", "--lang=en-GB",
        // a node binds port 0, which here may be one Chrome refuses (6667: ERR_UNSAFE_PORT)
        "--explicitly-allowed-ports=1719,1720,1723,2049,3659,4045,4190,5060,5061,6000,6566,6665,6666,6667,6668,6669,6679,6697,10080");
    driver = new ChromeDriver(options);
  }

  @AfterAll
  static void stopBrowser() throws IOException {
    if (driver != null) {
      driver.quit();
      driver = null;
    }
    if (profile != null) {
      try (Stream<Path> files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  // ---------------------------------------------------------------- servers, once per test

  @BeforeEach
  void startSite() {
    vertx = Vertx.vertx();
    site = TestNode.await(vertx.createHttpServer()
        .requestHandler(req -> {
          // ?recheck=N: the widget asks who is available every N seconds while its form shows
          String queueAttr = (req.getParam("queues") != null
              ? "data-queues=\"" + req.getParam("queues") + "\""
              : "data-queue=\"" + req.getParam("queue", "ill") + "\"")
              + (req.getParam("recheck") != null ? " data-recheck-seconds=\"" + req.getParam("recheck") + "\"" : "");
          req.response().putHeader("Content-Type", "text/html; charset=utf-8").end(libraryPage(queueAttr));
        })
        .listen(0, "localhost"));
  }

  @AfterEach
  void tearDown(TestInfo info) throws IOException {
    try {
      screenshot(info.getTestClass().map(Class::getSimpleName).orElse("test") + "."
          + info.getTestMethod().map(m -> m.getName()).orElse("unknown"));
      driver.get("about:blank");
    } finally {
      clients.forEach(FrameClient::close);
      clients.clear();
      TestNode.await(vertx.close(), Duration.ofSeconds(10));
    }
  }

  /** A library's own page: its CSS is deliberately loud, to show that none of it reaches the widget. */
  private String libraryPage(String queueAttr) {
    return """
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <title>Example Library</title>
          <style>
            body { font: 22px/1.1 "Comic Sans MS", cursive, serif; color: #b00000; background: #fff8d8; }
            button { background: lime !important; font-size: 30px !important; }
            div { border: 3px dotted red; padding: 20px; }
            p { text-transform: uppercase; }
          </style>
        </head>
        <body>
          <h1>Example Library</h1>
          <p>Opening hours, the catalogue, interlibrary loan forms.</p>
          <script src="http://localhost:%d/widget.js" %s async></script>
        </body>
        </html>
        """.formatted(node == null ? 0 : node.port(), queueAttr);
  }

  /** The library page's origin, which the node must allow to open the guest socket. */
  protected String siteOrigin() {
    return "http://localhost:" + site.actualPort();
  }

  // ---------------------------------------------------------------- the node

  /** A node with TestNode's standard set-up, and a guest grace long enough for a drop test. */
  protected TestNode startNode() {
    node = TestNode.builder(vertx).guestGraceSeconds(30).start();
    return node;
  }

  /** A node whose configuration a test edits first (skins, say). */
  protected TestNode startNode(Consumer<JsonObject> edit) {
    node = TestNode.builder(vertx).guestGraceSeconds(30).editConfig(edit).start();
    return node;
  }

  /** An operator signed in, available on {@code queues}, with the presence API already saying so. */
  protected FrameClient operator(String user, String... queues) {
    FrameClient op = FrameClient.operator(node, user);
    clients.add(op);
    for (String queue : queues) {
      op.available(queue, true);
      op.next("availability", f -> queue.equals(f.getString("queue")), FrameClient.TIMEOUT);
    }
    for (String queue : queues) {
      node.awaitPresence(queue, true);
    }
    // each HTTP verticle instance keeps its own presence snapshot, at most a second old (DESIGN §4):
    // the one that answered above is fresh, the one a page asks next may be a second behind
    try {
      Thread.sleep(1_100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return op;
  }

  // ---------------------------------------------------------------- pages

  /** Opens the library page with the snippet for {@code queue}. */
  protected void openLibraryPage(String queue) {
    root = WIDGET_ROOT;
    driver.get(siteOrigin() + "/?queue=" + queue);
  }

  /** Opens the library page with a custom-rollover snippet. */
  protected void openLibraryPageWithQueues(String queues) {
    root = WIDGET_ROOT;
    driver.get(siteOrigin() + "/?queues=" + queues);
  }

  /** Where the hooks are: the widget's shadow root, or the document for the chat-box page. */
  protected SearchContext widget() {
    if (PAGE_ROOT.equals(root)) {
      return driver;
    }
    return until(d -> {
      List<WebElement> hosts = d.findElements(By.id("switchboard-widget"));
      if (hosts.isEmpty()) {
        return null;
      }
      return hosts.get(0).getShadowRoot();
    }, "the widget (#switchboard-widget with a shadow root)");
  }

  /** The element of hook {@code name}, once a person can see it. */
  protected WebElement hook(String name) {
    return until(d -> {
      List<WebElement> found = widget().findElements(By.cssSelector("[data-sb=" + name + "]"));
      return found.isEmpty() || !found.get(0).isDisplayed() ? null : found.get(0);
    }, "[data-sb=" + name + "] to show");
  }

  protected boolean shown(String name) {
    List<WebElement> found = widget().findElements(By.cssSelector("[data-sb=" + name + "]"));
    return !found.isEmpty() && found.get(0).isDisplayed();
  }

  protected void openWidget() {
    hook("open").click();
  }

  protected String status() {
    return hook("status").getText();
  }

  protected void waitForStatus(String part) {
    until(d -> status().contains(part) ? true : null, "the status to say \"" + part + "\" (it says \"" + safeStatus() + "\")");
  }

  private String safeStatus() {
    try {
      return (String) js("return " + root + ".querySelector('[data-sb=status]').textContent");
    } catch (RuntimeException e) {
      return "?";
    }
  }

  /** Types into the message box and presses Enter, as a person would. */
  protected void say(String text) {
    WebElement input = hook("input");
    input.sendKeys(text);
    input.sendKeys(org.openqa.selenium.Keys.ENTER);
  }

  /** One shown message. */
  protected record Shown(String from, String seq, String text, boolean pending) {}

  /** Every {@code [data-sb=message]} element, in the order shown. */
  @SuppressWarnings("unchecked")
  protected List<Shown> messages() {
    List<Map<String, Object>> raw = (List<Map<String, Object>>) js(
        "return [..." + root + ".querySelectorAll('[data-sb=message]')].map(e => ({from: e.dataset.from,"
            + " seq: e.dataset.seq || null, text: e.textContent,"
            + " pending: !!e.closest('.sb-row--pending')}))");
    return raw.stream().map(m -> new Shown((String) m.get("from"), (String) m.get("seq"), (String) m.get("text"),
        Boolean.TRUE.equals(m.get("pending")))).toList();
  }

  /** Waits until a message from {@code from} with exactly {@code text} is shown and numbered. */
  protected Shown waitForMessage(String from, String text) {
    return until(d -> messages().stream()
            .filter(m -> from.equals(m.from()) && text.equals(m.text()) && m.seq() != null)
            .findFirst().orElse(null),
        "a " + from + " message \"" + text + "\" (shown: " + safeMessages() + ")");
  }

  private String safeMessages() {
    try {
      return messages().toString();
    } catch (RuntimeException e) {
      return "?";
    }
  }

  protected Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  protected <T> T until(Function<WebDriver, T> condition, String what) {
    return new WebDriverWait(driver, SHOWS_WITHIN)
        .pollingEvery(Duration.ofMillis(50))
        .ignoring(NoSuchShadowRootException.class)
        .ignoring(StaleElementReferenceException.class)
        .withMessage(() -> "waiting for " + what)
        .until(condition);
  }

  /** A screenshot in the middle of a test, besides the one every test gets at its end. */
  protected void screenshotNamed(String name) {
    try {
      screenshot(name);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  protected void screenshot(String name) throws IOException {
    Path dir = Paths.get("target", "screenshots");
    Files.createDirectories(dir);
    Path shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
    Files.copy(shot, dir.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
  }

  // ---------------------------------------------------------------- the operator's side

  /** Texts of the chat's guest messages the operator has seen: the accepted history, then message frames. */
  protected static void assertOperatorGets(FrameClient op, String chatId, JsonObject accepted, String text) {
    JsonArray history = accepted.getJsonArray("history", new JsonArray());
    for (int i = 0; i < history.size(); i++) {
      JsonObject m = history.getJsonObject(i);
      if ("guest".equals(m.getString("from")) && text.equals(m.getString("text"))) {
        return;
      }
    }
    JsonObject frame = op.next("message", f -> chatId.equals(f.getString("chatId"))
        && "guest".equals(f.getString("from")) && text.equals(f.getString("text")), FrameClient.TIMEOUT);
    assertThat(frame.getString("text")).isEqualTo(text);
  }
}
