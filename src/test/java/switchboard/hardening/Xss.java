package switchboard.hardening;

import java.util.List;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * Hostile strings for the pages' fields, and a probe that tells whether a page turned one into
 * markup or script: an injected element, an event-handler attribute, a {@code javascript:} link, or
 * {@code window.__xss} set (each string sets it when it runs). Used by the browser tests of the
 * admin page, the console and the widget.
 */
public final class Xss {
  private Xss() {}

  public static final String IMG = "<img src=x onerror=window.__xss=1>";
  public static final String SCRIPT = "\"><script>window.__xss=1</script>";
  public static final String JS_URL = "javascript:window.__xss=1//";
  /** What template engines evaluate; a page that shows 49 evaluated it. */
  public static final String TEMPLATE = "{{7*7}} ${7*7} <%= 7*7 %>";
  /** Right-to-left override, isolates and zero-width characters (not at either end: trimming would drop some). */
  public static final String BIDI = "\u202Eevil\u202C zero\u200Bwidth\u200D\u2066iso\u2069\uFEFFend";

  /** The strings above, one after another: what a field with no length limit gets. */
  public static final String ALL = IMG + SCRIPT + " " + JS_URL + " " + TEMPLATE + " " + BIDI;

  /** {@code length} characters of {@link #ALL} repeated (for the fields with long limits). */
  public static String longText(int length) {
    StringBuilder b = new StringBuilder(length);
    while (b.length() < length) {
      b.append(ALL).append(' ');
    }
    // no space or BOM at the end: pages and servers trim those, and the text would no longer match
    return b.substring(0, length).replaceAll("[ \\uFEFF]+$", "");
  }

  private static final String PROBE = """
      const problems = [];
      if (typeof window.__xss !== 'undefined') problems.push('window.__xss is ' + String(window.__xss));
      const roots = [document];
      for (let i = 0; i < roots.length; i++) {
        for (const el of roots[i].querySelectorAll('*')) {
          if (el.shadowRoot) roots.push(el.shadowRoot);
          const tag = el.localName;
          const shown = () => el.outerHTML.slice(0, 160);
          if (['img', 'iframe', 'object', 'embed', 'frame'].includes(tag)) problems.push('an element ' + shown());
          if (tag === 'script' && (!el.hasAttribute('src') || el.textContent.includes('__xss'))) {
            problems.push('an inline script ' + shown());
          }
          for (const a of el.attributes) {
            if (/^on/i.test(a.name)) problems.push('an event handler ' + shown());
            if (/^(href|src|action|formaction|xlink:href|data|srcdoc)$/i.test(a.name)
                && /^[\\s\\u0000-\\u001f]*javascript:/i.test(a.value)) {
              problems.push('a javascript: URL ' + shown());
            }
          }
        }
      }
      return problems;
      """;

  /** What the page (document and open shadow roots) shows of an injection; empty when none. */
  @SuppressWarnings("unchecked")
  public static List<String> injections(WebDriver driver) {
    return (List<String>) ((JavascriptExecutor) driver).executeScript(PROBE);
  }

  /** The text of an element as the page holds it (textContent: neither trimmed nor re-spaced by Selenium). */
  public static String text(WebDriver driver, WebElement element) {
    return (String) ((JavascriptExecutor) driver).executeScript("return arguments[0].textContent", element);
  }

  /** The value of a form field as the page holds it. */
  public static String value(WebDriver driver, WebElement field) {
    return (String) ((JavascriptExecutor) driver).executeScript("return arguments[0].value", field);
  }
}
