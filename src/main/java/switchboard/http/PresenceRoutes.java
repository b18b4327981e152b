package switchboard.http;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import switchboard.bus.ClientError;
import switchboard.bus.ErrorCode;
import switchboard.domain.QueueConfig;
import switchboard.domain.Directory;
import switchboard.routing.Availability;
import switchboard.store.StateStore;

/**
 * The Presence API (DESIGN §4): whether a queue can be chatted with now, as JSON, text,
 * a script or a badge image, open to any origin. Pages poll it, so answers come from a
 * snapshot of at most {@link #MAX_AGE} old: one store read a second whatever the load.
 */
final class PresenceRoutes {
  static final Duration MAX_AGE = Duration.ofSeconds(1);
  private static final Pattern JS_NAME = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]{0,63}(\\.[A-Za-z_$][A-Za-z0-9_$]{0,63}){0,3}");

  private final Directory directory;
  private final StateStore store;
  private final Clock clock;
  private Future<Availability> snapshot;
  private Instant snapshotAt = Instant.MIN;

  PresenceRoutes(Directory directory, StateStore store, Clock clock) {
    this.directory = directory;
    this.store = store;
    this.clock = clock;
  }

  void mount(Router router) {
    router.get("/api/v1/presence/:queue/badge.svg").handler(this::badge);
    router.get("/api/v1/presence/:queue").handler(this::one);
    router.get("/api/v1/presence").handler(this::list);
    new LibraryH3lpPresence(directory, this::availability).mount(router);
  }

  /** Who is available, read at most once per {@link #MAX_AGE}; a failed read is not kept. */
  Future<Availability> availability() {
    Instant now = clock.instant();
    if (snapshot == null || snapshotAt.plus(MAX_AGE).isBefore(now) || snapshot.failed()) {
      snapshotAt = now;
      snapshot = Future.all(store.connectedOperators(), store.heldCounts())
          .map(all -> new Availability(directory, all.resultAt(0), all.resultAt(1), now));
    }
    return snapshot;
  }

  private QueueConfig queue(RoutingContext rc) {
    String name = rc.pathParam("queue");
    return directory.queue(name)
        .orElseThrow(() -> new ClientError(ErrorCode.unknown_queue, "no queue named " + name));
  }

  private JsonObject presenceJson(QueueConfig queue, Availability av) {
    boolean chainAvailable = directory.chain(queue.name()).stream().anyMatch(av::isAvailable);
    return new JsonObject()
        .put("queue", queue.name())
        .put("available", av.isAvailable(queue.name()))
        .put("chainAvailable", chainAvailable)
        .put("nextOpening", directory.nextOpening(queue.name(), av.at()).map(Instant::toString).orElse(null));
  }

  private void one(RoutingContext rc) {
    QueueConfig queue = queue(rc);
    String format = rc.queryParams().get("format");
    availability().onSuccess(av -> {
      JsonObject presence = presenceJson(queue, av);
      open(rc);
      if (format == null || format.equals("json")) {
        rc.response().putHeader("Content-Type", "application/json").end(presence.encode());
      } else if (format.equals("text")) {
        rc.response().putHeader("Content-Type", "text/plain; charset=utf-8")
            .end(presence.getBoolean("available") ? "available" : "unavailable");
      } else if (format.equals("js")) {
        rc.response().putHeader("Content-Type", "application/javascript; charset=utf-8").end(script(rc, presence));
      } else {
        rc.fail(new ClientError(ErrorCode.bad_request, "format is json, text or js"));
      }
    }).onFailure(rc::fail);
  }

  /** {@code ?callback=f} calls f(presence); {@code ?var=v} (default switchboardPresence) sets window.v. */
  private static String script(RoutingContext rc, JsonObject presence) {
    String callback = rc.queryParams().get("callback");
    String variable = rc.queryParams().get("var");
    String name = callback != null ? callback : variable != null ? variable : "switchboardPresence";
    if (!JS_NAME.matcher(name).matches()) {
      throw new ClientError(ErrorCode.bad_request, "callback and var take a JavaScript name such as onPresence");
    }
    return callback != null ? name + "(" + presence.encode() + ");\n"
        : "window." + name + " = " + presence.encode() + ";\n";
  }

  private void badge(RoutingContext rc) {
    QueueConfig queue = queue(rc);
    availability().onSuccess(av -> {
      boolean open = directory.chain(queue.name()).stream().anyMatch(av::isAvailable);
      open(rc);
      rc.response().putHeader("Content-Type", "image/svg+xml")
          .putHeader("Cache-Control", "no-cache, max-age=0")
          .end(Badge.svg(queue.title(), open));
    }).onFailure(rc::fail);
  }

  private void list(RoutingContext rc) {
    String param = rc.queryParams().get("queues");
    if (param == null || param.isBlank()) {
      throw new ClientError(ErrorCode.bad_request, "give ?queues=a,b,c");
    }
    List<String> names = Arrays.stream(param.split(",")).map(String::trim).filter(s -> !s.isEmpty()).limit(50).toList();
    List<QueueConfig> queues = names.stream().map(n -> directory.queue(n)
        .orElseThrow(() -> new ClientError(ErrorCode.unknown_queue, "no queue named " + n))).toList();
    availability().onSuccess(av -> {
      JsonArray list = new JsonArray();
      String first = null;
      for (QueueConfig q : queues) {
        JsonObject presence = presenceJson(q, av);
        list.add(presence);
        if (first == null && presence.getBoolean("available")) {
          first = q.name();
        }
      }
      open(rc);
      rc.response().putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("queues", list).put("firstAvailable", first).encode());
    }).onFailure(rc::fail);
  }

  /** Any page may ask; answers are never stale by more than the snapshot. */
  private static void open(RoutingContext rc) {
    rc.response().putHeader("Access-Control-Allow-Origin", "*");
    if (rc.response().headers().get("Cache-Control") == null) {
      rc.response().putHeader("Cache-Control", "no-store");
    }
  }
}
