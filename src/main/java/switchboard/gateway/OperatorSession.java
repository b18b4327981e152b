package switchboard.gateway;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import switchboard.auth.OperatorAuth;
import switchboard.auth.Tokens;
import switchboard.bus.Addresses;
import switchboard.bus.ClientError;
import switchboard.bus.Commands.Ack;
import switchboard.bus.Commands.SocketCount;
import switchboard.bus.Commands.ChosenQueues;
import switchboard.bus.Commands.OperatorAccept;
import switchboard.bus.Commands.OperatorClose;
import switchboard.bus.Commands.OperatorNote;
import switchboard.bus.Commands.OperatorResolve;
import switchboard.bus.Commands.OperatorMessage;
import switchboard.bus.Commands.MissedMessages;
import switchboard.bus.Commands.OperatorMissed;
import switchboard.bus.Commands.OperatorSync;
import switchboard.bus.Commands.OperatorTransfer;
import switchboard.bus.Commands.OperatorTyping;
import switchboard.bus.Commands.PresenceConnected;
import switchboard.bus.Commands.PresenceDisconnected;
import switchboard.bus.Commands.PresenceSet;
import switchboard.bus.Commands.SyncFrames;
import switchboard.bus.ErrorCode;
import switchboard.bus.Frames;
import switchboard.bus.StoreFailures;
import switchboard.config.ChatSettings;
import switchboard.domain.ChatMessage;
import switchboard.domain.OperatorConfig;

/**
 * One operator console socket (DESIGN §3, /ws/operator): authenticates the first frame,
 * then turns frames into presence and routing commands and writes the operator's events.
 */
public final class OperatorSession {
  /** Notes (internal, and with a transfer) are kept short. */
  private static final int MAX_NOTE = 2000;
  private static final Logger log = LoggerFactory.getLogger(OperatorSession.class);
  public static final short CLOSE_UNAUTHORIZED = 4401;
  /** RFC 6455 "try again later": the token could not be checked (the shared store is away). */
  public static final short CLOSE_TRY_AGAIN = 1013;
  static final long AUTH_TIMEOUT_MS = 10_000;
  static final int OPERATOR_FRAMES_PER_TEN_SECONDS = 1000;
  /** How often an open console's token is checked again, so a revoked or expired one ends it. */
  static final long RECHECK_MS = 15_000;
  /** Sent on an operator's address when one of their sessions ends; never forwarded to a socket. */
  public static final String SIGNED_OUT_PREFIX = "{\"type\":\"signed_out\"";

  private final Vertx vertx;
  private final EventBus bus;
  private final ServerWebSocket ws;
  private final OperatorAuth auth;
  private final ChatSettings settings;
  private final String connectionId = Tokens.newId();
  private final RateLimit frameLimit;
  private final SocketGuard guard;

  private OperatorConfig operator;
  private boolean authenticating;
  private MessageConsumer<String> events;
  private long authTimer;
  private long recheckTimer;
  private String token;
  private MessageConsumer<String> storeReset;
  /** The relay lost frames from other nodes for a while: sync again, as after a reconnect. */
  private MessageConsumer<String> relayRecovered;
  private boolean closed;
  /**
   * Per chat, the seqs of the guest's messages written to this socket: a message can be relayed
   * twice (the guest resent it after losing the ack, and routing relays a resend again, as the
   * first relay may not have happened); the console is sent each once.
   */
  private final Map<String, BitSet> written = new HashMap<>();
  private final ChatVersions versions = new ChatVersions();
  private final HeldChats held = new HeldChats();
  private static final String ACCEPTED_START = "{\"type\":\"accepted\"";
  private static final String CLOSED_START = "{\"type\":\"closed\"";
  private static final String WITHDRAWN_START = "{\"type\":\"offer_withdrawn\"";
  private static final String TRANSFERRED = "\"reason\":\"transferred\"";

  public OperatorSession(Vertx vertx, ServerWebSocket ws, OperatorAuth auth, ChatSettings settings) {
    this.vertx = vertx;
    this.bus = vertx.eventBus();
    this.ws = ws;
    this.auth = auth;
    this.settings = settings;
    // signed-in staff handle many chats at once: only a runaway client reaches this
    this.frameLimit = new RateLimit(OPERATOR_FRAMES_PER_TEN_SECONDS, 10_000);
    this.guard = new SocketGuard(vertx, ws, "operator", SocketGuard.Limits.OPERATOR);
  }

