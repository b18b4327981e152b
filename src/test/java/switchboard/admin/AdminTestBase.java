package switchboard.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.SearchContext;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import switchboard.e2e.FrameClient;
import switchboard.e2e.TestNode;

/**
 * Admin page tests: per test a fresh Switchboard node (TestNode's standard set-up: queues ill → general,
 * alice the admin, bob, carol, dave) and the page in the run's shared headless browser. Each test ends
 * with a screenshot of the whole page, {@code target/screenshots/admin-<test>.png}.
 */
@ExtendWith(AdminBrowser.Extension.class)
abstract class AdminTestBase {
  static WebDriver driver;

  /** How long a person would reasonably wait for something to show. */
  static final Duration SHOWS_WITHIN = Duration.ofSeconds(10);
  static final int WIDTH = 1280;
  static final int HEIGHT = 900;

  protected Vertx vertx;
  protected TestNode node;
  protected final List<FrameClient> clients = new ArrayList<>();

  @BeforeEach
  void startVertx() {
    vertx = Vertx.vertx();
    driver.manage().window().setSize(new Dimension(WIDTH, HEIGHT));
  }

  @AfterEach
  void tearDown(TestInfo info) {
    try {
      screenshot("admin-" + info.getTestMethod().map(m -> m.getName()).orElse("unknown"));
    } finally {
      try {
        driver.get("about:blank");
      } finally {
        clients.forEach(FrameClient::close);
        clients.clear();
        TestNode.await(vertx.close(), Duration.ofSeconds(10));
      }
    }
  }

  // ---------------------------------------------------------------- the node and its API

  protected TestNode startNode(UnaryOperator<TestNode.Builder> options) {
    node = options.apply(TestNode.builder(vertx)).start();
    return node;
  }

  protected TestNode startNode() {
    return startNode(b -> b);
  }

  /** An operator console socket, signed in and available on {@code queues}, with presence saying so. */
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
    return op;
  }

  protected FrameClient guest() {
    FrameClient g = FrameClient.guest(node);
    clients.add(g);
    return g;
  }

  /** GET an admin resource with alice's token; asserts 200. */
  protected JsonObject adminGet(String path) {
    TestNode.Http r = node.get(path, node.login("alice"));
    assertThat(r.status()).as("GET %s: %s", path, r).isEqualTo(200);
    return r.json();
  }

  // ---------------------------------------------------------------- the page

  protected void openAdmin() {
    driver.get(node.uri("/admin/").toString());
  }

  /** Opens the page and signs in with the test password; does not wait for the outcome. */
  protected void signIn(String user) {
    openAdmin();
    type(hook("admin-user"), user);
    type(hook("admin-password"), TestNode.PASSWORD);
    hook("admin-submit").click();
  }

  /** Signs alice (the admin) in and waits for the queues table to list the configured queues. */
  protected void signInAsAdmin() {
    signIn("alice");
    hook("admin");
    queueRow("ill");
  }

  protected void openSection(String section) {
    visible(By.cssSelector("[data-sb=nav][data-section=" + section + "]")).click();
    visible(By.cssSelector("[data-sb=section][data-section=" + section + "]"));
  }

  protected WebElement queueRow(String name) {
    return visible(By.cssSelector("[data-sb=queue-row][data-queue=\"" + name + "\"]"));
  }

  protected WebElement operatorRow(String id) {
    return visible(By.cssSelector("[data-sb=operator-row][data-operator=\"" + id + "\"]"));
  }

  /** The element of hook {@code name}, once a person can see it. */
  protected WebElement hook(String name) {
    return visible(By.cssSelector("[data-sb=\"" + name + "\"]"));
  }

  /** Hook {@code name} inside {@code container}, once shown. */
  protected WebElement hook(SearchContext container, String name) {
    return until(d -> {
      List<WebElement> found = container.findElements(By.cssSelector("[data-sb=\"" + name + "\"]"));
      return found.isEmpty() || !found.get(0).isDisplayed() ? null : found.get(0);
    }, "[data-sb=" + name + "] to show");
  }

  protected WebElement visible(By by) {
    return until(d -> {
      List<WebElement> found = d.findElements(by);
      return found.isEmpty() || !found.get(0).isDisplayed() ? null : found.get(0);
    }, by + " to show");
  }

  /** The error box of a form or list ({@code data-for}), once it shows something. */
  protected WebElement error(String forWhat) {
    return until(d -> {
      List<WebElement> found = d.findElements(By.cssSelector("[data-sb=error][data-for=" + forWhat + "]"));
      return found.isEmpty() || !found.get(0).isDisplayed() || found.get(0).getText().isBlank() ? null : found.get(0);
    }, "the " + forWhat + " error to show");
  }

  protected boolean shown(By by) {
    List<WebElement> found = driver.findElements(by);
    return !found.isEmpty() && found.get(0).isDisplayed();
  }

  /** Replaces a text field's content the way a person would: select all, type. */
  protected static void type(WebElement field, String text) {
    field.clear();
    field.sendKeys(text);
  }

  /** Sets an input a keyboard cannot easily fill the same way everywhere (date, colour) and fires its events. */
  protected void setValue(WebElement input, String value) {
    js("const el = arguments[0]; el.value = arguments[1];"
        + " el.dispatchEvent(new Event('input', {bubbles: true}));"
        + " el.dispatchEvent(new Event('change', {bubbles: true}));", input, value);
  }

  protected static void choose(WebElement select, String value) {
    new Select(select).selectByValue(value);
  }

  protected Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  protected <T> T until(Function<WebDriver, T> condition, String what) {
    return new WebDriverWait(driver, SHOWS_WITHIN)
        .pollingEvery(Duration.ofMillis(50))
        .ignoring(StaleElementReferenceException.class)
        .withMessage(() -> "waiting for " + what)
        .until(condition);
  }

  // ---------------------------------------------------------------- screenshots

  /** The whole page (the window grows to its height for the shot), so a person can judge the layout. */
  protected void screenshot(String name) {
    try {
      Path dir = Paths.get("target", "screenshots");
      Files.createDirectories(dir);
      long height = 0;
      try {
        height = (Long) js("return Math.ceil(document.documentElement.scrollHeight)");
      } catch (RuntimeException e) {
        // a page without a document: take the window as it is
      }
      if (height > HEIGHT) {
        driver.manage().window().setSize(new Dimension(WIDTH, (int) Math.min(height + 120, 6000)));
      }
      Path shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
      Files.copy(shot, dir.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
      driver.manage().window().setSize(new Dimension(WIDTH, HEIGHT));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
