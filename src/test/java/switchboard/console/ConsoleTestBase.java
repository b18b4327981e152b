package switchboard.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.Dimension;
import switchboard.e2e.FrameClient;
import switchboard.e2e.TestNode;

/**
 * Console browser tests: per test a fresh Switchboard node (TestNode's standard set-up) and consoles
 * in the run's shared headless browsers. Each test ends with a screenshot of every console it used,
 * {@code target/screenshots/console-<test>.png} (and {@code -<label>} for the second one).
 */
@ExtendWith(Browsers.Extension.class)
abstract class ConsoleTestBase {
  static Browsers browsers;

  protected Vertx vertx;
  protected TestNode node;
  private final List<Console> consoles = new ArrayList<>();
  protected final List<FrameClient> clients = new ArrayList<>();

  @BeforeEach
  void startVertx() {
    vertx = Vertx.vertx();
  }

  /** A node with TestNode's set-up and the given options (rollover, grace, …). */
  protected TestNode startNode(UnaryOperator<TestNode.Builder> options) {
    node = options.apply(TestNode.builder(vertx)).start();
    return node;
  }

  protected TestNode startNode() {
    return startNode(b -> b);
  }

  /** A console in the next free browser; {@code label} names its screenshot. */
  protected Console console(String label) {
    if (node == null) {
      throw new IllegalStateException("start the node first");
    }
    Console c = new Console(label, browsers.get(consoles.size()), node);
    viewport(c, 1280, 800);
    consoles.add(c);
    return c;
  }

  /** Sizes the window so that the page itself gets {@code width}×{@code height}. */
  @SuppressWarnings("unchecked")
  protected static void viewport(Console c, int width, int height) {
    for (int attempt = 0; attempt < 2; attempt++) {
      List<Long> inner = (List<Long>) c.js("return [window.innerWidth, window.innerHeight]");
      long dw = width - inner.get(0);
      long dh = height - inner.get(1);
      if (dw == 0 && dh == 0) {
        return;
      }
      Dimension outer = c.driver.manage().window().getSize();
      c.driver.manage().window().setSize(new Dimension(outer.width + (int) dw, outer.height + (int) dh));
    }
  }

  /** A guest socket (no chat started yet), closed after the test. */
  protected FrameClient guest() {
    FrameClient g = FrameClient.guest(node);
    clients.add(g);
    return g;
  }

  @AfterEach
  void tearDown(TestInfo info) {
    String test = info.getTestMethod().map(m -> m.getName()).orElse("unknown");
    List<String> scriptErrors = new ArrayList<>();
    try {
      for (int i = 0; i < consoles.size(); i++) {
        Console c = consoles.get(i);
        try {
          c.screenshot("console-" + test + (i == 0 ? "" : "-" + c.label));
          scriptErrors.addAll(c.scriptErrors());
        } finally {
          // leave the page, so its socket does not try to reconnect to a stopped node
          c.driver.get("about:blank");
        }
      }
      assertThat(scriptErrors).as("script errors in the console pages").isEmpty();
    } finally {
      consoles.clear();
      clients.forEach(FrameClient::close);
      clients.clear();
      TestNode.await(vertx.close(), Duration.ofSeconds(10));
    }
  }
}
