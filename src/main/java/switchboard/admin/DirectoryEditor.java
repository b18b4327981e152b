package switchboard.admin;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import switchboard.auth.PasswordHasher;
import switchboard.auth.OperatorAuth;
import switchboard.bus.Addresses;
import switchboard.bus.ClientError;
import switchboard.bus.ErrorCode;
import switchboard.bus.EventRelay;
import switchboard.config.AppConfig;
import switchboard.config.ConfigException;
import switchboard.config.ConfigJson;
import switchboard.config.ConfigLoader;
import switchboard.domain.OperatorConfig;
import switchboard.domain.QueueConfig;
import switchboard.domain.SmsNumber;
import switchboard.domain.Directory;
import switchboard.store.DirectoryDoc;
import switchboard.record.RecordStore;

/**
 * Changes to queues and operators made while the service runs. Each change is checked by
 * the same rules as the config file (no unknown backup, no cycle, …), written to the store
 * with compare-and-set, and announced so every node takes the new version at once.
 */
public final class DirectoryEditor {
  private static final Logger log = LoggerFactory.getLogger(DirectoryEditor.class);
  private static final int MAX_TRIES = 5;

  private final Vertx vertx;
  private final RecordStore store;
  private final Directory directory;
  private final EventRelay relay;

  /** The edited document as config JSON, and where in it the edited item stands (for error paths). */
  private record Draft(List<JsonObject> queues, List<JsonObject> operators, List<JsonObject> sms, String editedPath) {}

  public DirectoryEditor(Vertx vertx, RecordStore store, Directory directory, EventRelay relay) {
    this.vertx = vertx;
    this.store = store;
    this.directory = directory;
    this.relay = relay;
  }

  // ---- queues --------------------------------------------------------------------------------

  public Future<QueueConfig> putQueue(String name, JsonObject body, boolean create) {
    JsonObject queue = body.copy();
    if (name != null) {
      Object given = queue.getValue("name");
      if (given != null && !name.equals(given)) {
        return Future.failedFuture(new ClientError(ErrorCode.bad_request, "name: a queue is renamed by creating a new one"));
      }
      queue.put("name", name);
    }
    String queueName = queue.getValue("name") instanceof String s ? s : null;
    return edit(doc -> {
      List<JsonObject> queues = queuesJson(doc);
      int index = indexOf(queues, "name", queueName);
      if (create && index >= 0) {
        throw new ClientError(ErrorCode.bad_request, "name: a queue named " + queueName + " exists");
      }
      if (!create && index < 0) {
        throw new ClientError(ErrorCode.not_found, "no queue named " + name);
      }
      if (index < 0) {
        queues.add(queue);
        index = queues.size() - 1;
      } else {
        queues.set(index, queue);
      }
      return new Draft(queues, operatorsJson(doc), smsJson(doc), "queues[" + index + "]");
    }).map(config -> directoryQueue(config, queueName));
  }

  public Future<Void> deleteQueue(String name) {
    return edit(doc -> {
      List<JsonObject> queues = queuesJson(doc);
      int index = indexOf(queues, "name", name);
      if (index < 0) {
        throw new ClientError(ErrorCode.not_found, "no queue named " + name);
      }
      for (QueueConfig q : doc.queues()) {
        if (q.backups().contains(name)) {
          throw new ClientError(ErrorCode.bad_request,
              "name: queue " + q.name() + " rolls over to " + name + "; change its backups first");
        }
      }
      queues.remove(index);
      // operators simply stop staffing a queue that is gone
      List<JsonObject> operators = new ArrayList<>();
      for (OperatorConfig o : doc.operators()) {
        List<String> staffed = new ArrayList<>(o.queues());
        staffed.remove(name);
        operators.add(ConfigJson.operator(new OperatorConfig(o.id(), o.name(), staffed, o.maxChats(), o.role(),
            o.passwordHash()), true));
      }
      return new Draft(queues, operators, smsJson(doc), null);
    }).mapEmpty();
  }

  // ---- operators -----------------------------------------------------------------------------

