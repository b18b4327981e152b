package switchboard.http;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import java.util.function.Supplier;
import switchboard.domain.Directory;
import switchboard.domain.QueueConfig;
import switchboard.routing.Availability;

/**
 * LibraryH3lp-compatible presence (issue 16), so a library's pages move over unchanged:
 * {@code GET /presence/jid/{queue}/{anything}/text|xml|js|image}, any query string, any origin.
 * A queue is {@code available} when a chat started on it would be answered (some queue of its
 * rollover chain is available), else {@code unavailable}; an unknown queue is {@code unavailable}
 * (those pages show "offline" rather than break). Always one resource, as the pages expect:
 * {@code jabber_resources[0].show} in the script, {@code resource[show]} in the XML.
 */
final class LibraryH3lpPresence {
  private final Directory directory;
  private final Supplier<Future<Availability>> availability;

  LibraryH3lpPresence(Directory directory, Supplier<Future<Availability>> availability) {
    this.directory = directory;
    this.availability = availability;
  }

  void mount(Router router) {
    router.get("/presence/jid/:queue/:host/:format").handler(this::answer);
  }

  private void answer(RoutingContext rc) {
    String format = rc.pathParam("format");
    if (!format.equals("text") && !format.equals("xml") && !format.equals("js") && !format.equals("image")) {
      rc.response().setStatusCode(404).putHeader("Content-Type", "text/plain; charset=utf-8")
          .putHeader("Access-Control-Allow-Origin", "*").end("format is text, xml, js or image");
      return;
    }
    String name = rc.pathParam("queue");
    String host = rc.pathParam("host");
    Optional<QueueConfig> queue = directory.queue(name);
    availability.get().onSuccess(av -> {
      boolean available = queue.isPresent() && directory.chain(name).stream().anyMatch(av::isAvailable);
      String show = available ? "available" : "unavailable";
      String title = queue.map(QueueConfig::title).orElse(name);
      rc.response().putHeader("Access-Control-Allow-Origin", "*").putHeader("Cache-Control", "no-store");
      switch (format) {
        case "text" -> rc.response().putHeader("Content-Type", "text/plain; charset=utf-8").end(show);
        case "js" -> rc.response().putHeader("Content-Type", "application/javascript; charset=utf-8")
            .end("var jabber_resources = " + resources(name, show, title) + ";\n");
        case "xml" -> rc.response().putHeader("Content-Type", "application/xml; charset=utf-8")
            .end("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<presence jid=\"" + Badge.escape(name + "@" + host)
                + "\">\n  <resource name=\"" + Badge.escape(name) + "\" show=\"" + show + "\" status=\""
                + Badge.escape(title) + "\" priority=\"0\"/>\n</presence>\n");
        default -> rc.response().putHeader("Content-Type", "image/svg+xml").end(Badge.svg(title, available));
      }
    }).onFailure(rc::fail);
  }

  /** One resource, JSON-encoded with {@code <} escaped so no text can close a script element. */
  private static String resources(String name, String show, String title) {
    return new JsonArray().add(new JsonObject().put("name", name).put("show", show).put("status", title)
        .put("priority", 0)).encode().replace("<", "\\u003c");
  }
}
