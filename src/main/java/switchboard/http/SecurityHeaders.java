package switchboard.http;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Security headers on every answer (see docs/SECURITY.md): a Content-Security-Policy that runs
 * no script but our own files, {@code nosniff}, a referrer policy, and a frame policy. The console,
 * the admin pages and the API refuse to be framed; the chat box ({@code /chat/…}), the widget and
 * the Presence API stay embeddable, since library pages put them in their own.
 */
public final class SecurityHeaders implements Handler<RoutingContext> {
  private static final Logger log = LoggerFactory.getLogger(SecurityHeaders.class);
  /** The pages that may carry an inline script; each one found is allowed by its hash, never by 'unsafe-inline'. */
  static final List<String> PAGES = List.of("webroot/index.html", "webroot/chat/index.html",
      "webroot/console/index.html", "webroot/admin/index.html", "webroot/demo/custom-rollover.html");
  private static final Pattern INLINE_SCRIPT = Pattern.compile("<script>(.*?)</script>", Pattern.DOTALL);

  private final String pagePolicy;
  private final String embeddablePagePolicy;

  private SecurityHeaders(Set<String> inlineScriptHashes) {
    StringBuilder scripts = new StringBuilder("script-src 'self'");
    inlineScriptHashes.forEach(h -> scripts.append(" '").append(h).append('\''));
    // style-src needs no 'unsafe-inline': the pages use no style attributes, and the widget's styles
    // are a constructed stylesheet (CSSOM), which CSP does not govern
    String common = "default-src 'self'; " + scripts + "; style-src 'self'; img-src 'self' data:; "
        + "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'";
    this.pagePolicy = common + "; frame-ancestors 'none'";
    this.embeddablePagePolicy = common;
  }

  /** Reads the pages once (at start) to allow their inline scripts, if any, by hash. */
  public static SecurityHeaders create(Vertx vertx) {
    Set<String> hashes = new LinkedHashSet<>();
    for (String page : PAGES) {
      if (!vertx.fileSystem().existsBlocking(page)) {
        continue;
      }
      Matcher m = INLINE_SCRIPT.matcher(vertx.fileSystem().readFileBlocking(page).toString(StandardCharsets.UTF_8));
      while (m.find()) {
        hashes.add(sha256(m.group(1)));
        log.debug("inline script in {} allowed by its hash", page);
      }
    }
    return new SecurityHeaders(hashes);
  }

  @Override
  public void handle(RoutingContext rc) {
    String path = rc.normalizedPath();
    MultiMap headers = rc.response().headers();
    if (!path.startsWith("/ws/")) {
      headers.set("X-Content-Type-Options", "nosniff");
      headers.set("Referrer-Policy", "strict-origin-when-cross-origin");
      if (path.startsWith("/chat/") || path.equals("/chat")) {
        headers.set("Content-Security-Policy", embeddablePagePolicy);
      } else if (path.startsWith("/api/v1/presence") || path.equals("/widget.js")) {
        // a script or a badge others load into their pages: nothing in it runs as a page of ours
        headers.set("Content-Security-Policy", "default-src 'none'");
      } else if (path.startsWith("/api/") || path.startsWith("/health/") || path.equals("/metrics")) {
        headers.set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
        headers.set("X-Frame-Options", "DENY");
      } else {
        headers.set("Content-Security-Policy", pagePolicy);
        headers.set("X-Frame-Options", "DENY");
      }
    }
    rc.next();
  }

  static String sha256(String script) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(script.getBytes(StandardCharsets.UTF_8));
      return "sha256-" + Base64.getEncoder().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }
}