  public Future<OperatorConfig> putOperator(String id, JsonObject body, boolean create) {
    JsonObject operator = body.copy();
    operator.remove("hasPassword");
    Object password = operator.remove("password");
    operator.remove("passwordHash"); // hashes are made here, never taken from a request
    if (password != null && (!(password instanceof String p) || p.length() < 8 || p.length() > 1024)) {
      return Future.failedFuture(new ClientError(ErrorCode.bad_request, "password: use 8 to 1024 characters"));
    }
    if (id != null) {
      Object given = operator.getValue("id");
      if (given != null && !id.equals(given)) {
        return Future.failedFuture(new ClientError(ErrorCode.bad_request, "id: an operator's id cannot change"));
      }
      operator.put("id", id);
    }
    String operatorId = operator.getValue("id") instanceof String s ? s : null;
    Future<String> hash = password == null ? Future.succeededFuture(null)
        : vertx.executeBlocking(() -> PasswordHasher.hash(((String) password).toCharArray()));
    return hash.compose(newHash -> edit(doc -> {
      List<JsonObject> operators = operatorsJson(doc);
      int index = indexOf(operators, "id", operatorId);
      if (create && index >= 0) {
        throw new ClientError(ErrorCode.bad_request, "id: an operator " + operatorId + " exists");
      }
      if (!create && index < 0) {
        throw new ClientError(ErrorCode.not_found, "no operator " + id);
      }
      JsonObject next = operator.copy();
      String keptHash = index >= 0 ? doc.operators().get(index).passwordHash() : null;
      String finalHash = newHash != null ? newHash : keptHash;
      if (finalHash != null) {
        next.put("passwordHash", finalHash);
      }
      if (index < 0) {
        operators.add(next);
        index = operators.size() - 1;
      } else {
        operators.set(index, next);
      }
      return new Draft(queuesJson(doc), operators, smsJson(doc), "operators[" + index + "]");
    })).map(config -> config.operators().stream().filter(o -> o.id().equals(operatorId)).findFirst().orElseThrow());
  }

  public Future<Void> deleteOperator(String id) {
    return edit(doc -> {
      List<JsonObject> operators = operatorsJson(doc);
      int index = indexOf(operators, "id", id);
      if (index < 0) {
        throw new ClientError(ErrorCode.not_found, "no operator " + id);
      }
      operators.remove(index);
      if (operators.stream().noneMatch(o -> "admin".equals(o.getString("role")))) {
        throw new ClientError(ErrorCode.bad_request, "id: " + id + " is the last admin; make someone else admin first");
      }
      return new Draft(queuesJson(doc), operators, smsJson(doc), null);
    }).mapEmpty();
  }

  // ---- texting numbers -----------------------------------------------------------------------

  /** A number's provider token is a secret: a change that leaves it out keeps the stored one. */
  public Future<SmsNumber> putSms(String number, JsonObject body, boolean create) {
    JsonObject entry = body.copy();
    if (number != null) {
      Object given = entry.getValue("number");
      if (given != null && !number.equals(given)) {
        return Future.failedFuture(new ClientError(ErrorCode.bad_request, "number: a number cannot change"));
      }
      entry.put("number", number);
    }
    String key = entry.getValue("number") instanceof String s ? s : null;
    if (entry.getValue("provider") instanceof JsonObject p) {
      p.remove("authTokenSet");
    }
    return edit(doc -> {
      List<JsonObject> numbers = smsJson(doc);
      int index = indexOf(numbers, "number", key);
      if (create && index >= 0) {
        throw new ClientError(ErrorCode.bad_request, "number: " + key + " is set up already");
      }
      if (!create && index < 0) {
        throw new ClientError(ErrorCode.not_found, "no texting number " + number);
      }
      JsonObject next = entry.copy();
      if (index >= 0 && next.getValue("provider") instanceof JsonObject p && p.getValue("authToken") == null) {
        p.put("authToken", doc.sms().get(index).provider().authToken());
      }
      if (index < 0) {
        numbers.add(next);
        index = numbers.size() - 1;
      } else {
        numbers.set(index, next);
      }
      return new Draft(queuesJson(doc), operatorsJson(doc), numbers, "sms[" + index + "]");
    }).map(config -> config.sms().stream().filter(n -> n.number().equals(key)).findFirst().orElseThrow());
  }

  public Future<Void> deleteSms(String number) {
    return edit(doc -> {
      List<JsonObject> numbers = smsJson(doc);
      int index = indexOf(numbers, "number", number);
      if (index < 0) {
        throw new ClientError(ErrorCode.not_found, "no texting number " + number);
      }
      numbers.remove(index);
      return new Draft(queuesJson(doc), operatorsJson(doc), numbers, null);
    }).mapEmpty();
  }

