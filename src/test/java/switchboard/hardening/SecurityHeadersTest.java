package switchboard.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;
import switchboard.e2e.TestNode;

/**
 * Every page and API answer carries the security headers (switchboard.http.SecurityHeaders): a
 * CSP that runs only our own scripts, nosniff, a referrer policy; the console and admin pages
 * refuse to be framed while the chat box, the widget and the Presence API stay embeddable. A real
 * browser opens every page under that CSP and reports no violation.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SecurityHeadersTest {
  static final List<String> PAGES = List.of("/", "/index.html", "/chat/ill", "/chat/index.html", "/console/",
      "/admin/", "/demo/custom-rollover.html");
  static final List<String> NOT_FRAMED = List.of("/", "/console/", "/console/index.html", "/console/console.js",
      "/admin/", "/admin/index.html", "/demo/custom-rollover.html", "/no-such-page", "/api/v1/queues",
      "/api/v1/features", "/health/live", "/metrics");
  static final List<String> EMBEDDABLE = List.of("/chat/ill", "/chat/general/", "/chat/chat.css", "/widget.js",
      "/api/v1/presence/ill", "/api/v1/presence/ill?format=js", "/api/v1/presence/ill/badge.svg",
      "/api/v1/presence?queues=ill,general");

  @Test
  void everyAnswerCarriesNosniffAndAReferrerPolicy(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    List<String> all = new ArrayList<>(PAGES);
    all.addAll(NOT_FRAMED);
    all.addAll(EMBEDDABLE);
    for (String path : all) {
      TestNode.Http r = node.get(path);
      assertThat(r.status()).as("GET %s", path).isIn(200, 404);
      assertThat(r.header("X-Content-Type-Options")).as("nosniff on %s", path).contains("nosniff");
      assertThat(r.header("Referrer-Policy")).as("referrer policy on %s", path).contains("strict-origin-when-cross-origin");
      assertThat(r.header("Content-Security-Policy")).as("CSP on %s", path).isPresent();
    }
    TestNode.Http refused = node.post("/api/v1/login", null, null);
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.header("X-Content-Type-Options")).contains("nosniff");
    assertThat(refused.header("X-Frame-Options")).contains("DENY");
  }

  @Test
  void pagesRunOnlyTheirOwnScriptsAndInlineOnesOnlyByHash(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    for (String path : PAGES) {
      TestNode.Http page = node.get(path);
      String csp = page.header("Content-Security-Policy").orElseThrow();
      String scripts = directive(csp, "script-src").orElseThrow(() -> new AssertionError("no script-src on " + path));
      assertThat(scripts).as("script-src of %s", path).contains("'self'").doesNotContain("'unsafe-inline'")
          .doesNotContain("'unsafe-eval'").doesNotContain("*").doesNotContain("data:");
      assertThat(directive(csp, "object-src")).contains("object-src 'none'");
      assertThat(directive(csp, "base-uri")).contains("base-uri 'self'");
      assertThat(directive(csp, "style-src").orElseThrow()).doesNotContain("'unsafe-inline'");
      // each inline script the page has is allowed by exactly its hash, so none is silently blocked
      Matcher inline = Pattern.compile("<script>(.*?)</script>", Pattern.DOTALL).matcher(page.body());
      while (inline.find()) {
        assertThat(scripts).as("hash of an inline script of %s", path).contains(hash(inline.group(1)));
      }
      // and the pages put no inline handlers or style attributes of their own that the CSP would block
      assertThat(page.body()).as("%s", path).doesNotContainPattern("\\son[a-z]+=").doesNotContain(" style=");
    }
  }

  @Test
  void theConsoleAdminAndApiRefuseFramingWhileTheChatBoxWidgetAndPresenceStayEmbeddable(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    for (String path : NOT_FRAMED) {
      TestNode.Http r = node.get(path);
      assertThat(r.header("X-Frame-Options")).as("X-Frame-Options on %s", path).contains("DENY");
      assertThat(r.header("Content-Security-Policy").orElseThrow()).as("CSP on %s", path)
          .contains("frame-ancestors 'none'");
    }
    for (String path : EMBEDDABLE) {
      TestNode.Http r = node.get(path);
      assertThat(r.status()).as("GET %s", path).isEqualTo(200);
      assertThat(r.header("X-Frame-Options")).as("X-Frame-Options on %s", path).isEmpty();
      assertThat(r.header("Content-Security-Policy").orElse("")).as("CSP on %s", path)
          .doesNotContain("frame-ancestors");
    }
    for (String path : List.of("/api/v1/presence/ill", "/api/v1/presence/ill/badge.svg", "/api/v1/queues",
        "/api/v1/features")) {
      assertThat(node.get(path, null, java.util.Map.of("Origin", "https://library.example"))
          .header("Access-Control-Allow-Origin")).as("CORS on %s", path).contains("*");
    }
  }

  @Test
  void aBrowserOpensEveryPageWithoutAContentSecurityPolicyViolation(Vertx vertx) throws Exception {
    TestNode node = TestNode.start(vertx);
    System.setProperty("webdriver.chrome.driver", "/usr/bin/chromedriver");
    Path profile = Files.createTempDirectory("csp-profile-");
    ChromeOptions options = new ChromeOptions();
    options.setBinary("/usr/bin/chromium");
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--user-data-dir=" + profile, "--window-size=1280,900",
        // a node binds port 0, which here may be one Chrome refuses (6667: ERR_UNSAFE_PORT)
        "--explicitly-allowed-ports=1719,1720,1723,2049,3659,4045,4190,5060,5061,6000,6566,6665,6666,6667,6668,6669,6679,6697,10080");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    WebDriver driver = new ChromeDriver(options);
    List<String> violations = new ArrayList<>();
    try {
      for (String path : PAGES) {
        driver.get("http://localhost:" + node.port() + path);
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> !d.findElements(By.tagName("body")).isEmpty());
        Thread.sleep(300); // let deferred scripts run; a violation is reported when they do
        for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
          if (entry.getMessage().contains("Content Security Policy")) {
            violations.add(path + ": " + entry.getMessage());
          }
        }
      }
      // the inline script of the home page ran: it fills in the snippet
      driver.get("http://localhost:" + node.port() + "/");
      assertThat(driver.findElement(By.id("snippet")).getText()).contains("/widget.js");
    } finally {
      File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
      Path dir = Path.of("target", "screenshots");
      Files.createDirectories(dir);
      Files.copy(shot.toPath(), dir.resolve("SecurityHeadersTest.home.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      driver.quit();
    }
    assertThat(violations).as("CSP violations reported by the browser").isEmpty();
  }

  private static Optional<String> directive(String csp, String name) {
    return java.util.Arrays.stream(csp.split(";")).map(String::strip).filter(d -> d.startsWith(name + " ")).findFirst();
  }

  private static String hash(String script) throws RuntimeException {
    try {
      byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
          .digest(script.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return "'sha256-" + java.util.Base64.getEncoder().encodeToString(digest) + "'";
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
