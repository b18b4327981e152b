package switchboard.bench;

import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The load generator's side: its own Vert.x instance (never the server's), a few event-loop
 * "lanes" that each own a share of the sockets and send on their own loop, and an HTTP client
 * for sign-ins.
 */
final class Clients implements AutoCloseable {
  final Vertx vertx;
  private final WebSocketClient ws;
  private final HttpClient http;
  private final List<Context> lanes = new CopyOnWriteArrayList<>();

  /** One verticle instance per lane: the public way to get contexts on distinct event loops. */
  private final class Lane extends VerticleBase {
    @Override
    public Future<?> start() {
      lanes.add(context);
      return Future.succeededFuture();
    }
  }

  Clients(int laneCount) {
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(laneCount));
    ws = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxConnections(1_000_000)
        .setConnectTimeout(30_000)
        .setMaxFrameSize(1 << 20)
        .setMaxMessageSize(1 << 22));
    http = vertx.createHttpClient();
    Await.get(vertx.deployVerticle(Lane::new, new DeploymentOptions().setInstances(laneCount)), 30);
  }

  int lanes() {
    return lanes.size();
  }

  Context lane(int i) {
    return lanes.get(Math.floorMod(i, lanes.size()));
  }

  /** Opens {@code path} on 127.0.0.1:{@code port}; the socket lives on lane {@code lane}. */
  Future<Sock> connect(int lane, int port, String path, String label) {
    Promise<Sock> promise = Promise.promise();
    int l = Math.floorMod(lane, lanes.size());
    lanes.get(l).runOnContext(v -> {
      var socket = ws.webSocket();
      Sock sock = new Sock(vertx, socket, label, l);
      socket.connect(new WebSocketConnectOptions()
              .setHost("127.0.0.1").setPort(port).setURI(path)
              .setAllowOriginHeader(false).setTimeout(30_000))
          .map(w -> sock)
          .onComplete(promise);
    });
    return promise.future();
  }

  /**
   * Signs an operator in ({@code POST /api/v1/login}) and returns the token; from a lane's loop, with
   * a limit on getting a connection as well as on the answer, and tried once more after a timeout.
   * (A sign-in whose request never got a connection hung a bench's set-up about once in 20 runs, in
   * builds before and after the durable record, with every loop idle.)
   */
  Future<String> login(int port, String user, String password) {
    return loginOnce(port, user, password).recover(e -> e instanceof TimeoutException
        || e.getCause() instanceof TimeoutException ? loginOnce(port, user, password)
        : Future.failedFuture(e));
  }

  private Future<String> loginOnce(int port, String user, String password) {
    Promise<String> promise = Promise.promise();
    lane(user.hashCode()).runOnContext(v -> http.request(new RequestOptions().setMethod(HttpMethod.POST)
            .setHost("127.0.0.1").setPort(port).setURI("/api/v1/login")
            .putHeader("Content-Type", "application/json").setConnectTimeout(20_000).setIdleTimeout(20_000))
        .compose(req -> req.send(new JsonObject().put("username", user).put("password", password).encode()))
        .compose(resp -> resp.body().map((Buffer body) -> {
          if (resp.statusCode() != 200) {
            throw new IllegalStateException("login of " + user + ": " + resp.statusCode() + " " + body);
          }
          return body.toJsonObject().getString("token");
        }))
        .timeout(30, TimeUnit.SECONDS)
        .onComplete(promise));
    return promise.future();
  }

  @Override
  public void close() {
    Await.get(vertx.close(), 30);
  }
}