  // ---- the edit itself -----------------------------------------------------------------------

  /** Reads the stored set-up, applies the change, checks it, and writes it if nobody changed it meanwhile. */
  private Future<AppConfig> edit(Function<DirectoryDoc, Draft> change) {
    return attempt(change, 1);
  }

  private Future<AppConfig> attempt(Function<DirectoryDoc, Draft> change, int tries) {
    return store.directory().compose(doc -> {
      if (doc == null) {
        return Future.failedFuture(new IllegalStateException("the store holds no set-up yet"));
      }
      Draft draft = change.apply(doc);
      AppConfig checked = validate(draft);
      DirectoryDoc next = new DirectoryDoc(doc.version() + 1, checked.queues(), checked.operators(), checked.sms());
      return store.replaceDirectory(doc.version(), next).compose(written -> {
        if (!written) {
          return tries < MAX_TRIES ? attempt(change, tries + 1)
              : Future.failedFuture(new ClientError(ErrorCode.unavailable, "the set-up kept changing; try again"));
        }
        log.info("queues and operators changed: version {}", next.version());
        directory.replace(next.version(), next.queues(), next.operators(), next.sms());
        relay.toAllNodes(Addresses.DIRECTORY_CHANGED, Long.toString(next.version()));
        signOutChangedOperators(doc, next);
        return Future.succeededFuture(checked);
      });
    });
  }

  /**
   * An operator whose password or role changed, or who was deleted, has lost every session
   * ({@link OperatorAuth#verify}); their open consoles, on every node, close now (4401).
   */
  private void signOutChangedOperators(DirectoryDoc before, DirectoryDoc after) {
    for (OperatorConfig old : before.operators()) {
      OperatorConfig now = after.operators().stream().filter(o -> o.id().equals(old.id())).findFirst().orElse(null);
      if (now == null || !OperatorAuth.credentialStamp(now).equals(OperatorAuth.credentialStamp(old))) {
        log.info("sessions of {} revoked: {}", old.id(), now == null ? "deleted" : "password or role changed");
        relay.toOperator(old.id(), OperatorAuth.signedOutEverywhere());
      }
    }
  }

  /** The config file's rules, with error paths made relative to the edited queue or operator. */
  private static AppConfig validate(Draft draft) {
    String json = ConfigJson.setUp(draft.queues(), draft.operators(), draft.sms()).encode();
    try {
      return ConfigLoader.parse(json, "request", Map.of());
    } catch (ConfigException e) {
      String message = e.getMessage();
      if (message.startsWith("request: ")) {
        message = message.substring("request: ".length());
      }
      if (draft.editedPath() != null && message.startsWith(draft.editedPath() + ".")) {
        message = message.substring(draft.editedPath().length() + 1);
      } else if (draft.editedPath() != null && draft.editedPath().startsWith("queues[")
          && message.matches("queues\\[\\d+\\]\\.backups: .*")) {
        // a loop is reported where it starts; there was none before, so the edited queue closed it
        message = message.substring(message.indexOf("backups: "));
      }
      throw new ClientError(ErrorCode.bad_request, message);
    }
  }

  private static QueueConfig directoryQueue(AppConfig config, String name) {
    return config.queues().stream().filter(q -> q.name().equals(name)).findFirst().orElseThrow();
  }

  private static List<JsonObject> queuesJson(DirectoryDoc doc) {
    List<JsonObject> list = new ArrayList<>();
    doc.queues().forEach(q -> list.add(ConfigJson.queue(q)));
    return list;
  }

  private static List<JsonObject> smsJson(DirectoryDoc doc) {
    List<JsonObject> list = new ArrayList<>();
    doc.sms().forEach(n -> list.add(ConfigJson.sms(n, true)));
    return list;
  }

  private static List<JsonObject> operatorsJson(DirectoryDoc doc) {
    List<JsonObject> list = new ArrayList<>();
    doc.operators().forEach(o -> list.add(ConfigJson.operator(o, true)));
    return list;
  }

  private static int indexOf(List<JsonObject> items, String key, String value) {
    for (int i = 0; i < items.size(); i++) {
      if (items.get(i).getValue(key) != null && items.get(i).getValue(key).equals(value)) {
        return i;
      }
    }
    return -1;
  }
}