  public void open() {
    bus.publish(Addresses.METRICS_SOCKETS, new SocketCount("operator", 1));
    authTimer = vertx.setTimer(AUTH_TIMEOUT_MS, id -> {
      if (operator == null) {
        refuse("no auth frame within 10 seconds");
      }
    });
    guard.start(this::onText, () -> {
      if (operator == null) {
        refuse("the first frame must be auth");
      } else {
        sendError(ErrorCode.bad_request, "binary frames are not accepted", null);
      }
    }, () -> {
      if (operator == null) {
        refuse("a message may be at most 64 KiB");
      } else {
        sendError(ErrorCode.too_large, "a message may be at most 64 KiB", null);
      }
    });
    ws.exceptionHandler(e -> { }); // a connection reset: the close handler follows
    ws.closeHandler(v -> onClose());
  }

  private void onText(String text) {
    String chatId = null;
    try {
      JsonObject frame = FrameFields.parse(text);
      String type = FrameFields.type(frame);
      if (operator == null) {
        authenticate(type, frame);
        return;
      }
      if (!frameLimit.tryAcquire(System.currentTimeMillis())) {
        throw new ClientError(ErrorCode.rate_limited, "too many frames; slow down");
      }
      chatId = frame.getValue("chatId") instanceof String s ? s : null;
      switch (type) {
        case "availability" -> availability(frame);
        case "accept" -> accept(frame);
        case "message" -> message(frame);
        case "transfer" -> transfer(frame);
        case "close" -> close(frame);
        case "resolve" -> resolve(frame);
        case "note" -> note(frame);
        case "typing" -> typing(frame);
        case "auth" -> throw new ClientError(ErrorCode.bad_request, "already signed in");
        default -> throw new ClientError(ErrorCode.bad_request, "unknown frame type \"" + type + "\"");
      }
    } catch (ClientError e) {
      if (operator == null) {
        refuse(e.getMessage());
      } else {
        sendError(e.code, e.getMessage(), chatId);
      }
    }
  }

  private void authenticate(String type, JsonObject frame) {
    if (!"auth".equals(type)) {
      throw new ClientError(ErrorCode.unauthorized, "the first frame must be auth");
    }
    if (authenticating) {
      return;
    }
    authenticating = true;
    String token = FrameFields.requiredString(frame, "token", 256);
    this.token = token;
    auth.verify(token)
        .onSuccess(this::signedIn)
        .onFailure(e -> {
          if (ClientError.from(e).code == ErrorCode.unauthorized) {
            refuse("invalid or expired token");
          } else if (!closed) { // the store could not be asked: not the token's fault, so no sign-out
            closed = true;
            guard.close(CLOSE_TRY_AGAIN, "sign-in could not be checked just now; reconnect");
          }
        });
  }

  private void signedIn(OperatorConfig op) {
    if (closed) {
      return;
    }
    operator = op;
    vertx.cancelTimer(authTimer);
    recheckTimer = vertx.setPeriodic(RECHECK_MS, id -> recheck());
    events = bus.consumer(Addresses.toOperator(op.id()), msg -> deliver(msg.body()));
    // the store lost its data: this console's session is put back, so the operator stays signed in
    relayRecovered = bus.consumer(Addresses.RELAY_RECOVERED, msg -> bus
        .<SyncFrames>request(Addresses.OPERATOR_SYNC, new OperatorSync(op.id()))
        .onSuccess(reply -> reply.body().frames().forEach(this::deliver))
        .onFailure(e -> log.debug("console of {} could not sync after the relay recovered: {}", op.id(), e.toString())));
    storeReset = bus.consumer(Addresses.STORE_RESET, msg -> auth.restoreSession(token, op)
        .onFailure(e -> log.warn("session of {} not put back: {}", op.id(), e.getMessage())));
    events.completion()
        .compose(v -> bus.<ChosenQueues>request(Addresses.PRESENCE_CONNECTED, new PresenceConnected(op.id(), connectionId)))
        .compose(reply -> {
          JsonArray queues = new JsonArray();
          op.queues().forEach(q -> queues.add(new JsonObject().put("name", q).put("available", reply.body().queues().contains(q))));
          write(Frames.ready(op.id(), op.name(), op.role().name(), queues, settings.operatorAwayAfterIdleSeconds()));
          return bus.<SyncFrames>request(Addresses.OPERATOR_SYNC, new OperatorSync(op.id()));
        })
        // through deliver, like live frames: a live frame newer than the snapshot may have come first
        .onSuccess(reply -> reply.body().frames().forEach(this::deliver))
        .onFailure(e -> {
          if (StoreFailures.unreachable(e)) { // the page reconnects; nothing is wrong with this node
            log.warn("console of {} could not be set up: the store is unreachable ({})", op.id(), e.toString());
          } else {
            log.error("console of {} could not be set up", op.id(), e);
          }
          write(errorFrame(ErrorCode.unavailable, "the console could not be set up; reconnect", null));
        });
  }

