package switchboard.http;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import switchboard.admin.DirectoryEditor;
import switchboard.auth.OperatorAuth;
import switchboard.bus.ClientError;
import switchboard.bus.ErrorCode;
import switchboard.config.ConfigJson;
import switchboard.domain.OperatorConfig;
import switchboard.domain.Directory;
import switchboard.record.AuditEntry;
import switchboard.record.RecordStore;

/** The admin API for queues and operators (DESIGN §4): admins only, every change checked and live on all nodes. */
final class AdminRoutes {
  private static final Logger log = LoggerFactory.getLogger(AdminRoutes.class);
  private static final String ACTOR = "switchboard.admin";
  private static final int MAX_AUDIT_DAYS = 366;

  private final Directory directory;
  private final OperatorAuth auth;
  private final DirectoryEditor editor;
  private final RecordStore record;
  private final Clock clock;

  AdminRoutes(Directory directory, OperatorAuth auth, DirectoryEditor editor, RecordStore record, Clock clock) {
    this.directory = directory;
    this.auth = auth;
    this.editor = editor;
    this.record = record;
    this.clock = clock;
  }

  void mount(Router router) {
    router.route("/api/v1/admin/*").handler(this::auditChange);
    router.get("/api/v1/admin/audit").handler(rc -> admin(rc).compose(op -> {
      Instant to = clock.instant();
      Instant from = to.minus(Duration.ofDays(MAX_AUDIT_DAYS));
      return record.auditLog(from, to.plusMillis(1));
    }).onSuccess(entries -> Http.json(rc, 200, new JsonObject().put("changes", new JsonArray(entries.stream()
        .map(e -> new JsonObject().put("at", e.at().toString()).put("actor", e.actor()).put("action", e.action())
            .put("subject", e.subject()).put("detail", e.detail()))
        .toList())))).onFailure(rc::fail));
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
    router.get("/api/v1/admin/sms/:number").handler(rc -> admin(rc).map(op -> directory.smsNumber(rc.pathParam("number"))
            .orElseThrow(() -> new ClientError(ErrorCode.not_found, "no texting number " + rc.pathParam("number"))))
        .onSuccess(n -> Http.json(rc, 200, ConfigJson.sms(n, false))).onFailure(rc::fail));
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
    return AdminRoutes.requireAdmin(auth, rc).onSuccess(op -> rc.put(ACTOR, op.id()));
  }

  /**
   * Every change an admin makes that succeeds goes into the record's audit: who, what (e.g.
   * "operator.updated"), which item, and which fields were sent (a password only as "password").
   */
  private void auditChange(RoutingContext rc) {
    HttpMethod method = rc.request().method();
    if (method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS) {
      rc.next();
      return;
    }
    rc.addBodyEndHandler(v -> {
      String actor = rc.get(ACTOR);
      int status = rc.response().getStatusCode();
      if (actor == null || status < 200 || status >= 300) {
        return;
      }
      String[] parts = rc.request().path().split("/"); // "", api, v1, admin, KIND[, ITEM]
      if (parts.length < 5) {
        return;
      }
      String kind = switch (parts[4]) {
        case "queues" -> "queue";
        case "operators" -> "operator";
        case "sms" -> "sms";
        default -> parts[4];
      };
      String action = kind + "." + (method == HttpMethod.DELETE ? "deleted" : method == HttpMethod.POST ? "created"
          : "updated");
      JsonObject body = bodyOrNull(rc);
      String subject = parts.length > 5 ? parts[5]
          : body == null ? null : body.getString(kind.equals("sms") ? "number" : kind.equals("queue") ? "name" : "id");
      String detail = body == null ? null : "fields: " + String.join(", ", new java.util.TreeSet<>(body.fieldNames()));
      record.audit(new AuditEntry(clock.instant(), actor, action, subject, detail))
          .onFailure(e -> log.warn("admin change {} {} not audited: {}", action, subject, e.getMessage()));
    });
    rc.next();
  }

  private static JsonObject bodyOrNull(RoutingContext rc) {
    try {
      return rc.body() == null || rc.body().length() == 0 ? null : rc.body().asJsonObject();
    } catch (RuntimeException e) {
      return null;
    }
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
