package switchboard.console;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Chromium browsers shared by every console test class of the run: starting a browser costs
 * more than a test, and each test opens the console on its own node (a new port, so a new origin with
 * empty session storage). Each browser has its own fresh profile; all are closed when the run ends.
 */
final class Browsers implements ExtensionContext.Store.CloseableResource {
  static final String CHROMIUM = "/usr/bin/chromium";
  static final String CHROMEDRIVER = "/usr/bin/chromedriver";

  /** How many browsers the console tests use at most; the second starts in the background while the first works. */
  static final int WARM = 2;

  private final List<CompletableFuture<WebDriver>> drivers = new ArrayList<>();
  private final List<Path> profiles = new ArrayList<>();

  /** The run's browsers, created on first use. */
  static Browsers of(ExtensionContext context) {
    return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
        .getOrComputeIfAbsent(Browsers.class, k -> new Browsers(), Browsers.class);
  }

  /** Puts the run's browsers in {@link ConsoleTestBase#browsers} before a class's tests. */
  static final class Extension implements BeforeAllCallback {
    @Override
    public void beforeAll(ExtensionContext context) {
      ConsoleTestBase.browsers = of(context);
    }
  }

  private Browsers() {
    if (!Files.isExecutable(Paths.get(CHROMIUM)) || !Files.isExecutable(Paths.get(CHROMEDRIVER))) {
      fail("console browser tests need " + CHROMIUM + " and " + CHROMEDRIVER
          + ": install them with `apt-get install -y chromium chromium-driver`");
    }
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER);
  }

  /** Browser number {@code index} (0, 1, …), started when first asked for. */
  WebDriver get(int index) {
    CompletableFuture<WebDriver> wanted;
    synchronized (this) {
      while (drivers.size() <= index) {
        drivers.add(CompletableFuture.completedFuture(start()));
      }
      wanted = drivers.get(index);
      if (drivers.size() < WARM) {
        drivers.add(CompletableFuture.supplyAsync(this::start));
      }
    }
    try {
      return wanted.join();
    } catch (CompletionException e) {
      throw new AssertionError("browser " + index + " did not start", e.getCause());
    }
  }

  private synchronized Path newProfile() throws IOException {
    Path profile = Files.createTempDirectory("switchboard-console-chrome-");
    profiles.add(profile);
    return profile;
  }

  private WebDriver start() {
    try {
      Path profile = newProfile();
      ChromeOptions options = new ChromeOptions();
      options.setBinary(CHROMIUM);
      options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
          "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
          "--user-data-dir=" + profile, "--window-size=1280,800", "--lang=en-GB",
          // several consoles run at once in one test; none of them may be throttled as a background page
          "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
          "--disable-backgrounding-occluded-windows", "--autoplay-policy=no-user-gesture-required",
          "--mute-audio", "--disable-extensions", "--disable-features=Translate,MediaRouter,OptimizationHints",
          // a node binds port 0, which here may be one Chrome refuses (6667: ERR_UNSAFE_PORT)
          "--explicitly-allowed-ports=1719,1720,1723,2049,3659,4045,4190,5060,5061,6000,6566,6665,6666,6667,6668,6669,6679,6697,10080");
      options.setCapability("goog:loggingPrefs", java.util.Map.of("browser", "ALL"));
      return new ChromeDriver(options);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Override
  public synchronized void close() throws IOException {
    for (CompletableFuture<WebDriver> d : drivers) {
      try {
        d.join().quit();
      } catch (RuntimeException e) {
        // the others still get closed
      }
    }
    drivers.clear();
    for (Path profile : profiles) {
      try (Stream<Path> files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    profiles.clear();
  }
}
