package switchboard.mail;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.ext.mail.LoginOption;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.MailMessage;
import io.vertx.ext.mail.StartTLSOptions;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import switchboard.bus.Addresses;
import switchboard.bus.ClientError;
import switchboard.bus.Commands.Done;
import switchboard.bus.Commands.EmailTranscript;
import switchboard.bus.Commands.SendMail;
import switchboard.bus.ErrorCode;
import switchboard.bus.Replies;
import switchboard.config.MailSettings;
import switchboard.domain.QueueConfig;
import switchboard.domain.Chat;
import switchboard.domain.ChatMessage;
import switchboard.domain.Directory;
import switchboard.domain.OfficeHours;
import switchboard.limits.SharedLimits;
import switchboard.record.ChatHistory;
import switchboard.store.StateStore;

/**
 * Mails chat transcripts (owns {@link Addresses#MAIL_TRANSCRIPT}). Deployed on every node; without
 * mail settings it refuses each request with {@code bad_request}, so the guest hears why.
 */
public final class MailVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(MailVerticle.class);
  private static final int CONNECT_TIMEOUT_MS = 10_000;
  private static final long SEND_TIMEOUT_SECONDS = 20;

  private final MailSettings settings;
  private final Directory directory;
  private final ChatHistory store;
  private final SharedLimits limits;
  private MailClient client;

  /** @param settings null: mail is off */
  public MailVerticle(MailSettings settings, Directory directory, StateStore state, ChatHistory store) {
    this.settings = settings;
    this.limits = new SharedLimits(state);
    this.directory = directory;
    this.store = store;
  }

  @Override
  public Future<?> start() {
    if (settings != null) {
      client = MailClient.create(vertx, mailConfig(settings));
    }
    MessageConsumer<EmailTranscript> consumer =
        vertx.eventBus().consumer(Addresses.MAIL_TRANSCRIPT, msg -> Replies.serve(msg, this::mail));
    MessageConsumer<SendMail> followUps =
        vertx.eventBus().consumer(Addresses.MAIL_SEND, msg -> Replies.serve(msg, this::send));
    return Future.all(consumer.completion(), followUps.completion());
  }

  @Override
  public Future<?> stop() {
    return client == null ? Future.succeededFuture() : client.close();
  }

  static MailConfig mailConfig(MailSettings s) {
    MailConfig config = new MailConfig()
        .setHostname(s.host())
        .setPort(s.port())
        .setStarttls(StartTLSOptions.valueOf(s.starttls().name()))
        // a transcript now and then: a connection per mail, closed with QUIT, nothing idle to go stale
        .setKeepAlive(false)
        .setLogin(s.username() == null ? LoginOption.DISABLED : LoginOption.REQUIRED);
    config.setConnectTimeout(CONNECT_TIMEOUT_MS);
    if (s.username() != null) {
      config.setUsername(s.username()).setPassword(s.password());
    }
    return config;
  }

  private Future<Done> mail(EmailTranscript cmd) {
    if (client == null) {
      throw new ClientError(ErrorCode.bad_request, "email transcripts are not set up on this server");
    }
    String to = cmd.to() == null ? null : cmd.to().strip();
    if (!MailSettings.isAddress(to)) {
      throw new ClientError(ErrorCode.bad_request, "\"email\" is not an email address");
    }
    boolean byGuest = cmd.operatorId() == null;
    return store.chat(cmd.chatId()).compose(chat -> {
      if (chat == null) {
        throw new ClientError(ErrorCode.not_found, "no such chat");
      }
      if (byGuest && !chat.state().isEnded()) {
        throw new ClientError(ErrorCode.bad_request, "a copy can be mailed once the chat has ended");
      }
      return store.transcript(chat.id()).compose(messages -> {
        if (byGuest && messages.stream().noneMatch(m -> ChatMessage.FROM_OPERATOR.equals(m.from()))) {
          // else a script could have its own text mailed anywhere through chats nobody answered
          throw new ClientError(ErrorCode.bad_request, "there is nothing to mail: nobody from the library answered");
        }
        return byGuest ? mailForGuest(chat, messages, to, cmd.client()) : send(chat, messages, to);
      });
    }).onSuccess(v -> log.info("chat {} transcript mailed at the request of {}", cmd.chatId(),
        byGuest ? "its guest" : cmd.operatorId())).map(Done.INSTANCE);
  }

  /** A librarian's own mail: the address was checked by whoever asked; the server must take it. */
  private Future<Done> send(SendMail cmd) {
    if (client == null) {
      throw new ClientError(ErrorCode.bad_request, "mail is not set up on this server");
    }
    MailMessage message = new MailMessage().setFrom(settings.from()).setTo(cmd.to()).setSubject(cmd.subject())
        .setText(cmd.body());
    return client.sendMail(message).timeout(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS)
        .map(r -> {
          log.info("{} mailed", cmd.about());
          return Done.INSTANCE;
        })
        .recover(e -> {
          log.warn("{}: the mail server at {}:{} did not take it: {}", cmd.about(), settings.host(), settings.port(),
              e.getMessage());
          return Future.failedFuture(new ClientError(ErrorCode.unavailable,
              "the mail could not be sent just now; please try again later"));
        });
  }

  /** The queue's own time zone, so times read as the library's clock; else UTC. */
  public static ZoneId zoneOf(Directory directory, String queueName) {
    return zoneOf(directory.queue(queueName).orElse(null));
  }

  /** Counted per chat and per client across every node (docs/SECURITY.md); a mail that failed is given back. */
  private Future<Void> mailForGuest(Chat chat, List<ChatMessage> messages, String to, String guestClient) {
    return limits.admit(SharedLimits.TRANSCRIPT_COPIES_PER_CHAT, chat.id())
        .compose(v -> limits.admit(SharedLimits.TRANSCRIPT_MAILS_PER_CLIENT, guestClient)
            .onFailure(e -> limits.giveBack(SharedLimits.TRANSCRIPT_COPIES_PER_CHAT, chat.id())))
        .compose(v -> send(chat, messages, to).onFailure(e -> {
          // nothing went out: a retry should not cost the guest
          limits.giveBack(SharedLimits.TRANSCRIPT_COPIES_PER_CHAT, chat.id());
          limits.giveBack(SharedLimits.TRANSCRIPT_MAILS_PER_CLIENT, guestClient);
        }));
  }

  private Future<Void> send(Chat chat, List<ChatMessage> messages, String to) {
    QueueConfig queue = directory.queue(chat.recordedQueue()).orElse(null);
    String title = queue == null ? chat.recordedQueue() : queue.title();
    TranscriptMail mail = TranscriptMail.of(chat, title, messages, zoneOf(queue));
    MailMessage message = new MailMessage()
        .setFrom(settings.from())
        .setTo(to)
        .setSubject(mail.subject())
        .setText(mail.body());
    return client.sendMail(message)
        .timeout(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS)
        .<Void>mapEmpty()
        .recover(e -> {
          log.warn("chat {}: the mail server at {}:{} did not take the transcript: {}", chat.id(), settings.host(),
              settings.port(), e.getMessage());
          return Future.failedFuture(new ClientError(ErrorCode.unavailable,
              "the mail could not be sent just now; please try again later"));
        });
  }

  /** The queue's own time zone (its office hours'), so times read as the library's clock; else UTC. */
  private static ZoneId zoneOf(QueueConfig queue) {
    if (queue != null && queue.hours() != null) {
      try {
        return OfficeHours.parse(queue.hours()).zone();
      } catch (IllegalArgumentException e) {
        // checked when the config was read; UTC is a fine fallback for a transcript
      }
    }
    return ZoneOffset.UTC;
  }
}
