package switchboard.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import switchboard.domain.QueueConfig;
import switchboard.domain.OperatorConfig;
import switchboard.domain.SmsNumber;

/** Queues and operators written back in the config file's own shape (DESIGN §5). */
public final class ConfigJson {
  private ConfigJson() {}

  public static JsonObject queue(QueueConfig q) {
    JsonObject json = new JsonObject().put("name", q.name()).put("title", q.title())
        .put("backups", new JsonArray(q.backups())).put("rolloverAfterSeconds", q.rolloverAfterSeconds());
    // unset optional fields are null, as the admin page and the config file's reader expect
    return json.put("maxWaitSeconds", q.maxWaitSeconds())
        .put("hours", q.hours() == null ? null : new JsonObject(q.hours()))
        .put("skin", q.skin() == null ? null : new JsonObject(q.skin()))
        .put("form", new JsonObject(q.form().json())).put("rating", q.rating()).put("language", q.language());
  }

  /** With the hash for the store and the validator; without it for anything a person reads. */
  public static JsonObject operator(OperatorConfig o, boolean withHash) {
    JsonObject json = new JsonObject().put("id", o.id()).put("name", o.name())
        .put("queues", new JsonArray(o.queues())).put("maxChats", o.maxChats()).put("role", o.role().name());
    if (withHash) {
      if (o.passwordHash() != null) {
        json.put("passwordHash", o.passwordHash());
      }
    } else {
      json.put("hasPassword", o.passwordHash() != null);
    }
    return json;
  }

  /** With the provider's auth token for the store; without it (only whether one is set) for people. */
  public static JsonObject sms(SmsNumber n, boolean withSecret) {
    JsonObject provider = new JsonObject().put("type", n.provider().type())
        .put("accountSid", n.provider().accountSid()).put("apiBase", n.provider().apiBase());
    if (withSecret) {
      provider.put("authToken", n.provider().authToken());
    } else {
      provider.put("authTokenSet", n.provider().authToken() != null);
    }
    return new JsonObject().put("number", n.number()).put("queue", n.queue()).put("provider", provider)
        .put("offlineReply", n.offlineReply()).put("idleMinutes", n.idleMinutes());
  }

  /** A config document holding just this set-up, for {@link ConfigLoader#parse}. */
  public static JsonObject setUp(List<JsonObject> queues, List<JsonObject> operators, List<JsonObject> sms) {
    return new JsonObject().put("queues", new JsonArray(List.copyOf(queues)))
        .put("operators", new JsonArray(List.copyOf(operators))).put("sms", new JsonArray(List.copyOf(sms)));
  }
}
