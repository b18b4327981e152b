package switchboard.admin;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * One headless Chromium shared by every admin test class of the run (starting a browser costs more
 * than a test). Each test opens the page on its own node, so on a new origin with empty session
 * storage. The browser has its own fresh profile; it is closed, and the profile deleted, when the run ends.
 */
final class AdminBrowser implements ExtensionContext.Store.CloseableResource {
  static final String CHROMIUM = "/usr/bin/chromium";
  static final String CHROMEDRIVER = "/usr/bin/chromedriver";

  private final WebDriver driver;
  private final Path profile;

  /** Puts the run's browser in {@link AdminTestBase#driver} before a class's tests. */
  static final class Extension implements BeforeAllCallback {
    @Override
    public void beforeAll(ExtensionContext context) {
      AdminTestBase.driver = context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
          .getOrComputeIfAbsent(AdminBrowser.class, k -> new AdminBrowser(), AdminBrowser.class).driver;
    }
  }

  private AdminBrowser() {
    if (!Files.isExecutable(Paths.get(CHROMIUM)) || !Files.isExecutable(Paths.get(CHROMEDRIVER))) {
      fail("the admin page tests need " + CHROMIUM + " and " + CHROMEDRIVER
          + ": install them with `apt-get install -y chromium chromium-driver`");
    }
    // never let Selenium Manager look for a browser or driver online
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER);
    try {
      profile = Files.createTempDirectory("switchboard-admin-chrome-");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--user-data-dir=" + profile, "--window-size=1280,900", "--lang=en-GB",
        "--disable-extensions", "--disable-features=Translate,MediaRouter,OptimizationHints",
        // a node binds port 0, which here may be one Chrome refuses (6667: ERR_UNSAFE_PORT)
        "--explicitly-allowed-ports=1719,1720,1723,2049,3659,4045,4190,5060,5061,6000,6566,6665,6666,6667,6668,6669,6679,6697,10080");
    driver = new ChromeDriver(options);
  }

  @Override
  public void close() throws IOException {
    try {
      driver.quit();
    } finally {
      try (Stream<Path> files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
