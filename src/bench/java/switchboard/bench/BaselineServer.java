package switchboard.bench;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The bare stack: a Vert.x WebSocket relay with no state store, no event bus and no checks,
 * speaking just enough of Switchboard's protocol for the same generator to drive it. A guest
 * {@code start}s on a queue, an operator {@code join}s that queue and holds the chat; each guest
 * {@code message} is parsed, numbered, sent to the operator as Switchboard's {@code message}
 * frame and acked. One verticle instance, like Switchboard's HTTP verticle, so both serve their
 * sockets from one event loop.
 */
final class BaselineServer extends VerticleBase {
  private record Chat(String id, ServerWebSocket guest, long[] seq, ServerWebSocket[] operator) {}

  private final Map<String, Chat> byQueue = new HashMap<>();
  private HttpServer server;
  private long nextId;

  static BaselineServer start(Vertx vertx) {
    BaselineServer s = new BaselineServer();
    Await.get(vertx.deployVerticle(s), 30);
    return s;
  }

  int port() {
    return server.actualPort();
  }

  @Override
  public Future<?> start() {
    return vertx.createHttpServer(new HttpServerOptions().setPort(0))
        .webSocketHandler(ws -> {
          if (ws.path().equals("/ws/guest")) {
            guest(ws);
          } else if (ws.path().equals("/ws/operator")) {
            operator(ws);
          } else {
            ws.close((short) 4404, "no such path");
          }
        })
        .listen().onSuccess(s -> server = s);
  }

  private void guest(ServerWebSocket ws) {
    Chat[] mine = new Chat[1];
    ws.textMessageHandler(text -> {
      JsonObject frame = new JsonObject(text);
      switch (frame.getString("type", "")) {
        case "start" -> {
          String id = "c" + (++nextId);
          mine[0] = new Chat(id, ws, new long[1], new ServerWebSocket[1]);
          byQueue.put(frame.getString("queue"), mine[0]);
          ws.writeTextMessage(new JsonObject().put("type", "started").put("chatId", id).encode());
        }
        case "message" -> {
          Chat chat = mine[0];
          long seq = ++chat.seq()[0];
          ServerWebSocket op = chat.operator()[0];
          if (op != null) {
            op.writeTextMessage(new JsonObject().put("type", "message").put("seq", seq).put("from", "guest")
                .put("text", frame.getString("text")).put("at", Instant.now().toString()).put("chatId", chat.id())
                .encode());
          }
          ws.writeTextMessage(new JsonObject().put("type", "ack").put("clientId", frame.getString("clientId"))
              .put("seq", seq).encode());
        }
        default -> ws.writeTextMessage("{\"type\":\"error\",\"code\":\"bad_request\"}");
      }
    });
  }

  private void operator(ServerWebSocket ws) {
    ws.textMessageHandler(text -> {
      JsonObject frame = new JsonObject(text);
      if ("join".equals(frame.getString("type"))) {
        Chat chat = byQueue.remove(frame.getString("queue"));
        if (chat == null) {
          ws.writeTextMessage("{\"type\":\"error\",\"code\":\"not_found\"}");
          return;
        }
        chat.operator()[0] = ws;
        ws.writeTextMessage(new JsonObject().put("type", "accepted").put("chatId", chat.id()).encode());
        chat.guest().writeTextMessage("{\"type\":\"joined\",\"operator\":\"bare\"}");
      }
    });
  }

  /** The baseline as a relay target, on its own Vert.x instance (as each Switchboard node has). */
  static final class Target implements RelayTarget {
    private final Vertx vertx;
    private final List<Pair> pairs;

    Target(int pairCount, Clients clients) {
      vertx = Vertx.vertx();
      int port = start(vertx).port();
      pairs = RelayTarget.setUp(pairCount, 10, i ->
          clients.connect(i, port, "/ws/operator", "o" + i).compose(op ->
              clients.connect(i, port, "/ws/guest", "g" + i).compose(guest -> {
                guest.send(new JsonObject().put("type", "start").put("queue", "q" + i).encode());
                return guest.expect("started", 10_000).compose(started -> {
                  String chatId = new JsonObject(started).getString("chatId");
                  op.send(new JsonObject().put("type", "join").put("queue", "q" + i).encode());
                  return op.expect("accepted", 10_000)
                      .compose(accepted -> guest.expect("joined", 10_000))
                      .map(joined -> new Pair(guest, op, chatId));
                });
              })));
    }

    @Override
    public String name() {
      return "bare";
    }

    @Override
    public String description() {
      return "bare Vert.x WebSocket relay (parse, number, forward, ack; no store, no bus)";
    }

    @Override
    public List<Pair> pairs() {
      return pairs;
    }

    @Override
    public List<Long> pids() {
      return List.of();
    }

    @Override
    public void close() {
      Await.get(vertx.close(), 30);
    }
  }
}
