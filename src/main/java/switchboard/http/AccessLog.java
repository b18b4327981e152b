package switchboard.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import switchboard.limits.ClientAddress;

/**
 * The HTTP access log ({@code http.accessLog}): one line per request on the logger
 * {@code switchboard.access} once its response is sent, with the client (through trusted proxies,
 * as the per-client limits see it), method, path, status, bytes sent, milliseconds and user agent.
 * The query string is left out: links carry tokens there. A WebSocket is logged when its upgrade
 * is answered (101, or the refusal). In JSON logs the same facts are fields of the line.
 */
final class AccessLog implements Handler<RoutingContext> {
  static final String LOGGER = "switchboard.access";
  private static final Logger log = LoggerFactory.getLogger(LOGGER);
  private static final int MAX_AGENT = 200;
  private static final String STARTED = "switchboard.access.started";
  private static final String UPGRADED = "switchboard.access.upgraded";

  private final ClientAddress clientAddress;

  AccessLog(ClientAddress clientAddress) {
    this.clientAddress = clientAddress;
  }

  @Override
  public void handle(RoutingContext rc) {
    long started = System.nanoTime();
    rc.put(STARTED, started);
    // also called when the connection closes before the response ended; an upgraded socket's
    // connection closes when the socket does, and its line was written at the upgrade
    rc.addEndHandler(ended -> {
      if (rc.get(UPGRADED) == null) {
        write(rc.request(), started);
      }
    });
    rc.next();
  }

  /** A WebSocket upgrade answered (the 101 is sent by the socket, not the router's response). */
  void upgraded(RoutingContext rc) {
    rc.put(UPGRADED, true);
    write(rc.request(), rc.<Long>get(STARTED), 101, 0); // handle() ran first: it is on every route
  }

  private void write(HttpServerRequest request, long started) {
    write(request, started, request.response().getStatusCode(), request.response().bytesWritten());
  }

  private void write(HttpServerRequest request, long started, int status, long bytes) {
    if (!log.isInfoEnabled()) {
      return;
    }
    String client = clientAddress.of(request.remoteAddress(), request.headers());
    if (client == null) {
      client = request.remoteAddress() == null ? "-" : request.remoteAddress().hostAddress();
    }
    String agent = request.getHeader("User-Agent");
    agent = agent == null ? "-" : agent.length() > MAX_AGENT ? agent.substring(0, MAX_AGENT) : agent;
    long millis = (System.nanoTime() - started) / 1_000_000;
    String path = request.path();
    log.atInfo()
        .addKeyValue("client", client)
        .addKeyValue("method", request.method().name())
        .addKeyValue("path", path)
        .addKeyValue("status", status)
        .addKeyValue("bytes", bytes)
        .addKeyValue("ms", millis)
        .addKeyValue("agent", agent)
        .log("{} {} {} {} {} B {} ms \"{}\"", client, request.method().name(), path, status, bytes, millis, agent);
  }
}
