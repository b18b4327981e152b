package switchboard.http;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import switchboard.auth.OperatorAuth;
import switchboard.auth.Tokens;
import switchboard.bus.Addresses;
import switchboard.bus.EventRelay;
import switchboard.gateway.OperatorSession;
import switchboard.bus.ClientError;
import switchboard.bus.ErrorCode;
import switchboard.domain.OperatorConfig;
import switchboard.domain.QueueConfig;
import switchboard.domain.Chat;
import switchboard.domain.ChatEvent;
import switchboard.domain.ChatMessage;
import switchboard.bus.Frames;
import java.util.List;
import switchboard.domain.Directory;
import switchboard.record.ChatHistory;

/** The JSON API of DESIGN §4 that this node serves so far. */
final class ApiRoutes {
  private final Directory directory;
  private final ChatHistory store;
  private final OperatorAuth auth;
  private final String nodeId;

  private final EventRelay relay;

  ApiRoutes(Directory directory, ChatHistory store, EventRelay relay, OperatorAuth auth, String nodeId) {
    this.relay = relay;
    this.directory = directory;
    this.store = store;
    this.auth = auth;
    this.nodeId = nodeId;
  }

  void mount(Router router) {
    router.post("/api/v1/login").handler(this::login);
    router.post("/api/v1/logout").handler(this::logout);
    router.get("/api/v1/queues").handler(this::queues);
    router.get("/api/v1/chats/:id").handler(this::transcript);
  }

  private void login(RoutingContext rc) {
    JsonObject body = Http.jsonBody(rc);
    String username = body.getValue("username") instanceof String s ? s : null;
    String password = body.getValue("password") instanceof String s ? s : null;
    if (username == null || password == null || username.length() > 64 || password.length() > 1024) {
      throw new ClientError(ErrorCode.bad_request, "send {\"username\":…,\"password\":…}");
    }
    respond(rc, auth.login(username, password).map(login -> new JsonObject()
        .put("token", login.token())
        .put("operator", operatorJson(login.operator()))));
  }

  private void logout(RoutingContext rc) {
    String token = Http.bearer(rc);
    respond(rc, auth.verify(token).compose(op -> auth.logout(token).map(v -> {
      // consoles open with this token on this node close at once; on other nodes at their next check
      rc.vertx().eventBus().publish(Addresses.toOperator(op.id()),
          OperatorSession.SIGNED_OUT_PREFIX + ",\"session\":\"" + Tokens.hash(token) + "\"}");
      return new JsonObject().put("ok", true);
    })));
  }

  private void queues(RoutingContext rc) {
    JsonArray list = new JsonArray();
    for (QueueConfig q : directory.queues()) {
      JsonObject item = new JsonObject().put("name", q.name()).put("title", q.title());
      if (q.skin() != null) {
        item.put("skin", new JsonObject(q.skin()));
      }
      item.put("form", new JsonObject(q.form().json())).put("rating", q.rating()).put("language", q.language());
      list.add(item);
    }
    rc.response().putHeader("Content-Type", "application/json").putHeader("Access-Control-Allow-Origin", "*")
        .end(list.encode());
  }

  private void transcript(RoutingContext rc) {
    String id = rc.pathParam("id");
    respond(rc, auth.verify(Http.bearer(rc)).compose(op -> store.chat(id).compose(chat -> {
      if (chat == null) {
        throw new ClientError(ErrorCode.not_found, "no such chat");
      }
      return Future.all(store.transcript(id), store.timeline(id)).map(all -> {
        List<ChatEvent> timeline = all.resultAt(1);
        ChatAccess.requireHeldOrAdmin(op, chat, timeline,
            "only an operator who held this chat, or an admin, may read it");
        List<ChatMessage> messages = all.resultAt(0);
        return chatJson(chat)
            .put("messages", new JsonArray(messages.stream().map(m -> new JsonObject().put("seq", m.seq())
                .put("from", m.from()).put("name", m.name()).put("text", m.text()).put("at", m.at().toString()))
                .toList()))
            .put("timeline", Frames.timelineJson(all.resultAt(1)));
      });
    })));
  }

  private static JsonObject chatJson(Chat chat) {
    return new JsonObject()
        .put("id", chat.id())
        .put("state", chat.state().name())
        .put("queue", chat.queue())
        .put("recordedQueue", chat.recordedQueue())
        .put("answeredQueue", chat.answeredQueue())
        .put("operator", chat.operatorId())
        .put("guest", new JsonObject().put("name", chat.guest().name()).put("email", chat.guest().email())
            .put("page", chat.guest().page()))
        .put("createdAt", chat.createdAt().toString())
        .put("acceptedAt", chat.acceptedAt() == null ? null : chat.acceptedAt().toString())
        .put("endedAt", chat.endedAt() == null ? null : chat.endedAt().toString());
  }

  static JsonObject operatorJson(OperatorConfig op) {
    return new JsonObject().put("id", op.id()).put("name", op.name()).put("role", op.role().name())
        .put("queues", new JsonArray(op.queues())).put("maxChats", op.maxChats());
  }

  private static void respond(RoutingContext rc, Future<JsonObject> result) {
    result.onSuccess(body -> Http.json(rc, 200, body)).onFailure(rc::fail);
  }

}