  private void deliver(String frame) {
    if (frame.startsWith(SIGNED_OUT_PREFIX)) {
      if (frame.equals(OperatorAuth.signedOutEverywhere())) {
        refuse("your password or role changed; sign in again");
      } else if (frame.contains(Tokens.hash(token))) {
        refuse("signed out");
      }
      return;
    }
    if (versions.stale(frame, null)) {
      return; // a newer frame about this chat came first (see ChatVersions)
    }
    if (frame.startsWith(ACCEPTED_START)) {
      JsonObject accepted = new JsonObject(frame);
      String chatId = accepted.getString("chatId");
      BitSet seqs = written.computeIfAbsent(chatId, k -> new BitSet());
      HeldChats.historySeqs(accepted).forEach(seq -> seqs.set(seq.intValue())); // the console has these now
      write(frame);
      held.accepted(chatId, System.currentTimeMillis()).forEach(this::deliver);
      return;
    }
    if (frame.startsWith(CLOSED_START) || (frame.startsWith(WITHDRAWN_START) && frame.contains(TRANSFERRED))) {
      String chatId = new JsonObject(frame).getString("chatId");
      if (chatId != null) {
        held.left(chatId);
      }
    }
    long seq = Frames.messageSeq(frame);
    if (seq > 0) {
      String chatId = String.valueOf(Frames.messageChatId(frame));
      if (!held.holds(chatId)) {
        held.hold(chatId, frame, System.currentTimeMillis()); // overtook its chat's `accepted` (see HeldChats)
        return;
      }
      BitSet seqs = written.computeIfAbsent(chatId, k -> new BitSet());
      if (seqs.get((int) seq)) {
        return; // relayed twice (a resend), or in the history `accepted` carried: the console has it
      }
      seqs.set((int) seq);
    }
    write(frame);
  }

  private void recheck() {
    auth.verify(token).onFailure(e -> {
      if (ClientError.from(e).code == ErrorCode.unauthorized) {
        refuse("session expired or revoked; sign in again");
      }
    });
  }

  private void availability(JsonObject frame) {
    String queue = FrameFields.requiredString(frame, "queue", 64);
    boolean available = FrameFields.requiredBoolean(frame, "available");
    bus.request(Addresses.PRESENCE_SET, new PresenceSet(operator.id(), queue, available))
        .onSuccess(r -> write(new JsonObject().put("type", "availability").put("queue", queue)
            .put("available", available).encode()))
        .onFailure(e -> fail(e, null));
  }

  private void accept(JsonObject frame) {
    String chatId = FrameFields.requiredString(frame, "chatId", 64);
    bus.request(Addresses.OPERATOR_ACCEPT, new OperatorAccept(operator.id(), chatId)).onFailure(e -> fail(e, chatId));
  }

  private void message(JsonObject frame) {
    String chatId = FrameFields.requiredString(frame, "chatId", 64);
    String text = FrameFields.requiredString(frame, "text", settings.maxTextLength());
    String clientId = FrameFields.optionalString(frame, "clientId", 64);
    bus.<Ack>request(Addresses.OPERATOR_MESSAGE, new OperatorMessage(operator.id(), chatId, text, clientId))
        .compose(r -> everyMessageBefore(chatId, r.body().seq()).map(r.body()))
        .onSuccess(ack -> write(Frames.operatorAck(chatId, ack.clientId(), ack.seq())))
        .onFailure(e -> fail(e, chatId));
  }

  /**
   * Sends the console, before the ack of its operator's message at {@code seq}, every guest's
   * message stored before it: one relayed from another node can still be on its way, and the
   * librarian would answer, or say goodbye and close, past it (the console drops a message for a
   * chat it no longer shows; found by the concurrency storm). Asks the store only when a seq below
   * is missing; the late copy is then not sent twice. Never fails: the ack is due anyway.
   */
  private Future<Void> everyMessageBefore(String chatId, long seq) {
    BitSet seqs = written.computeIfAbsent(chatId, k -> new BitSet());
    seqs.set((int) seq);
    int firstMissing = seqs.nextClearBit(1);
    if (firstMissing >= seq || !held.holds(chatId)) {
      return Future.succeededFuture();
    }
    return bus.<MissedMessages>request(Addresses.OPERATOR_MISSED, new OperatorMissed(operator.id(), chatId, firstMissing - 1))
        .map(reply -> {
          for (ChatMessage m : reply.body().messages()) {
            if (m.seq() >= seq) {
              break;
            }
            if (ChatMessage.FROM_GUEST.equals(m.from())) {
              deliver(Frames.messageToOperator(chatId, m)); // marks it written, unless it came meanwhile
            } else {
              seqs.set((int) m.seq()); // not shown live (the operator's own, or the service's to the guest)
            }
          }
          return (Void) null;
        })
        .recover(e -> {
          log.debug("messages before seq {} of chat {} not read for the console: {}", seq, chatId, e.toString());
          return Future.succeededFuture();
        });
  }

