package switchboard.http;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.regex.Pattern;
import switchboard.auth.OperatorAuth;
import switchboard.auth.Tokens;
import switchboard.bus.ClientError;
import switchboard.bus.ErrorCode;
import switchboard.domain.OperatorConfig;
import switchboard.domain.CannedResponse;
import switchboard.domain.Directory;
import switchboard.record.RecordStore;

/**
 * Canned responses, managed from the console: an operator's own, and each queue's, which
 * every operator staffing the queue may use and edit.
 */
final class CannedRoutes {
  private static final Pattern SHORTCUT = Pattern.compile("[a-z0-9-]{1,32}");
  private static final int MAX_TEXT = 4096;

  private final Directory directory;
  private final RecordStore store;
  private final OperatorAuth auth;

  CannedRoutes(Directory directory, RecordStore store, OperatorAuth auth) {
    this.directory = directory;
    this.store = store;
    this.auth = auth;
  }

  void mount(Router router) {
    router.get("/api/v1/canned").handler(this::list);
    router.post("/api/v1/canned").handler(rc -> save(rc, null));
    router.put("/api/v1/canned/:id").handler(rc -> save(rc, rc.pathParam("id")));
    router.delete("/api/v1/canned/:id").handler(this::delete);
  }

  private static boolean mayUse(OperatorConfig op, CannedResponse r) {
    return r.queue() == null ? op.id().equals(r.owner()) : op.queues().contains(r.queue()) || op.isAdmin();
  }

  private void list(RoutingContext rc) {
    auth.verify(Http.bearer(rc)).compose(op -> store.cannedResponses().map(all -> {
      JsonArray list = new JsonArray();
      all.stream().filter(r -> mayUse(op, r))
          .sorted(java.util.Comparator.comparing(CannedResponse::shortcut))
          .forEach(r -> list.add(json(r)));
      return new JsonObject().put("responses", list);
    })).onSuccess(body -> Http.json(rc, 200, body)).onFailure(rc::fail);
  }

  private void save(RoutingContext rc, String existingId) {
    JsonObject body = Http.jsonBody(rc);
    String queue = Http.string(body, "queue", 64, false);
    String shortcut = Http.string(body, "shortcut", 32, true);
    String text = Http.string(body, "text", MAX_TEXT, true);
    if (!SHORTCUT.matcher(shortcut).matches()) {
      throw new ClientError(ErrorCode.bad_request, "shortcut: use 1 to 32 of a-z, 0-9 and -");
    }
    if (queue != null && directory.queue(queue).isEmpty()) {
      throw new ClientError(ErrorCode.unknown_queue, "no queue named " + queue);
    }
    auth.verify(Http.bearer(rc)).compose(op -> {
      CannedResponse response = new CannedResponse(existingId == null ? Tokens.newId() : existingId, queue,
          queue == null ? op.id() : null, shortcut, text);
      if (!mayUse(op, response)) {
        throw new ClientError(ErrorCode.forbidden, "you do not staff " + queue);
      }
      Future<Void> allowed = existingId == null ? Future.succeededFuture() : existing(op, existingId).mapEmpty();
      return allowed.compose(v -> store.putCannedResponse(response)).map(response);
    }).onSuccess(r -> Http.json(rc, existingId == null ? 201 : 200, json(r))).onFailure(rc::fail);
  }

  private void delete(RoutingContext rc) {
    String id = rc.pathParam("id");
    auth.verify(Http.bearer(rc)).compose(op -> existing(op, id)).compose(r -> store.deleteCannedResponse(id))
        .onSuccess(v -> rc.response().setStatusCode(204).end()).onFailure(rc::fail);
  }

  /** The stored response, if this operator may change it; others' look like missing ones. */
  private Future<CannedResponse> existing(OperatorConfig op, String id) {
    return store.cannedResponses().map(all -> all.stream().filter(r -> r.id().equals(id)).findFirst()
        .filter(r -> mayUse(op, r))
        .orElseThrow(() -> new ClientError(ErrorCode.not_found, "no such canned response")));
  }

  private static JsonObject json(CannedResponse r) {
    return new JsonObject().put("id", r.id()).put("queue", r.queue()).put("owner", r.owner())
        .put("shortcut", r.shortcut()).put("text", r.text());
  }
}
