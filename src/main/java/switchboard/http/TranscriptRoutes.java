package switchboard.http;

import io.vertx.core.Future;
import java.util.List;
import switchboard.bus.Commands.SendMail;
import switchboard.config.MailSettings;
import switchboard.domain.Directory;
import switchboard.mail.FollowUpMail;
import switchboard.mail.MailVerticle;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import switchboard.auth.OperatorAuth;
import switchboard.bus.Addresses;
import switchboard.bus.ClientError;
import switchboard.bus.Commands.EmailTranscript;
import switchboard.bus.ErrorCode;
import switchboard.domain.ChatEvent;
import switchboard.record.ChatHistory;

/**
 * Transcripts by email from the HTTP side: {@code GET /api/v1/features} tells pages whether to offer it,
 * {@code POST /api/v1/chats/{id}/email} lets an operator who held a chat (or an admin) mail it.
 * The mailing itself is the mail verticle's, over the bus.
 */
final class TranscriptRoutes {
  private static final int MAX_ADDRESS = 254;

  private final boolean mailOn;
  private final ChatHistory store;
  private final OperatorAuth auth;

  private final Directory directory;

  TranscriptRoutes(boolean mailOn, ChatHistory store, OperatorAuth auth, Directory directory) {
    this.directory = directory;
    this.mailOn = mailOn;
    this.store = store;
    this.auth = auth;
  }

  void mount(Router router) {
    router.get("/api/v1/features").handler(this::features);
    router.post("/api/v1/chats/:id/email").handler(this::email);
    router.post("/api/v1/chats/:id/reply").handler(this::followUp);
  }

  /** Public, any origin (a plain GET needs no preflight), like the queue list. */
  private void features(RoutingContext rc) {
    rc.response().putHeader("Access-Control-Allow-Origin", "*");
    Http.json(rc, 200, new JsonObject().put("emailTranscripts", mailOn));
  }

  /** A follow-up by email to the guest of a chat (issue 16): their address, the text, the transcript below it. */
  private void followUp(RoutingContext rc) {
    if (!mailOn) {
      throw new ClientError(ErrorCode.not_found, "mail is not set up on this server");
    }
    String id = rc.pathParam("id");
    String text = Http.string(Http.jsonBody(rc), "text", 20_000, true);
    if (text.isBlank()) {
      throw new ClientError(ErrorCode.bad_request, "text: write the follow-up");
    }
    auth.verify(Http.bearer(rc)).compose(op -> store.chat(id).compose(chat -> {
      if (chat == null) {
        throw new ClientError(ErrorCode.not_found, "no such chat");
      }
      return Future.all(store.timeline(id), store.transcript(id)).compose(all -> {
        List<ChatEvent> timeline = all.resultAt(0);
        ChatAccess.requireHeldOrAdmin(op, chat, timeline,
            "only an operator who held this chat, or an admin, may follow it up");
        String to = chat.guest().email();
        if (to == null || !MailSettings.isAddress(to)) {
          throw new ClientError(ErrorCode.bad_request, "this guest left no email address");
        }
        String title = directory.queue(chat.recordedQueue()).map(q -> q.title()).orElse(chat.recordedQueue());
        FollowUpMail mail = FollowUpMail.forChat(chat, title, all.resultAt(1), op.name(), text,
            MailVerticle.zoneOf(directory, chat.recordedQueue()));
        return rc.vertx().eventBus().request(Addresses.MAIL_SEND,
            new SendMail(to, mail.subject(), mail.body(), "follow-up of chat " + id + " by " + op.id()));
      });
    }))
        .onSuccess(v -> Http.json(rc, 202, new JsonObject().put("sent", true)))
        .onFailure(e -> rc.fail(e instanceof ReplyException ? ClientError.from(e) : e));
  }

  private void email(RoutingContext rc) {
    if (!mailOn) {
      throw new ClientError(ErrorCode.not_found, "email transcripts are not set up on this server");
    }
    String id = rc.pathParam("id");
    String to = Http.string(Http.jsonBody(rc), "to", MAX_ADDRESS, true);
    auth.verify(Http.bearer(rc)).compose(op -> store.chat(id).compose(chat -> {
      if (chat == null) {
        throw new ClientError(ErrorCode.not_found, "no such chat");
      }
      return store.timeline(id).compose(timeline -> {
        ChatAccess.requireHeldOrAdmin(op, chat, timeline,
            "only an operator who held this chat, or an admin, may mail it");
        return rc.vertx().eventBus().request(Addresses.MAIL_TRANSCRIPT, new EmailTranscript(id, to, op.id(), null));
      });
    }))
        .onSuccess(v -> Http.json(rc, 202, new JsonObject().put("sent", true)))
        // the mail verticle's refusals come back as bus failures; anything else is the failure handler's to log
        .onFailure(e -> rc.fail(e instanceof ReplyException ? ClientError.from(e) : e));
  }
}
