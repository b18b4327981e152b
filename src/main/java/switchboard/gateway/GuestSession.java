package switchboard.gateway;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import switchboard.auth.Tokens;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import switchboard.bus.Addresses;
import switchboard.bus.ClientError;
import switchboard.bus.Commands.Ack;
import switchboard.bus.Commands.SocketCount;
import switchboard.bus.Commands.EmailTranscript;
import switchboard.bus.Commands.GuestClose;
import switchboard.bus.Commands.GuestDetached;
import switchboard.bus.Commands.GuestMessage;
import switchboard.bus.Commands.GuestCatchUp;
import switchboard.bus.Commands.GuestRate;
import switchboard.bus.Commands.GuestResume;
import switchboard.bus.Commands.GuestSnapshot;
import switchboard.bus.Commands.GuestResumed;
import switchboard.bus.Commands.GuestStart;
import switchboard.bus.Commands.GuestStarted;
import switchboard.bus.Commands.GuestTyping;
import switchboard.bus.ErrorCode;
import switchboard.bus.Frames;
import switchboard.config.ChatSettings;
import switchboard.domain.ChatMessage;
import switchboard.domain.Guest;
import switchboard.domain.Outcome;
import switchboard.domain.ChatState;
import switchboard.limits.ClientAddress;
import switchboard.limits.SharedLimits;

/**
 * One guest socket (DESIGN §3, /ws/guest): checks and turns frames into routing commands,
 * and writes the chat's events to the socket. Talks to the rest only over the bus.
 */
public final class GuestSession {
  private static final Logger log = LoggerFactory.getLogger(GuestSession.class);
  private static final int MAX_NAME = 80;
  private static final int MAX_EMAIL = 254;
  private static final int MAX_PAGE = 2048;
  private static final int MAX_CLIENT_ID = 64;
  private static final String EMAIL_SENT = new JsonObject().put("type", "email_sent").encode();
  private static final String RATED = new JsonObject().put("type", "rated").encode();
  private static final int MAX_COMMENT = 2000;

  private final Vertx vertx;
  private final EventBus bus;
  private final ServerWebSocket ws;
  private final ChatSettings settings;
  private final RateLimit messageLimit;
  private final RateLimit frameLimit;
  private final SharedLimits limits;
  private final SocketGuard guard;
  /** What per-client limits count this guest as (see {@link ClientAddress}); null: not counted. */
  private final String client;

  private String chatId;
  private MessageConsumer<String> events;
  /** The relay lost frames from other nodes for a while: catch up from the store. */
  private MessageConsumer<String> relayRecovered;
  /** Events that arrive before `started` or a resume's replay is written wait here, in order. */
  private List<String> pending;
  private long replayedUpTo;
  /**
   * Seqs of the messages written to this socket. A message can be relayed twice (its sender
   * resent it after losing the ack, and routing relays a resend again, as the first relay may
   * not have happened); this socket shows each once.
   */
  private final BitSet written = new BitSet();
  private final ChatVersions versions = new ChatVersions();
  private int lastPosition;
  private boolean closed;
  /** A start is being counted or routed: a second one on this socket is refused. */
  private boolean starting;
  /** Names this socket to routing, which counts the sockets of each chat's guest. */
  private final String socketId = Tokens.newId();
  /**
   * The start or resume routing is answering, if any: the detach that undoes its attach is sent
   * only after it, or it could overtake the attach and leave the chat counted as connected.
   */
  private Future<?> joining = Future.succeededFuture();

  /**
   * @param limits per-client limits shared by the nodes (chat starts), or null for none
   * @param clientAddress the rule naming the client those limits count
   */
  public GuestSession(Vertx vertx, ServerWebSocket ws, ChatSettings settings, SharedLimits limits,
      ClientAddress clientAddress) {
    this.limits = limits;
    this.client = clientAddress == null ? null : clientAddress.of(ws.remoteAddress(), ws.headers());
    this.guard = new SocketGuard(vertx, ws, "guest", SocketGuard.Limits.GUEST);
    this.vertx = vertx;
    this.bus = vertx.eventBus();
    this.ws = ws;
    this.settings = settings;
    this.messageLimit = new RateLimit(settings.messagesPerTenSeconds(), 10_000);
    this.frameLimit = new RateLimit(settings.messagesPerTenSeconds() * 4, 10_000);
  }

  public void open() {
    bus.publish(Addresses.METRICS_SOCKETS, new SocketCount("guest", 1));
    guard.start(this::onText, () -> sendError(ErrorCode.bad_request, "binary frames are not accepted"),
        () -> sendError(ErrorCode.too_large, "a message may be at most 64 KiB"));
    ws.exceptionHandler(e -> { }); // a connection reset: the close handler follows
    ws.closeHandler(v -> onClose());
    relayRecovered = bus.consumer(Addresses.RELAY_RECOVERED, msg -> catchUp());
  }

