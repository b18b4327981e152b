package switchboard.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.CheckResult;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import switchboard.Version;
import switchboard.bus.ClientError;
import switchboard.bus.ErrorCode;
import switchboard.bus.EventRelay;
import switchboard.config.AccessSettings;
import switchboard.limits.Cidr;
import switchboard.record.RecordStore;
import switchboard.store.StateStore;

/**
 * What operations staff and load balancers call (DESIGN §4): liveness, readiness with the
 * check that failed, Prometheus metrics, and the API's OpenAPI description.
 */
final class OpsRoutes {
  /** A store that takes longer than this to answer PING is as good as down for a balancer. */
  static final long STORE_TIMEOUT_MS = 2_000;
  /** The hand-written description of the HTTP API, on the classpath. */
  static final String OPENAPI_RESOURCE = "switchboard/openapi.json";

  private final HealthChecks checks;
  private final PrometheusMeterRegistry metrics;
  private final String nodeId;
  private final String metricsToken;
  private final List<Cidr> metricsAllowFrom;
  private final Future<String> openApi;

  OpsRoutes(Vertx vertx, StateStore store, RecordStore record, EventRelay relay, PrometheusMeterRegistry metrics,
      String nodeId, AccessSettings access) {
    this.metrics = metrics;
    this.metricsToken = access.metricsToken();
    this.metricsAllowFrom = access.metricsAllowFrom().stream().map(Cidr::parse).toList();
    this.nodeId = nodeId;
    // read once, off the event loop (the file system resolves classpath resources), with this build's version
    this.openApi = vertx.fileSystem().readFile(OPENAPI_RESOURCE).map(file -> {
      JsonObject doc = file.toJsonObject();
      doc.getJsonObject("info").put("version", Version.current());
      return doc.encode();
    });
    this.checks = HealthChecks.create(vertx)
        .register("store", STORE_TIMEOUT_MS, done -> store.ping().onComplete(ping -> done.tryComplete(ping.succeeded()
            ? Status.OK() : Status.KO(new JsonObject().put("error", describe(ping.cause()))))))
        // a node cut off from the other nodes' events would strand the guests and operators it holds
        .register("events", done -> done.tryComplete(relay.receivesOtherNodes()
            ? Status.OK() : Status.KO(new JsonObject().put("error", "not subscribed to events from other nodes"))));
    if (!record.inStateStore()) { // a database of its own: chats and sign-ins need it
      checks.register("record", STORE_TIMEOUT_MS, done -> record.ping().onComplete(ping -> done.tryComplete(
          ping.succeeded() ? Status.OK() : Status.KO(new JsonObject().put("error", describe(ping.cause()))))));
    }
  }

  void mount(Router router) {
    router.get("/health/live").handler(rc -> Http.json(rc, 200, new JsonObject().put("status", "UP").put("node", nodeId)
        .put("version", Version.current())));
    router.get("/health/ready").handler(this::ready);
    router.get("/metrics").handler(this::metricsAccess).handler(PrometheusScrapingHandler.create(metrics));
    // public, any origin (a plain GET needs no preflight), like the queue list: tools read it from anywhere
    router.get("/api/v1/openapi.json").handler(rc -> openApi.onSuccess(doc -> rc.response()
        .putHeader("Content-Type", "application/json").putHeader("Access-Control-Allow-Origin", "*").end(doc))
        .onFailure(rc::fail));
  }

  /**
   * {@code metrics.allowFrom} (the peer's own address: a scraper reaches the node directly) and
   * {@code metrics.token} (a bearer token), each when configured; neither set, /metrics is open.
   */
  private void metricsAccess(RoutingContext rc) {
    if (!metricsAllowFrom.isEmpty()) {
      String peer = rc.request().remoteAddress() == null ? null : rc.request().remoteAddress().hostAddress();
      InetAddress ip = peer == null ? null : Cidr.literal(peer);
      if (ip == null || metricsAllowFrom.stream().noneMatch(range -> range.contains(ip))) {
        throw new ClientError(ErrorCode.forbidden, "metrics are not served to this address (metrics.allowFrom)");
      }
    }
    if (metricsToken != null) {
      String header = rc.request().getHeader("Authorization");
      String given = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
      if (given == null || !MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
          metricsToken.getBytes(StandardCharsets.UTF_8))) {
        rc.response().putHeader("WWW-Authenticate", "Bearer realm=\"metrics\"");
        throw new ClientError(ErrorCode.unauthorized, "metrics need the configured bearer token (metrics.token)");
      }
    }
    rc.next();
  }

  private void ready(RoutingContext rc) {
    checks.checkStatus().onSuccess(result -> {
      JsonArray each = new JsonArray();
      List<String> failed = new ArrayList<>();
      for (CheckResult check : result.getChecks()) {
        boolean up = check.getStatus() != null && check.getStatus().isOk();
        JsonObject json = new JsonObject().put("id", check.getId()).put("status", up ? "UP" : "DOWN");
        if (!up) {
          String why = reason(check);
          json.put("error", why);
          failed.add(check.getId() + ": " + why);
        }
        each.add(json);
      }
      boolean up = failed.isEmpty();
      JsonObject body = new JsonObject().put("status", up ? "UP" : "DOWN").put("node", nodeId)
          .put("version", Version.current()).put("checks", each);
      if (!up) {
        body.put("reason", String.join("; ", failed));
      }
      Http.json(rc, up ? 200 : 503, body);
    }).onFailure(rc::fail);
  }

  /** A procedure's own error, or the health-check module's account of a timeout or a crash. */
  private static String reason(CheckResult check) {
    JsonObject data = check.getStatus() == null ? null : check.getStatus().getData();
    if (data != null && data.getValue("error") instanceof String error) {
      return error;
    }
    if (data != null && data.getValue("cause") != null) {
      return "no answer: " + data.getValue("cause");
    }
    return check.getFailure() != null ? describe(check.getFailure()) : "down";
  }

  private static String describe(Throwable e) {
    return e == null ? "failed" : e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }
}
