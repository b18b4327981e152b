package switchboard.http;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import switchboard.admin.DirectoryEditor;
import switchboard.auth.OperatorAuth;
import switchboard.bus.ClientError;
import switchboard.bus.ErrorCode;
import switchboard.config.ConfigJson;
import switchboard.config.OperatorConfig;
import switchboard.domain.Directory;

/** The admin API for queues and operators (DESIGN §4): admins only, every change checked and live on all nodes. */
final class AdminRoutes {
  private final Directory directory;
  private final OperatorAuth auth;
  private final DirectoryEditor editor;

  AdminRoutes(Directory directory, OperatorAuth auth, DirectoryEditor editor) {
    this.directory = directory;
    this.auth = auth;
    this.editor = editor;
  }

  void mount(Router router) {
    router.get("/api/v1/admin/queues").handler(rc -> admin(rc).onSuccess(op -> Http.json(rc, 200,
        new JsonObject().put("queues", new JsonArray(directory.queues().stream().map(ConfigJson::queue).toList()))))
        .onFailure(rc::fail));
    router.post("/api/v1/admin/queues").handler(rc -> {
      JsonObject body = Http.jsonBody(rc);
      admin(rc).compose(op -> editor.putQueue(null, body, true))
          .onSuccess(q -> Http.json(rc, 201, ConfigJson.queue(q))).onFailure(rc::fail);
    });
    router.get("/api/v1/admin/queues/:name").handler(rc -> admin(rc).map(op -> directory.queue(rc.pathParam("name"))
            .orElseThrow(() -> new ClientError(ErrorCode.not_found, "no queue named " + rc.pathParam("name"))))
        .onSuccess(q -> Http.json(rc, 200, ConfigJson.queue(q))).onFailure(rc::fail));
    router.put("/api/v1/admin/queues/:name").handler(rc -> {
      JsonObject body = Http.jsonBody(rc);
      admin(rc).compose(op -> editor.putQueue(rc.pathParam("name"), body, false))
          .onSuccess(q -> Http.json(rc, 200, ConfigJson.queue(q))).onFailure(rc::fail);
    });
    router.delete("/api/v1/admin/queues/:name").handler(rc -> admin(rc)
        .compose(op -> editor.deleteQueue(rc.pathParam("name")))
        .onSuccess(v -> rc.response().setStatusCode(204).end()).onFailure(rc::fail));

    router.get("/api/v1/admin/operators").handler(rc -> admin(rc).onSuccess(op -> Http.json(rc, 200,
        new JsonObject().put("operators", new JsonArray(directory.operators().stream()
            .map(o -> ConfigJson.operator(o, false)).toList()))))
        .onFailure(rc::fail));
    router.post("/api/v1/admin/operators").handler(rc -> {
      JsonObject body = Http.jsonBody(rc);
      admin(rc).compose(op -> editor.putOperator(null, body, true))
          .onSuccess(o -> Http.json(rc, 201, ConfigJson.operator(o, false))).onFailure(rc::fail);
    });
    router.get("/api/v1/admin/operators/:id").handler(rc -> admin(rc).map(op -> directory.operator(rc.pathParam("id"))
            .orElseThrow(() -> new ClientError(ErrorCode.not_found, "no operator " + rc.pathParam("id"))))
        .onSuccess(o -> Http.json(rc, 200, ConfigJson.operator(o, false))).onFailure(rc::fail));
    router.put("/api/v1/admin/operators/:id").handler(rc -> {
      JsonObject body = Http.jsonBody(rc);
      admin(rc).compose(op -> editor.putOperator(rc.pathParam("id"), body, false))
          .onSuccess(o -> Http.json(rc, 200, ConfigJson.operator(o, false))).onFailure(rc::fail);
    });
    router.delete("/api/v1/admin/operators/:id").handler(rc -> admin(rc)
        .compose(op -> editor.deleteOperator(rc.pathParam("id")))
        .onSuccess(v -> rc.response().setStatusCode(204).end()).onFailure(rc::fail));
    mountSms(router);
  }

  /** Texting numbers: the same shape as the config file's {@code sms} list; auth tokens are never shown. */
  void mountSms(Router router) {
    router.get("/api/v1/admin/sms").handler(rc -> admin(rc).onSuccess(op -> Http.json(rc, 200,
        new JsonObject().put("sms", new JsonArray(directory.smsNumbers().stream()
            .map(n -> ConfigJson.sms(n, false)).toList()))))
        .onFailure(rc::fail));
    router.post("/api/v1/admin/sms").handler(rc -> {
      JsonObject body = Http.jsonBody(rc);
      admin(rc).compose(op -> editor.putSms(null, body, true))
          .onSuccess(n -> Http.json(rc, 201, ConfigJson.sms(n, false))).onFailure(rc::fail);
    });
    router.put("/api/v1/admin/sms/:number").handler(rc -> {
      JsonObject body = Http.jsonBody(rc);
      admin(rc).compose(op -> editor.putSms(rc.pathParam("number"), body, false))
          .onSuccess(n -> Http.json(rc, 200, ConfigJson.sms(n, false))).onFailure(rc::fail);
    });
    router.delete("/api/v1/admin/sms/:number").handler(rc -> admin(rc)
        .compose(op -> editor.deleteSms(rc.pathParam("number")))
        .onSuccess(v -> rc.response().setStatusCode(204).end()).onFailure(rc::fail));
  }

  /** 401 without a valid token, 403 for an operator who is not an admin. */
  private Future<OperatorConfig> admin(RoutingContext rc) {
    return AdminRoutes.requireAdmin(auth, rc);
  }

  static Future<OperatorConfig> requireAdmin(OperatorAuth auth, RoutingContext rc) {
    String token;
    try {
      token = Http.bearer(rc);
    } catch (ClientError e) {
      return Future.failedFuture(e);
    }
    return auth.verify(token).map(op -> {
      if (!op.isAdmin()) {
        throw new ClientError(ErrorCode.forbidden, "admins only");
      }
      return op;
    });
  }
}