  /**
   * Frames other nodes relayed while this node's relay was away never came: the chat's messages
   * this socket has not written, and a `joined` or `closed` newer than what it showed, are read
   * from the store and written (duplicates are dropped as for relayed frames).
   */
  private void catchUp() {
    String id = chatId;
    if (id == null || pending != null || closed) {
      return; // nothing to catch up, or a start or resume in flight replays from the store anyway
    }
    long afterSeq = written.nextClearBit((int) replayedUpTo + 1) - 1;
    bus.<GuestSnapshot>request(Addresses.GUEST_CATCH_UP, new GuestCatchUp(id, afterSeq))
        .onSuccess(reply -> {
          if (!id.equals(chatId) || closed) {
            return;
          }
          GuestSnapshot now = reply.body();
          now.missed().forEach(m -> deliver(Frames.messageToGuest(m)));
          Long shown = versions.newest(id);
          if (shown == null || shown < now.version()) {
            ChatState state = ChatState.valueOf(now.state());
            if (state == ChatState.active) {
              deliver(Frames.joined(now.operatorName(), now.version()));
            } else if (state.isEnded()) {
              deliver(Frames.closedToGuest(now.endedBy(), now.version()));
            }
          }
        })
        .onFailure(e -> log.debug("guest socket of chat {} could not catch up: {}", id, e.toString()));
  }

  private void onText(String text) {
    try {
      if (!frameLimit.tryAcquire(System.currentTimeMillis())) {
        throw new ClientError(ErrorCode.rate_limited, "too many frames; slow down");
      }
      JsonObject frame = FrameFields.parse(text);
      String type = FrameFields.type(frame);
      switch (type) {
        case "start" -> start(frame);
        case "resume" -> resume(frame);
        case "message" -> message(frame);
        case "typing" -> typing(frame);
        case "close" -> close();
        case "email_transcript" -> emailTranscript(frame);
        case "rate" -> rate(frame);
        default -> throw new ClientError(ErrorCode.bad_request, "unknown frame type \"" + type + "\"");
      }
    } catch (ClientError e) {
      sendError(e.code, e.getMessage());
    }
  }

  private void start(JsonObject frame) {
    if (chatId != null || starting) {
      throw new ClientError(ErrorCode.bad_request, "this socket already has a chat");
    }
    String queue = FrameFields.requiredString(frame, "queue", 64);
    String name = FrameFields.optionalString(frame, "name", MAX_NAME);
    String email = FrameFields.optionalString(frame, "email", MAX_EMAIL);
    String page = FrameFields.optionalString(frame, "page", MAX_PAGE);
    String question = FrameFields.optionalString(frame, "question", settings.maxTextLength());
    String questionClientId = FrameFields.optionalString(frame, "clientId", MAX_CLIENT_ID);
    starting = true;
    Future<Void> admitted = limits == null ? Future.succeededFuture() : limits.admit(SharedLimits.CHAT_STARTS, client);
    admitted.onFailure(e -> {
      starting = false;
      fail(e);
    }).onSuccess(v -> {
      starting = false;
      if (closed || chatId != null) {
        return; // the socket closed, or resumed a chat, while the start was counted
      }
      route(new GuestStart(Tokens.newId(), queue, name == null || name.isBlank() ? null : name.strip(),
          email == null || email.isBlank() ? null : email.strip(), page, null, Guest.WEB, socketId,
          question == null || question.isBlank() ? null : question, questionClientId));
    });
  }

  private void route(GuestStart cmd) {
    attach(cmd.chatId());
    Future<GuestStarted> started = bus.<GuestStarted>request(Addresses.GUEST_START, cmd).map(reply -> reply.body());
    joining = started;
    started
        .onSuccess(reply -> {
          write(Frames.started(reply.chatId(), reply.token(), reply.queue()));
          if (reply.question() != null) {
            written.set((int) reply.question().seq());
            write(Frames.guestAck(reply.question().clientId(), reply.question().seq()));
          }
          flushPending();
        })
        .onFailure(e -> {
          leftAfterFailure(cmd.chatId(), e);
          fail(e);
        });
  }

  /**
   * The start or resume failed. Refused (a client error), it attached nothing; failed on the
   * server's side it may have, so routing is told the socket left (it ignores a socket it never
   * attached) and a chat it created without answering gets its guest grace like any other.
   */
  private void leftAfterFailure(String id, Throwable e) {
    if (id.equals(chatId)) {
      detach();
    }
    if (ClientError.from(e).code == ErrorCode.unavailable) {
      bus.send(Addresses.GUEST_DETACHED, new GuestDetached(id, socketId));
    }
  }

  private void resume(JsonObject frame) {
    String id = FrameFields.requiredString(frame, "chatId", 64);
    String token = FrameFields.requiredString(frame, "token", 128);
    long lastSeq = FrameFields.optionalLong(frame, "lastSeq", 0);
    if (chatId != null) {
      detachAndNotify();
    }
    attach(id);
    Future<GuestResumed> resuming = bus.<GuestResumed>request(Addresses.GUEST_RESUME,
        new GuestResume(id, token, lastSeq, socketId)).map(reply -> reply.body());
    joining = resuming;
    resuming
        .onSuccess(resumed -> {
          replayedUpTo = lastSeq;
          for (ChatMessage m : resumed.missed()) {
            write(Frames.messageToGuest(m));
            written.set((int) m.seq());
            replayedUpTo = m.seq();
          }
          write(Frames.resumed(resumed));
          flushPending();
        })
        .onFailure(e -> {
          leftAfterFailure(id, e);
          fail(e);
        });
  }