  private void transfer(JsonObject frame) {
    String chatId = FrameFields.requiredString(frame, "chatId", 64);
    String queue = FrameFields.optionalString(frame, "queue", 64);
    String target = FrameFields.optionalString(frame, "operator", 64);
    if ((queue == null) == (target == null)) {
      throw new ClientError(ErrorCode.bad_request, "give either \"queue\" or \"operator\"");
    }
    String note = FrameFields.optionalString(frame, "note", MAX_NOTE);
    bus.request(Addresses.OPERATOR_TRANSFER, new OperatorTransfer(operator.id(), chatId, queue, target,
            note == null || note.isBlank() ? null : note.strip()))
        .onFailure(e -> fail(e, chatId));
  }

  private void note(JsonObject frame) {
    String chatId = FrameFields.requiredString(frame, "chatId", 64);
    String text = FrameFields.requiredString(frame, "text", MAX_NOTE);
    if (text.isBlank()) {
      throw new ClientError(ErrorCode.bad_request, "\"text\" must not be empty");
    }
    bus.request(Addresses.OPERATOR_NOTE, new OperatorNote(operator.id(), chatId, text.strip()))
        .onFailure(e -> fail(e, chatId));
  }

  private void close(JsonObject frame) {
    String chatId = FrameFields.requiredString(frame, "chatId", 64);
    String resolution = FrameFields.optionalString(frame, "resolution", 32);
    bus.request(Addresses.OPERATOR_CLOSE, new OperatorClose(operator.id(), chatId, resolution))
        .onFailure(e -> fail(e, chatId));
  }

  private void resolve(JsonObject frame) {
    String chatId = FrameFields.requiredString(frame, "chatId", 64);
    String resolution = FrameFields.requiredString(frame, "resolution", 32);
    bus.request(Addresses.OPERATOR_RESOLVE, new OperatorResolve(operator.id(), chatId, resolution))
        .onSuccess(reply -> write(new JsonObject().put("type", "resolved").put("chatId", chatId)
            .put("resolution", resolution).encode()))
        .onFailure(e -> fail(e, chatId));
  }

  private void typing(JsonObject frame) {
    String chatId = FrameFields.requiredString(frame, "chatId", 64);
    boolean typing = FrameFields.requiredBoolean(frame, "typing");
    bus.request(Addresses.OPERATOR_TYPING, new OperatorTyping(operator.id(), chatId, typing))
        .onFailure(e -> fail(e, chatId));
  }

  private void refuse(String reason) {
    if (!closed) {
      closed = true;
      guard.close(CLOSE_UNAUTHORIZED, reason);
    }
  }

  private void onClose() {
    closed = true;
    bus.publish(Addresses.METRICS_SOCKETS, new SocketCount("operator", -1));
    vertx.cancelTimer(authTimer);
    vertx.cancelTimer(recheckTimer);
    if (operator != null) {
      events.unregister();
      storeReset.unregister();
      relayRecovered.unregister();
      bus.send(Addresses.PRESENCE_DISCONNECTED, new PresenceDisconnected(operator.id(), connectionId));
    }
  }

  private void fail(Throwable e, String chatId) {
    ClientError error = ClientError.from(e);
    if (!error.code.blamesClient()) {
      write(errorFrame(error.code, error.getMessage(), chatId)); // a lost race or the server's trouble: not counted
    } else {
      sendError(error.code, error.getMessage(), chatId);
    }
  }

  /** A frame of the client's refused: counted against its budget (see {@link SocketGuard}). */
  private void sendError(ErrorCode code, String message, String chatId) {
    if (!closed) {
      guard.refused(errorFrame(code, message, chatId));
    }
  }

  private static String errorFrame(ErrorCode code, String message, String chatId) {
    JsonObject frame = new JsonObject(Frames.error(code, message));
    if (chatId != null) {
      frame.put("chatId", chatId);
    }
    return frame.encode();
  }

  private void write(String frame) {
    if (!closed) {
      guard.write(frame);
    }
  }
}
