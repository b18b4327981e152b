package switchboard.a11y;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;

/**
 * axe-core run in the page as it is (open shadow roots included: axe walks them), against WCAG 2.0
 * and 2.1 A and AA, once the page's finite animations have ended (a panel fading in is not judged
 * half-transparent). Its script comes from Deque's axe-core jar (a test dependency), not the network.
 */
public final class Axe {
  private static final String SCRIPT = load();
  private static final String RUN = """
      const done = arguments[arguments.length - 1];
      const context = arguments[0] ? {include: [[arguments[0]]]} : document;
      // colours are judged as they end up: a panel still fading in would read as too pale
      const roots = [document, ...[...document.querySelectorAll('*')].map(e => e.shadowRoot).filter(r => r)];
      const fading = roots.flatMap(r => r.getAnimations())
          .filter(a => a.effect && a.effect.getComputedTiming().endTime !== Infinity)
          .map(a => a.finished.catch(() => null));
      Promise.all(fading).then(() => axe.run(context, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
          resultTypes: ['violations']}))
        .then(r => done(JSON.stringify(r.violations)))
        .catch(e => done(JSON.stringify([{id: 'axe-error', help: String(e), nodes: []}])));
      """;

  private Axe() {}

  /** Every violation as "rule: what is wrong — where (the nodes' selectors)", empty when there is none. */
  public static List<String> violations(WebDriver driver) {
    return violations(driver, null);
  }

  /** Only inside {@code selector} (the widget on a page that is not ours), or the whole page when null. */
  public static List<String> violations(WebDriver driver, String selector) {
    JavascriptExecutor js = (JavascriptExecutor) driver;
    if (!Boolean.TRUE.equals(js.executeScript("return typeof window.axe === 'object'"))) {
      js.executeScript(SCRIPT);
    }
    JsonArray found = new JsonArray((String) js.executeAsyncScript(RUN, selector));
    List<String> out = new ArrayList<>();
    for (Object v : found) {
      JsonObject violation = (JsonObject) v;
      List<String> where = new ArrayList<>();
      for (Object n : violation.getJsonArray("nodes", new JsonArray())) {
        JsonObject node = (JsonObject) n;
        where.add(node.getJsonArray("target", new JsonArray()).encode() + " " + node.getString("failureSummary", "")
            .replace('\n', ' '));
      }
      out.add(violation.getString("id") + ": " + violation.getString("help") + " — " + where);
    }
    return out;
  }

  private static String load() {
    try (InputStream in = Axe.class.getResourceAsStream("/axe.min.js")) {
      if (in == null) {
        throw new IllegalStateException("axe.min.js is not on the class path (com.deque.html.axe-core:selenium)");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