  private void message(JsonObject frame) {
    String id = requireChat();
    String text = FrameFields.requiredString(frame, "text", settings.maxTextLength());
    String clientId = FrameFields.optionalString(frame, "clientId", MAX_CLIENT_ID);
    if (!messageLimit.tryAcquire(System.currentTimeMillis())) {
      throw new ClientError(ErrorCode.rate_limited, "too many messages; wait a few seconds");
    }
    bus.<Ack>request(Addresses.GUEST_MESSAGE, new GuestMessage(id, text, clientId))
        .onSuccess(reply -> write(Frames.guestAck(reply.body().clientId(), reply.body().seq())))
        .onFailure(this::fail);
  }

  private void typing(JsonObject frame) {
    boolean typing = FrameFields.requiredBoolean(frame, "typing");
    bus.request(Addresses.GUEST_TYPING, new GuestTyping(requireChat(), typing)).onFailure(this::fail);
  }

  private void close() {
    bus.request(Addresses.GUEST_CLOSE, new GuestClose(requireChat())).onFailure(this::fail);
  }

  /** After the chat ended: mail its transcript to the guest (the mail verticle checks the rest). */
  private void emailTranscript(JsonObject frame) {
    String email = FrameFields.requiredString(frame, "email", MAX_EMAIL);
    bus.request(Addresses.MAIL_TRANSCRIPT, new EmailTranscript(requireChat(), email.strip(), null, client))
        .onSuccess(reply -> write(EMAIL_SENT))
        .onFailure(this::fail);
  }

  private void rate(JsonObject frame) {
    int rating = FrameFields.requiredInt(frame, "rating", Outcome.LOWEST_RATING, Outcome.HIGHEST_RATING);
    String comment = FrameFields.optionalString(frame, "comment", MAX_COMMENT);
    bus.request(Addresses.GUEST_RATE, new GuestRate(requireChat(), rating,
            comment == null || comment.isBlank() ? null : comment.strip()))
        .onSuccess(reply -> write(RATED))
        .onFailure(this::fail);
  }

  private String requireChat() {
    if (chatId == null) {
      throw new ClientError(ErrorCode.bad_request, "start or resume a chat first");
    }
    return chatId;
  }

  private void attach(String id) {
    chatId = id;
    pending = new ArrayList<>();
    replayedUpTo = 0;
    written.clear();
    lastPosition = 0;
    events = bus.consumer(Addresses.toGuest(id), msg -> deliver(msg.body()));
  }

  private void detach() {
    if (events != null) {
      events.unregister();
    }
    events = null;
    chatId = null;
    pending = null;
  }

  private void detachAndNotify() {
    String id = chatId;
    detach();
    // after the start or resume is answered: a failed one was handled by leftAfterFailure
    joining.onSuccess(x -> bus.send(Addresses.GUEST_DETACHED, new GuestDetached(id, socketId)));
  }

  private void deliver(String frame) {
    if (pending != null) {
      pending.add(frame);
      return;
    }
    if (versions.stale(frame, chatId)) {
      return; // e.g. `joined` after a newer `closed` from another node (see ChatVersions)
    }
    if (frame.startsWith("{\"type\":\"queued\"")) {
      int position = new JsonObject(frame).getInteger("position");
      if (position == lastPosition) {
        return;
      }
      lastPosition = position;
    } else if (frame.startsWith("{\"type\":\"joined\"")) {
      lastPosition = 0;
    } else if (Frames.messageSeq(frame) > 0) {
      int seq = (int) Frames.messageSeq(frame); // cheap: read from the frame's first characters
      if (seq <= replayedUpTo || written.get(seq)) {
        return; // already sent, by the replay or by an earlier relay of the same message
      }
      written.set(seq);
    }
    write(frame);
  }

  private void flushPending() {
    List<String> waiting = pending;
    pending = null;
    if (waiting != null) {
      waiting.forEach(this::deliver);
    }
  }

  private void onClose() {
    closed = true;
    relayRecovered.unregister();
    bus.publish(Addresses.METRICS_SOCKETS, new SocketCount("guest", -1));
    if (chatId != null) {
      detachAndNotify();
    }
  }

  private void fail(Throwable e) {
    ClientError error = ClientError.from(e);
    if (!error.code.blamesClient()) {
      write(Frames.error(error.code, error.getMessage())); // a lost race or the server's trouble: not counted
    } else {
      sendError(error.code, error.getMessage());
    }
  }

  /** A frame of the client's refused: counted against its budget (see {@link SocketGuard}). */
  private void sendError(ErrorCode code, String message) {
    guard.refused(Frames.error(code, message));
  }

  private void write(String frame) {
    if (!closed) {
      guard.write(frame);
    }
  }
}
