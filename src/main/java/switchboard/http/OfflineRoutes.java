package switchboard.http;

import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import switchboard.bus.Addresses;
import switchboard.bus.Commands.SendMail;
import switchboard.mail.FollowUpMail;
import switchboard.mail.MailVerticle;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import switchboard.auth.OperatorAuth;
import switchboard.auth.Tokens;
import switchboard.bus.ClientError;
import switchboard.bus.ErrorCode;
import switchboard.domain.OperatorConfig;
import switchboard.domain.Directory;
import switchboard.domain.OfflineMessage;
import switchboard.limits.ClientAddress;
import switchboard.limits.SharedLimits;
import switchboard.record.RecordStore;

/**
 * The leave-a-message form's endpoint (guests, any origin) and the inbox operators read
 * and mark done. Operators see the messages of the queues they staff; admins see all.
 */
final class OfflineRoutes {
  private static final Logger log = LoggerFactory.getLogger(OfflineRoutes.class);
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]{1,190}\\.[^@\\s]{1,63}");

  private final Directory directory;
  private final RecordStore store;
  private final OperatorAuth auth;
  private final Clock clock;
  private final SharedLimits limits;
  private final ClientAddress clientAddress;
  private final boolean mailOn;
  private static final int MAX_REPLY = 20_000;

  OfflineRoutes(Directory directory, RecordStore store, OperatorAuth auth, SharedLimits limits,
      ClientAddress clientAddress, Clock clock, boolean mailOn) {
    this.mailOn = mailOn;
    this.limits = limits;
    this.clientAddress = clientAddress;
    this.directory = directory;
    this.store = store;
    this.auth = auth;
    this.clock = clock;
  }

  void mount(Router router) {
    router.post("/api/v1/offline").handler(this::leave);
    router.get("/api/v1/offline").handler(this::inbox);
    router.post("/api/v1/offline/:id/done").handler(this::markDone);
    router.post("/api/v1/offline/:id/reply").handler(this::reply);
  }

  private void leave(RoutingContext rc) {
    JsonObject body = Http.jsonBody(rc);
    String queue = Http.string(body, "queue", 64, true);
    if (directory.queue(queue).isEmpty()) {
      throw new ClientError(ErrorCode.unknown_queue, "no queue named " + queue);
    }
    String name = Http.string(body, "name", 80, false);
    String email = Http.string(body, "email", 254, true);
    if (!EMAIL.matcher(email).matches()) {
      throw new ClientError(ErrorCode.bad_request, "email: give an address we can answer, like pat@example.org");
    }
    String question = Http.string(body, "question", 4096, true);
    String page = Http.string(body, "page", 2048, false);
    OfflineMessage message = new OfflineMessage(Tokens.newId(), queue, name, email, question, page,
        clock.instant(), false, null, null);
    // a few messages per client and ten minutes, across every node: enough for a person, not for a script
    String client = clientAddress.of(rc.request().remoteAddress(), rc.request().headers());
    limits.admit(SharedLimits.OFFLINE_MESSAGES, client).compose(v -> store.addOfflineMessage(message)).onSuccess(v -> {
      log.info("offline message {} left on {}", message.id(), queue);
      Http.json(rc, 201, new JsonObject().put("id", message.id()));
    }).onFailure(rc::fail);
  }

  private void inbox(RoutingContext rc) {
    auth.verify(Http.bearer(rc)).compose(op -> store.offlineMessages().map(all -> {
      JsonArray list = new JsonArray();
      all.stream().filter(m -> canSee(op, m)).forEach(m -> list.add(json(m)));
      return new JsonObject().put("messages", list);
    })).onSuccess(body -> Http.json(rc, 200, body)).onFailure(rc::fail);
  }

  private void markDone(RoutingContext rc) {
    String id = rc.pathParam("id");
    auth.verify(Http.bearer(rc)).compose(op -> store.offlineMessages().compose(all -> {
      OfflineMessage message = all.stream().filter(m -> m.id().equals(id)).findFirst()
          .filter(m -> canSee(op, m))
          .orElseThrow(() -> new ClientError(ErrorCode.not_found, "no such message"));
      return store.markOfflineMessageDone(message.id(), op.id(), clock.instant());
    })).onSuccess(m -> Http.json(rc, 200, json(m))).onFailure(rc::fail);
  }

  /**
   * The answer by email (issue 16): mailed to the address the guest left, quoting their question;
   * once the mail server took it the question is marked answered, by this operator.
   */
  private void reply(RoutingContext rc) {
    if (!mailOn) {
      throw new ClientError(ErrorCode.not_found, "mail is not set up on this server");
    }
    String id = rc.pathParam("id");
    String text = Http.string(Http.jsonBody(rc), "text", MAX_REPLY, true);
    if (text.isBlank()) {
      throw new ClientError(ErrorCode.bad_request, "text: write the answer");
    }
    auth.verify(Http.bearer(rc)).compose(op -> store.offlineMessages().compose(all -> {
      OfflineMessage message = all.stream().filter(m -> m.id().equals(id)).findFirst()
          .filter(m -> canSee(op, m))
          .orElseThrow(() -> new ClientError(ErrorCode.not_found, "no such message"));
      String title = directory.queue(message.queue()).map(q -> q.title()).orElse(message.queue());
      FollowUpMail mail = FollowUpMail.forQuestion(message, title, op.name(), text,
          MailVerticle.zoneOf(directory, message.queue()));
      return rc.vertx().eventBus().request(Addresses.MAIL_SEND,
              new SendMail(message.email(), mail.subject(), mail.body(), "answer to offline question " + id + " by " + op.id()))
          .recover(e -> Future.failedFuture(e instanceof ReplyException ? ClientError.from(e) : e))
          .compose(sent -> store.markOfflineMessageDone(message.id(), op.id(), clock.instant()));
    })).onSuccess(m -> Http.json(rc, 200, json(m))).onFailure(rc::fail);
  }

  private static boolean canSee(OperatorConfig op, OfflineMessage m) {
    return op.isAdmin() || op.queues().contains(m.queue());
  }

  static JsonObject json(OfflineMessage m) {
    return new JsonObject().put("id", m.id()).put("queue", m.queue()).put("name", m.name()).put("email", m.email())
        .put("question", m.question()).put("page", m.page()).put("createdAt", m.createdAt().toString())
        .put("done", m.done()).put("doneBy", m.doneBy())
        .put("doneAt", m.doneAt() == null ? null : m.doneAt().toString());
  }
}
