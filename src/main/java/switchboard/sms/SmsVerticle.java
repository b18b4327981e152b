package switchboard.sms;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import switchboard.auth.Tokens;
import switchboard.bus.Addresses;
import switchboard.bus.ClientError;
import switchboard.bus.Commands.Done;
import switchboard.bus.Commands.GuestMessage;
import switchboard.bus.Commands.GuestStart;
import switchboard.bus.Commands.SmsInbound;
import switchboard.bus.Commands.SmsSend;
import switchboard.bus.ErrorCode;
import switchboard.bus.Replies;
import switchboard.domain.SmsNumber;
import switchboard.domain.Chat;
import switchboard.domain.Directory;
import switchboard.domain.Guest;
import switchboard.routing.Availability;
import switchboard.store.StateStore;

/**
 * Texting numbers (DESIGN §2 rule 7): a text opens a chat on the number's queue, or joins
 * the texter's open chat; operators' replies go back through the provider. A texter has no
 * page, so the chat uses simple rollover like any other, with the 75-second safety net.
 */
public final class SmsVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(SmsVerticle.class);
  /** A provider may deliver a webhook twice; a MessageSid seen within this time is ignored. */
  static final Duration DUPLICATE_WINDOW = Duration.ofDays(2);
  /** How long a text being processed holds its id; past it (the node died) a retry processes it. */
  static final Duration PROCESSING_LEASE = Duration.ofSeconds(30);
  private static final String PROCESSING = "processing";
  private static final String DONE = "done";

  private final StateStore store;
  private final Directory directory;
  private TwilioClient twilio;

  public SmsVerticle(StateStore store, Directory directory) {
    this.store = store;
    this.directory = directory;
  }

  @Override
  public Future<?> start() {
    twilio = new TwilioClient(vertx);
    var bus = vertx.eventBus();
    return Future.all(
        bus.<SmsInbound>consumer(Addresses.SMS_INBOUND, msg -> Replies.serve(msg, this::inbound)).completion(),
        bus.<SmsSend>consumer(Addresses.SMS_SEND, msg -> Replies.serve(msg, this::send)).completion());
  }

  private static String chatKey(String number, String phone) {
    return "sms-chat:" + number + ":" + phone;
  }

  private Future<Done> inbound(SmsInbound text) {
    SmsNumber number = directory.smsNumber(text.to()).orElse(null);
    if (number == null) {
      throw new ClientError(ErrorCode.not_found, "no texting number " + text.to());
    }
    // at-least-once: the id is claimed for a short lease while the text is processed and marked
    // done only once the chat holds it; a text whose processing failed (the store blipped, the node
    // died) is processed again when the provider retries, and the append's resend rule (same
    // clientId = MessageSid, same text) stores it once even if the first try got that far
    String mark = "sms-sid:" + text.messageSid();
    return store.putIfAbsent(mark, PROCESSING, PROCESSING_LEASE).compose(first -> {
      if (!first) {
        return store.value(mark).compose(state -> {
          if (PROCESSING.equals(state)) {
            return Future.failedFuture(new ClientError(ErrorCode.unavailable,
                "this text is being processed; retry later"));
          }
          log.info("text {} delivered twice; ignored", text.messageSid());
          return Future.succeededFuture(Done.INSTANCE);
        });
      }
      return deliver(number, text)
          .compose(done -> store.putValue(mark, DONE, DUPLICATE_WINDOW).map(done))
          .recover(e -> store.putValue(mark, "failed", Duration.ofMillis(1)) // release the lease at once
              .transform(released -> Future.<Done>failedFuture(e)));
    });
  }

  private Future<Done> deliver(SmsNumber number, SmsInbound text) {
    String key = chatKey(number.number(), text.from());
    Duration idle = Duration.ofMinutes(number.idleMinutes());
    return store.value(key)
        .compose(chatId -> chatId == null ? Future.succeededFuture((Chat) null) : store.chat(chatId))
        .compose(open -> open != null && !open.state().isEnded() ? Future.succeededFuture(open.id())
            : startChat(number, text.from()))
        .compose(chatId -> store.putValue(key, chatId, idle)
            .compose(v -> vertx.eventBus().request(Addresses.GUEST_MESSAGE,
                new GuestMessage(chatId, text.body(), text.messageSid())))
            .map(Done.INSTANCE));
  }

  private Future<String> startChat(SmsNumber number, String phone) {
    String chatId = Tokens.newId();
    GuestStart start = new GuestStart(chatId, number.queue(), "Text " + SmsText.mask(phone), null,
        "sms:" + number.number(), phone, Guest.SMS, null);
    return vertx.eventBus().request(Addresses.GUEST_START, start).compose(r -> {
      log.info("chat {} opened by a text to {}", chatId, number.number());
      return nobodyAvailable(number.queue()).compose(nobody -> nobody
          ? twilio.send(number, phone, number.offlineReply())
              .onFailure(e -> log.warn("offline reply to chat {} not sent: {}", chatId, e.getMessage()))
              .otherwiseEmpty()
          : Future.<Void>succeededFuture()).map(chatId);
    });
  }

  private Future<Boolean> nobodyAvailable(String queue) {
    return Future.all(store.connectedOperators(), store.heldCounts()).map(all -> {
      Availability av = new Availability(directory, all.resultAt(0), all.resultAt(1), java.time.Instant.now());
      return directory.chain(queue).stream().noneMatch(av::isAvailable);
    });
  }

  private Future<Done> send(SmsSend reply) {
    return store.chat(reply.chatId()).compose(chat -> {
      String ours = chat == null || chat.guest().page() == null ? null
          : chat.guest().page().replaceFirst("^sms:", "");
      SmsNumber number = directory.smsNumber(ours).orElse(null);
      if (number == null) {
        throw new ClientError(ErrorCode.not_found, "the texting number of this chat is no longer set up");
      }
      Future<Void> chain = Future.succeededFuture();
      for (String part : SmsText.split(reply.text())) {
        chain = chain.compose(v -> twilio.send(number, reply.phone(), part));
      }
      return chain.map(Done.INSTANCE);
    });
  }
}
