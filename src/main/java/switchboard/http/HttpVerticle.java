package switchboard.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.function.Supplier;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.CorsHandler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.handler.StaticHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import switchboard.admin.DirectoryEditor;
import switchboard.auth.OperatorAuth;
import switchboard.bus.ClientError;
import switchboard.bus.ErrorCode;
import switchboard.bus.EventRelay;
import switchboard.bus.StoreFailures;
import switchboard.config.AppConfig;
import switchboard.domain.Directory;
import switchboard.gateway.GuestSession;
import switchboard.gateway.OperatorSession;
import switchboard.limits.ClientAddress;
import switchboard.limits.SharedLimits;
import switchboard.record.ChatHistory;
import switchboard.record.RecordStore;
import switchboard.store.StateStore;

/** The HTTP edge: REST API, static pages, and the two WebSocket endpoints handed to their gateways. */
public final class HttpVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(HttpVerticle.class);
  static final int MAX_FRAME_BYTES = 64 * 1024;
  static final long MAX_BODY_BYTES = 64 * 1024;

  private final AppConfig config;
  private final Directory directory;
  private final StateStore store;
  private final RecordStore record;
  private final ChatHistory history;
  private final OperatorAuth auth;
  private final OriginCheck origins;
  private final SharedLimits limits;
  private final ClientAddress clientAddress;
  private final OfflineRoutes offline;
  private final int port;
  private HttpServer server;
  private Router router;
  /** Null unless {@code http.accessLog} is on. */
  private final AccessLog accessLog;

  private final EventRelay relay;
  private final PrometheusMeterRegistry metrics;

  /**
   * The HTTP verticle instances of one node (deploy several, one per event loop). Per-client limits
   * (chat starts, offline messages) are counted in the store, so every instance and every node
   * shares them.
   *
   * @param port where to listen: the configured port, or a negative number for a random port
   *     that every instance given the same negative number shares (Vert.x's shared random port)
   */
  public static Supplier<HttpVerticle> forNode(AppConfig config, Directory directory, StateStore store,
      RecordStore record, EventRelay relay, OperatorAuth auth, PrometheusMeterRegistry metrics, int port) {
    SharedLimits limits = new SharedLimits(store);
    ClientAddress clientAddress = new ClientAddress(config.access().trustedProxies());
    OfflineRoutes offline = new OfflineRoutes(directory, record, auth, limits, clientAddress, Clock.systemUTC(),
        config.mail() != null);
    return () -> new HttpVerticle(config, directory, store, record, relay, auth, metrics, limits, clientAddress, offline,
        port);
  }

  private HttpVerticle(AppConfig config, Directory directory, StateStore store, RecordStore record, EventRelay relay,
      OperatorAuth auth,
      PrometheusMeterRegistry metrics, SharedLimits limits, ClientAddress clientAddress, OfflineRoutes offline,
      int port) {
    this.offline = offline;
    this.limits = limits;
    this.clientAddress = clientAddress;
    this.port = port;
    this.metrics = metrics;
    this.relay = relay;
    this.config = config;
    this.directory = directory;
    this.store = store;
    this.record = record;
    this.history = new ChatHistory(store, record);
    this.auth = auth;
    this.origins = new OriginCheck(config.allowedOrigins());
    this.accessLog = config.access().accessLog() ? new AccessLog(clientAddress) : null;
  }

  @Override
  public Future<?> start() {
    Router router = this.router = Router.router(vertx);
    if (accessLog != null) {
      router.route().handler(accessLog);
    }
    router.route().handler(SecurityHeaders.create(vertx));
    router.route("/ws/guest").handler(rc -> upgrade(rc, true));
    router.route("/ws/operator").handler(rc -> upgrade(rc, false));
    // what library pages call from their own origin
    router.route("/api/v1/presence*").handler(publicCors());
    router.route("/presence/*").handler(publicCors());
    // the widget, on a library's own site, reads its words from here
    router.route("/i18n/*").handler(publicCors());
    router.route("/api/v1/queues").handler(publicCors());
    router.route("/api/v1/offline").handler(publicCors());
    router.route("/api/*").method(HttpMethod.POST).method(HttpMethod.PUT).method(HttpMethod.PATCH)
        .method(HttpMethod.DELETE).handler(BodyHandler.create().setBodyLimit(MAX_BODY_BYTES));
    new ApiRoutes(directory, history, relay, auth, config.nodeId()).mount(router);
    new PresenceRoutes(directory, store, Clock.systemUTC()).mount(router);
    offline.mount(router);
    new CannedRoutes(directory, record, auth).mount(router);
    new OpsRoutes(vertx, store, record, relay, metrics, config.nodeId(), config.access()).mount(router);
    new TranscriptRoutes(config.mail() != null, history, auth, directory).mount(router);
    new AdminRoutes(directory, auth, new DirectoryEditor(vertx, record, directory, relay), record, Clock.systemUTC())
        .mount(router);
    new StatsRoutes(directory, history, record, auth, Clock.systemUTC()).mount(router);
    new ArchiveRoutes(directory, record, auth, Clock.systemUTC()).mount(router);
    new SupervisorRoutes(directory, store, auth, Clock.systemUTC()).mount(router);
    new SmsRoutes(directory, config.publicBaseUrl()).mount(router);
    router.getWithRegex("/chat/[a-z0-9-]{1,64}/?").handler(rc -> rc.reroute("/chat/index.html"));
    router.route("/*").method(HttpMethod.GET).method(HttpMethod.HEAD)
        .handler(StaticHandler.create("webroot").setCachingEnabled(false));
    router.route().failureHandler(this::failure);
    router.errorHandler(404, this::failure); // no route or file: JSON like every other API error
    router.errorHandler(405, this::failure);

    HttpServerOptions options = new HttpServerOptions()
        .setPort(port)
        // no HTTP/2 upgrade over plain HTTP (browsers never ask; Java's client does, at every request):
        // a stream reset on an upgraded connection made vertx-micrometer throw, logged as an ERROR
        .setHttp2ClearTextEnabled(false)
        .setMaxWebSocketFrameSize(MAX_FRAME_BYTES)
        .setMaxWebSocketMessageSize(MAX_FRAME_BYTES);
    return vertx.createHttpServer(options).requestHandler(router).listen().onSuccess(s -> server = s);
  }

  private static CorsHandler publicCors() {
    return CorsHandler.create().addOrigin("*").allowedMethod(HttpMethod.GET).allowedMethod(HttpMethod.POST)
        .allowedHeader("Content-Type").maxAgeSeconds(600);
  }

  public int actualPort() {
    return server.actualPort();
  }

  /** The router {@link #start} built: what a test compares with the API's description. */
  Router router() {
    return router;
  }

  private void upgrade(RoutingContext rc, boolean guest) {
    HttpServerRequest request = rc.request();
    // Anything but a handshake is answered here, like any request, rather than by the handshake
    // decoder, which refuses a body with 413 and closes at once: the unread body then resets the
    // connection and the client may never see the answer (the HTTP fuzz test's flake).
    if (request.method() != HttpMethod.GET) {
      rc.fail(405);
      return;
    }
    if (!"websocket".equalsIgnoreCase(request.getHeader(HttpHeaders.UPGRADE))) {
      rc.fail(new ClientError(ErrorCode.bad_request, "this address takes WebSocket connections only"));
      return;
    }
    String origin = request.getHeader(HttpHeaders.ORIGIN);
    String authority = request.authority() == null ? null : request.authority().toString();
    if (guest ? !origins.allowsGuest(origin, authority) : !origins.allowsOperator(origin, authority)) {
      log.warn("refused a {} socket from origin {}", guest ? "guest" : "operator", origin);
      rc.response().setStatusCode(403).end("origin not allowed");
      return;
    }
    request.toWebSocket().onSuccess(ws -> {
      if (accessLog != null) {
        accessLog.upgraded(rc);
      }
      if (guest) {
        new GuestSession(vertx, ws, config.chats(), limits, clientAddress).open();
      } else {
        new OperatorSession(vertx, ws, auth, config.chats()).open();
      }
    }).onFailure(e -> log.debug("websocket upgrade failed: {}", e.getMessage()));
  }

  private void failure(RoutingContext rc) {
    Throwable failure = rc.failure();
    int status = rc.statusCode();
    ErrorCode code;
    String message;
    if (failure instanceof ClientError e) {
      code = e.code;
      message = e.getMessage();
    } else if (failure instanceof NumberFormatException || failure instanceof io.netty.handler.codec.DecoderException) {
      code = ErrorCode.bad_request; // a body the HTTP codec could not read, such as a broken chunk size
      message = "malformed request";
    } else if (status == 413) {
      code = ErrorCode.too_large;
      message = "request body too large";
    } else if (status >= 400 && status < 500) {
      code = status == 404 ? ErrorCode.not_found : ErrorCode.bad_request;
      message = status == 404 ? "nothing here" : status == 405 ? "method not allowed here" : "bad request";
    } else {
      if (StoreFailures.unreachable(failure)) { // expected while the store is away: 503, the client retries
        log.warn("{} {} failed: the store is unreachable ({})", rc.request().method(), rc.request().path(),
            String.valueOf(failure));
      } else {
        log.error("{} {} failed", rc.request().method(), rc.request().path(), failure);
      }
      code = ErrorCode.unavailable;
      message = "the server could not do that just now; please retry";
    }
    if (!rc.response().ended()) {
      // a known path asked with a method it does not take: the client's mistake, said as HTTP says it
      int httpStatus = status == 405 && code == ErrorCode.bad_request ? 405 : code.httpStatus;
      rc.response().setStatusCode(httpStatus).putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("error", code.name()).put("message", message).encode());
    }
  }
}
