package switchboard.routing;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import switchboard.auth.Tokens;
import switchboard.bus.Addresses;
import switchboard.bus.ClientError;
import switchboard.bus.Replies;
import switchboard.bus.Commands.GuestCatchUp;
import switchboard.bus.Commands.GuestSnapshot;
import switchboard.bus.Commands.Ack;
import switchboard.bus.Commands.AvailabilityChanged;
import switchboard.bus.Commands.Done;
import switchboard.bus.Commands.GuestClose;
import switchboard.bus.Commands.GuestDetached;
import switchboard.bus.Commands.GuestMessage;
import switchboard.bus.Commands.GuestResume;
import switchboard.bus.Commands.GuestResumed;
import switchboard.bus.Commands.GuestStart;
import switchboard.bus.Commands.GuestStarted;
import switchboard.bus.Commands.GuestTyping;
import switchboard.bus.Commands.OperatorAccept;
import switchboard.bus.Commands.OperatorClose;
import switchboard.bus.Commands.OperatorNote;
import switchboard.bus.Commands.OperatorResolve;
import switchboard.bus.Commands.GuestRate;
import switchboard.bus.Commands.OperatorMessage;
import switchboard.bus.Commands.MissedMessages;
import switchboard.bus.Commands.OperatorMissed;
import switchboard.bus.Commands.OperatorSync;
import switchboard.bus.Commands.OperatorTransfer;
import switchboard.bus.Commands.OperatorTyping;
import switchboard.bus.Commands.SyncFrames;
import switchboard.bus.ErrorCode;
import switchboard.bus.EventRelay;
import switchboard.bus.Frames;
import switchboard.config.ChatSettings;
import switchboard.domain.OperatorConfig;
import switchboard.domain.QueueConfig;
import switchboard.domain.Chat;
import switchboard.domain.ChatForm;
import switchboard.domain.ChatEvent;
import switchboard.domain.ChatMessage;
import switchboard.domain.ChatState;
import switchboard.domain.Directory;
import switchboard.domain.Guest;
import switchboard.domain.Handover;
import switchboard.domain.Outcome;
import switchboard.presence.PresenceHealth;
import switchboard.record.MessageJournal;
import switchboard.store.StateStore;

/**
 * Owns chats: answers the guests' and operators' commands (start, resume, messages, accept,
 * transfer, close, sync) and wires the parts that do the rest: every change of a chat goes through
 * {@link ChatTransitions} (compare-and-set in the store, so concurrent commands or nodes cannot
 * both win, then {@link ChatAnnouncer}); who is offered what is {@link Replanner}'s (with
 * {@link OfferPlanner}); timers are {@link RoutingTimers}'; chats whose people are gone are
 * {@link OrphanSweep}'s; what consoles and waiting guests are told about the line is
 * {@link QueueBroadcasts}'; replies by text message {@link SmsReplies}'; what the service itself
 * says in a chat {@link SystemMessages}'.
 */
public final class RoutingVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(RoutingVerticle.class);
  /** An address as a person types it: something, one @, a domain with a dot; no spaces. */
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");

  private final Directory directory;
  private final StateStore store;
  private final EventRelay relay;
  private final ChatSettings settings;
  private final Clock clock;
  private ChatAnnouncer announcer;
  private ChatTransitions transitions;
  private RoutingTimers timers;
  private QueueBroadcasts broadcasts;
  private SmsReplies sms;
  private Replanner replanner;
  private SystemMessages systemMessages;
  private OrphanSweep sweep;
  private final GuestSockets guestSockets = new GuestSockets();
  private final String nodeId;
  private final MessageJournal journal;
  private final PresenceHealth presence;

  public RoutingVerticle(Directory directory, StateStore store, EventRelay relay, ChatSettings settings, Clock clock,
      String nodeId, PresenceHealth presence) {
    this(directory, store, relay, settings, clock, nodeId, presence, MessageJournal.none());
  }

  /** {@code journal}: where messages go before they are acknowledged (see {@link MessageJournal}). */
  public RoutingVerticle(Directory directory, StateStore store, EventRelay relay, ChatSettings settings, Clock clock,
      String nodeId, PresenceHealth presence, MessageJournal journal) {
    this.journal = journal;
    this.nodeId = nodeId;
    this.presence = presence;
    this.directory = directory;
    this.store = store;
    this.relay = relay;
    this.settings = settings;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    announcer = new ChatAnnouncer(directory, relay, store, vertx.eventBus());
    transitions = new ChatTransitions(store, announcer, clock, this::afterChange);
    timers = new RoutingTimers(vertx, store, presence, clock, this::timerAction);
    broadcasts = new QueueBroadcasts(vertx, directory, store, relay);
    sms = new SmsReplies(vertx.eventBus(), relay);
    replanner = new Replanner(vertx, directory, store, transitions, timers, broadcasts, clock);
    systemMessages = new SystemMessages(store, journal, relay, clock);
    sweep = new OrphanSweep(vertx, store, relay, presence, replanner, timers, systemMessages, guestSockets, settings,
        clock, nodeId);
    List<MessageConsumer<?>> consumers = new ArrayList<>();
    consumers.add(handle(Addresses.GUEST_START, this::startChat));
    consumers.add(handle(Addresses.GUEST_RESUME, this::resume));
    consumers.add(handle(Addresses.GUEST_CATCH_UP, this::catchUp));
    consumers.add(handle(Addresses.GUEST_MESSAGE, this::guestMessage));
    consumers.add(handle(Addresses.GUEST_TYPING, this::guestTyping));
    consumers.add(handle(Addresses.GUEST_CLOSE, this::guestClose));
    consumers.add(handle(Addresses.GUEST_DETACHED, this::guestDetached));
    consumers.add(handle(Addresses.GUEST_RATE, this::rate));
    consumers.add(handle(Addresses.OPERATOR_RESOLVE, this::resolve));
    consumers.add(handle(Addresses.OPERATOR_NOTE, this::note));
    consumers.add(handle(Addresses.OPERATOR_ACCEPT, this::accept));
    consumers.add(handle(Addresses.OPERATOR_MESSAGE, this::operatorMessage));
    consumers.add(handle(Addresses.OPERATOR_TYPING, this::operatorTyping));
    consumers.add(handle(Addresses.OPERATOR_TRANSFER, this::transfer));
    consumers.add(handle(Addresses.OPERATOR_CLOSE, this::operatorClose));
    consumers.add(handle(Addresses.OPERATOR_SYNC, this::sync));
    consumers.add(handle(Addresses.OPERATOR_MISSED, this::missed));
    consumers.add(handle(Addresses.AVAILABILITY_CHANGED, this::availabilityChanged));
    consumers.add(vertx.eventBus().<String>consumer(Addresses.STORE_RESET, msg -> sweep.storeReset()));
    timers.start();
    sweep.start();
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
  }

  @Override
  public Future<?> stop() {
    timers.stop();
    sweep.stop();
    replanner.stop();
    broadcasts.stop();
    return Future.succeededFuture();
  }

  /** Binds a command address to a handler whose failed future becomes the failed reply. */
  private <T, R> MessageConsumer<T> handle(String address, Function<T, Future<R>> handler) {
    return vertx.eventBus().<T>consumer(address, msg -> Replies.serve(msg, handler));
  }

  private Instant now() {
    return clock.instant();
  }

  // ---- guests ------------------------------------------------------------------------

  private Future<GuestStarted> startChat(GuestStart cmd) {
    QueueConfig queue = directory.queue(cmd.queue())
        .orElseThrow(() -> new ClientError(ErrorCode.unknown_queue, "no queue named " + cmd.queue()));
    if (!Guest.SMS.equals(cmd.channel())) {
      checkForm(queue.form(), cmd);
    }
    String token = Tokens.newToken();
    String question = queue.form().question() == ChatForm.Ask.off ? null : cmd.question();
    Guest guest = new Guest(cmd.name() == null ? "Guest" : cmd.name(), cmd.email(), cmd.page(), cmd.phone(),
        cmd.channel(), question);
    Chat chat = Chat.newChat(cmd.chatId(), guest, Tokens.hash(token), queue.name(), now());
    Ack[] questionAck = {null};
    List<ChatEvent> asked = List.of(new ChatEvent(chat.createdAt(), ChatEvent.ASKED, queue.name(), null));
    // the guest's socket and the max-wait timer first: if a later step fails the socket's detach
    // sets the guest grace, and a timer set for a chat whose creation failed fires on nothing,
    // but a chat stored without them would ring for ever, or past its limit
    return attachGuest(chat.id(), cmd.socketId())
        .compose(v -> maxWaitTimer(chat, queue))
        .compose(v -> store.createChat(chat))
        // the question is the chat's first message, in the record before the guest is told
        .compose(v -> question == null ? Future.succeededFuture()
            : store.appendMessage(chat.id(), ChatMessage.FROM_GUEST, guest.name(), question, chat.createdAt(),
                cmd.questionClientId()).compose(m -> journal.write(chat.id(), m, cmd.questionClientId()).map(x -> {
                  questionAck[0] = new Ack(chat.id(), cmd.questionClientId(), m.seq());
                  return (Void) null;
                })))
        .compose(v -> announcer.recordTimeline(chat, asked))
        // where the record is what a restart puts back, the chat is in it before the guest is told
        .compose(v -> journal.chatStarted(chat, asked))
        .map(v -> {
          log.info("chat {} started on {} by guest {}", chat.id(), queue.name(), guest.name());
          // after the reply, so the guest sees `started` before `queued` and the offers
          vertx.runOnContext(x -> {
            // the new chat is planned at once (offered without waiting for a round); the whole
            // line (queue counts, fairness) in the next coalesced round
            replanner.availability().compose(av -> replanner.replan(chat.id(), av, false))
                .onFailure(e -> log.warn("planning chat {} failed: {}", chat.id(), e.getMessage()));
            replanner.replanAll();
            broadcasts.announcePositions();
          });
          return new GuestStarted(chat.id(), token, queue.name(), questionAck[0]);
        });
  }

  /** What the queue requires of the guest (DESIGN §1, the pre-chat form), with the field named. */
  private static void checkForm(ChatForm form, GuestStart cmd) {
    if (form.name() == ChatForm.Ask.required && cmd.name() == null) {
      throw new ClientError(ErrorCode.bad_request, "name: this queue asks for your name");
    }
    if (form.email() != ChatForm.Ask.off && cmd.email() != null && !EMAIL.matcher(cmd.email()).matches()) {
      throw new ClientError(ErrorCode.bad_request, "email: not an email address");
    }
    if (form.email() == ChatForm.Ask.required && cmd.email() == null) {
      throw new ClientError(ErrorCode.bad_request, "email: this queue asks for your email address");
    }
    if (form.question() == ChatForm.Ask.required && cmd.question() == null) {
      throw new ClientError(ErrorCode.bad_request, "question: this queue asks for your question first");
    }
  }

  private Future<Void> maxWaitTimer(Chat chat, QueueConfig queue) {
    if (queue.maxWaitSeconds() == null) {
      return Future.succeededFuture();
    }
    return timers.schedule(TimerKind.MAX_WAIT.key(chat.id()), chat.createdAt().plusSeconds(queue.maxWaitSeconds()));
  }

  private Future<GuestResumed> resume(GuestResume cmd) {
    return store.chat(cmd.chatId()).compose(chat -> {
      if (chat == null || cmd.token() == null || !Tokens.matches(cmd.token(), chat.tokenHash())) {
        throw new ClientError(ErrorCode.not_found, "no chat with that id and token");
      }
      return attachGuest(chat.id(), cmd.socketId())
          .compose(v -> store.cancelTimer(TimerKind.GUEST_GRACE.key(chat.id())))
          .compose(v -> store.messagesAfter(chat.id(), Math.max(0, cmd.lastSeq())))
          .map(missed -> {
            log.info("chat {} resumed by its guest after seq {}", chat.id(), cmd.lastSeq());
            vertx.runOnContext(x -> {
              broadcasts.forgetPosition(chat.id());
              broadcasts.announcePositions();
            });
            return new GuestResumed(chat.id(), chat.state().name(), chat.queue(), chat.operatorName(), missed);
          });
    });
  }

  /** Read only: an open guest socket whose node missed relayed frames reads where its chat stands. */
  private Future<GuestSnapshot> catchUp(GuestCatchUp cmd) {
    return store.chat(cmd.chatId()).compose(chat -> {
      if (chat == null) {
        throw new ClientError(ErrorCode.not_found, "no chat with that id");
      }
      return store.messagesAfter(chat.id(), Math.max(0, cmd.afterSeq())).map(missed -> new GuestSnapshot(
          chat.id(), chat.state().name(), chat.operatorName(), chat.version(), chat.endedBy(), missed));
    });
  }

  /** One store step (read + append): the guest's message is stored, then relayed if someone holds the chat. */
  private Future<Ack> guestMessage(GuestMessage cmd) {
    Instant at = now();
    return store.appendToChat(cmd.chatId(), ChatMessage.FROM_GUEST, null, cmd.text(), at, cmd.clientId())
        .compose(appended -> {
          switch (appended.outcome()) {
            case NO_CHAT -> throw new ClientError(ErrorCode.not_found, "no such chat");
            case ENDED, NOT_HELD -> throw new ClientError(ErrorCode.bad_request, "this chat has ended");
            default -> { }
          }
          ChatMessage m = appended.message();
          // in the record before anyone sees it, where this node's memory is the state store
          return journal.write(cmd.chatId(), m, cmd.clientId()).map(v -> {
            // a resend is relayed again: the first try may have been stored without being relayed
            // (its answer lost, e.g. Redis frozen); consoles show each seq once
            if (appended.state() == ChatState.active) {
              relay.toOperator(appended.operatorId(), Frames.messageToOperator(cmd.chatId(), m));
            }
            return new Ack(cmd.chatId(), cmd.clientId(), m.seq());
          });
        });
  }

  private Future<Done> guestTyping(GuestTyping cmd) {
    return openChat(cmd.chatId()).map(chat -> {
      if (chat.state() == ChatState.active) {
        relay.toOperator(chat.operatorId(), Frames.typingToOperator(chat.id(), cmd.typing()));
      }
      return Done.INSTANCE;
    });
  }

  private Future<Done> guestClose(GuestClose cmd) {
    return transitions.change(cmd.chatId(), chat -> {
      if (chat.state().isEnded()) {
        return chat;
      }
      ChatState ended = switch (chat.state()) {
        case waiting -> ChatState.abandoned;
        case offered -> ChatState.missed;
        default -> ChatState.closed;
      };
      return chat.edit().state(ended).ended(now(), "guest").offeredTo(Set.of()).build();
    }).map(Done.INSTANCE);
  }

  /** Counts the guest's socket here, and this node in the store with the chat's first one. */
  private Future<Void> attachGuest(String chatId, String socketId) {
    if (socketId == null) {
      return Future.succeededFuture(); // a text chat: no socket, no grace
    }
    return guestSockets.attach(chatId, socketId) ? store.setGuestConnected(chatId, nodeId, true) : Future.succeededFuture();
  }

  /**
   * A socket this node attached left: when it was the chat's last here, this node is no longer
   * counted and the guest grace starts (it ends the chat only if no node holds the guest then).
   * A socket never attached (its start or resume failed before) changes nothing.
   */
  private Future<Done> guestDetached(GuestDetached cmd) {
    if (!guestSockets.detach(cmd.chatId(), cmd.socketId())) {
      return Future.succeededFuture(Done.INSTANCE);
    }
    return store.setGuestConnected(cmd.chatId(), nodeId, false)
        .eventually(() -> timers.schedule(TimerKind.GUEST_GRACE.key(cmd.chatId()),
            now().plusSeconds(settings.guestGraceSeconds())))
        .map(Done.INSTANCE);
  }

  /** The guest of a chat whose grace ran out is still here, or on another live node. */
  private Future<Boolean> guestStillConnected(String chatId) {
    return guestSockets.holds(chatId) ? Future.succeededFuture(true) : store.guestConnected(chatId);
  }

  /** The chat, if it exists and has not ended. */
  private Future<Chat> openChat(String chatId) {
    return store.chat(chatId).map(chat -> {
      if (chat == null) {
        throw new ClientError(ErrorCode.not_found, "no such chat");
      }
      if (chat.state().isEnded()) {
        throw new ClientError(ErrorCode.bad_request, "this chat has ended");
      }
      return chat;
    });
  }

  // ---- operators -----------------------------------------------------------------------

  private Future<Done> accept(OperatorAccept cmd) {
    OperatorConfig op = operator(cmd.operatorId());
    return transitions.change(cmd.chatId(), op.maxChats(), chat -> {
      if (chat.state() == ChatState.active || chat.state().isEnded()) {
        throw new ClientError(ErrorCode.already_taken, "this chat was already answered or has ended");
      }
      if (chat.state() != ChatState.offered || !chat.offeredTo().contains(op.id())) {
        throw new ClientError(ErrorCode.forbidden, "this chat is not offered to you");
      }
      return chat.edit().state(ChatState.active).operator(op.id(), op.name())
          .answeredQueue(announcer.offeredOn(chat, op.id())).acceptedAt(now())
          .offeredTo(Set.of()).directOperator(null).widenPending(false).rolloverDueAt(null).handover(null).build();
    }).compose(t -> {
      Chat chat = t.after();
      broadcasts.recordAnswered(chat.queue(), Duration.between(chat.waitingSince(), chat.acceptedAt()).toSeconds());
      return timers.cancel(chat.id(), TimerKind.ROLLOVER, TimerKind.MAX_WAIT);
    }).recover(e -> e instanceof ClientError ce && ChatTransitions.AT_CAPACITY.equals(ce.getMessage())
        ? withdrawFrom(cmd.chatId(), op.id()).transform(x -> Future.failedFuture(e))
        : Future.failedFuture(e)).map(Done.INSTANCE);
  }

  /**
   * The operator filled up between the offer and their accept: the offer is withdrawn from
   * them (so their console stops showing what they cannot take) and comes back as a new
   * offer when they have room again.
   */
  private Future<?> withdrawFrom(String chatId, String operatorId) {
    return transitions.change(chatId, chat -> {
      if (chat.state() != ChatState.offered || !chat.offeredTo().contains(operatorId)) {
        return chat;
      }
      Set<String> rest = new HashSet<>(chat.offeredTo());
      rest.remove(operatorId);
      return rest.isEmpty()
          ? chat.edit().state(ChatState.waiting).offeredTo(Set.of()).offeredQueues(List.of()).build()
          : chat.edit().offeredTo(rest).build();
    }).onComplete(r -> replanner.replanAll());
  }

  /** One store step: appended only while this operator holds the chat, then relayed to the guest. */
  private Future<Ack> operatorMessage(OperatorMessage cmd) {
    Instant at = now();
    String operatorId = operator(cmd.operatorId()).id();
    return store.appendToChat(cmd.chatId(), ChatMessage.FROM_OPERATOR, operatorId, cmd.text(), at, cmd.clientId())
        .compose(appended -> {
          switch (appended.outcome()) {
            case NO_CHAT -> throw new ClientError(ErrorCode.not_found, "no such chat");
            case ENDED, NOT_HELD -> throw new ClientError(ErrorCode.forbidden, "you do not hold this chat");
            default -> { }
          }
          ChatMessage m = appended.message();
          return journal.write(cmd.chatId(), m, cmd.clientId()).map(v -> {
            // a resend is relayed again: the first try may have been stored without being relayed
            // (its answer lost, e.g. Redis frozen); a guest socket shows each seq once
            relay.toGuest(cmd.chatId(), Frames.messageToGuest(m));
            if (m.at().equals(at) && appended.sms()) { // a text message goes out once, not per resend
              store.chat(cmd.chatId())
                  .onSuccess(chat -> sms.send(chat, cmd.operatorId(), m))
                  .onFailure(e -> sms.notSent(cmd.operatorId(), cmd.chatId(), m, e));
            }
            return new Ack(cmd.chatId(), cmd.clientId(), m.seq());
          });
        });
  }

  private Future<Done> operatorTyping(OperatorTyping cmd) {
    return heldChat(cmd.operatorId(), cmd.chatId()).map(chat -> {
      relay.toGuest(chat.id(), Frames.typingToGuest(cmd.typing()));
      return Done.INSTANCE;
    });
  }

  private Future<Done> operatorClose(OperatorClose cmd) {
    OperatorConfig op = operator(cmd.operatorId());
    if (cmd.resolution() != null) {
      checkResolution(cmd.resolution());
    }
    return transitions.change(cmd.chatId(), chat -> {
      checkHolder(op, chat);
      Chat.Builder closed = chat.edit().state(ChatState.closed).ended(now(), "operator");
      return cmd.resolution() == null ? closed.build()
          : closed.outcome(chat.outcome().resolved(cmd.resolution(), op.id())).build();
    }).map(Done.INSTANCE);
  }

  /**
   * The resolution code of a chat, set by the operator who held it last (or an admin), while it
   * runs or after it ended, as long as the state store still has it (ten minutes after its end).
   */
  private Future<Done> resolve(OperatorResolve cmd) {
    OperatorConfig op = operator(cmd.operatorId());
    checkResolution(cmd.resolution());
    return transitions.change(cmd.chatId(), chat -> {
      if (!op.id().equals(chat.operatorId()) && !op.isAdmin()) {
        throw new ClientError(ErrorCode.forbidden, "only who held this chat sets its resolution");
      }
      return cmd.resolution().equals(chat.outcome().resolution()) ? chat
          : chat.edit().outcome(chat.outcome().resolved(cmd.resolution(), op.id())).build();
    }).map(Done.INSTANCE);
  }

  /**
   * An internal note (staff only) in the chat's timeline, from its holder, its last holder once it
   * ended, or an admin; whoever holds the chat sees it at once, and the record keeps it.
   */
  private Future<Done> note(OperatorNote cmd) {
    OperatorConfig op = operator(cmd.operatorId());
    return store.chat(cmd.chatId()).compose(chat -> {
      if (chat == null) {
        throw new ClientError(ErrorCode.not_found, "no such chat");
      }
      if (!op.id().equals(chat.operatorId()) && !op.isAdmin()) {
        throw new ClientError(ErrorCode.forbidden, "only who holds this chat writes notes on it");
      }
      ChatEvent note = new ChatEvent(now(), ChatEvent.NOTE, null, op.id(), cmd.text());
      return announcer.recordTimeline(chat, List.of(note)).map(v -> {
        if (chat.operatorId() != null) {
          relay.toOperator(chat.operatorId(), Frames.timeline(chat.id(), note));
        }
        if (!op.id().equals(chat.operatorId())) {
          relay.toOperator(op.id(), Frames.timeline(chat.id(), note));
        }
        vertx.eventBus().publish(Addresses.RECORD_CHAT, chat.id());
        return Done.INSTANCE;
      });
    });
  }

  private static void checkResolution(String resolution) {
    if (!Outcome.RESOLUTIONS.contains(resolution)) {
      throw new ClientError(ErrorCode.bad_request, "resolution: one of " + String.join(", ", Outcome.RESOLUTIONS));
    }
  }

  /** The guest's rating, once, after the chat ended, where its queue asks for one. */
  private Future<Done> rate(GuestRate cmd) {
    return transitions.change(cmd.chatId(), chat -> {
      boolean asks = directory.queue(chat.recordedQueue()).map(QueueConfig::rating).orElse(false);
      if (!asks) {
        throw new ClientError(ErrorCode.bad_request, "rating: this queue does not ask for ratings");
      }
      if (!chat.state().isEnded()) {
        throw new ClientError(ErrorCode.bad_request, "rating: a chat is rated once it has ended");
      }
      if (chat.outcome().rating() != null) {
        throw new ClientError(ErrorCode.bad_request, "rating: this chat was rated already");
      }
      return chat.edit().outcome(chat.outcome().rated(cmd.rating(), cmd.comment())).build();
    }).map(Done.INSTANCE);
  }

  private Future<Done> transfer(OperatorTransfer cmd) {
    OperatorConfig op = operator(cmd.operatorId());
    if (cmd.targetOperator() != null) {
      return transferToOperator(op, cmd);
    }
    QueueConfig target = directory.queue(cmd.queue())
        .orElseThrow(() -> new ClientError(ErrorCode.unknown_queue, "no queue named " + cmd.queue()));
    return transitions.change(cmd.chatId(), chat -> {
      checkHolder(op, chat);
      return chat.edit().backToWaiting().queue(target.name()).transferredBy(op.id())
          .handover(new Handover(op.id(), op.name(), cmd.note())).build();
    }, (before, after) -> List.of(new ChatEvent(now(), ChatEvent.TRANSFERRED, target.name(), null, cmd.note())))
        .compose(t -> {
      log.info("chat {} transferred by {} to queue {}", t.after().id(), op.id(), target.name());
      return systemMessages.send(t.after(), "Transferring you to " + target.title() + ".")
          .compose(v -> replanner.availability())
          .compose(av -> replanner.replan(t.after().id(), av, false));
    }).onComplete(r -> broadcasts.announcePositions()).map(Done.INSTANCE);
  }

  private Future<Done> transferToOperator(OperatorConfig from, OperatorTransfer cmd) {
    OperatorConfig target = directory.operator(cmd.targetOperator())
        .orElseThrow(() -> new ClientError(ErrorCode.not_found, "no operator " + cmd.targetOperator()));
    if (target.id().equals(from.id())) {
      throw new ClientError(ErrorCode.bad_request, "you already hold this chat");
    }
    // who holds the chat is checked first, so nobody else learns whether the target is available
    return store.chat(cmd.chatId()).compose(held -> {
      if (held == null) {
        throw new ClientError(ErrorCode.not_found, "no such chat");
      }
      checkHolder(from, held);
      return replanner.availability();
    }).compose(av -> {
      if (!av.canTakeMore(target.id())) {
        throw new ClientError(ErrorCode.queue_unavailable, target.name() + " is not available");
      }
      return transitions.change(cmd.chatId(), chat -> {
        checkHolder(from, chat);
        return chat.edit().backToWaiting().state(ChatState.offered).directOperator(target.id())
            .offeredTo(Set.of(target.id())).transferredBy(from.id())
            .handover(new Handover(from.id(), from.name(), cmd.note()))
            .rolloverDueAt(now().plusSeconds(directory.rolloverAfterSeconds(chat.queue()))).build();
      }, (before, after) -> List.of(new ChatEvent(now(), ChatEvent.TRANSFERRED, after.queue(), target.id(),
          cmd.note())));
    }).compose(t -> {
      log.info("chat {} transferred by {} to operator {}", t.after().id(), from.id(), target.id());
      Chat chat = t.after();
      return timers.schedule(TimerKind.ROLLOVER.key(chat.id()), chat.rolloverDueAt())
          .compose(v -> systemMessages.send(chat, "Transferring you to " + target.name() + "."));
    }).onComplete(r -> broadcasts.announcePositions()).map(Done.INSTANCE);
  }

  private Future<SyncFrames> sync(OperatorSync cmd) {
    OperatorConfig op = operator(cmd.operatorId());
    Future<List<String>> held = store.heldChats(op.id()).compose(ids -> {
      List<Future<String>> frames = new ArrayList<>();
      for (String id : ids) {
        frames.add(store.chat(id).compose(announcer::acceptedFrame));
      }
      return Future.all(frames).map(all -> all.<String>list());
    });
    Future<List<String>> statuses = Future.all(replanner.availability(), store.unansweredChats())
        .map(all -> broadcasts.statusFrames(all.resultAt(0), all.resultAt(1)).entrySet().stream()
            .filter(e -> op.queues().contains(e.getKey())).map(Map.Entry::getValue).toList());
    Future<List<String>> offers = store.unansweredChats().map(chats -> chats.stream()
        .filter(c -> c.state() == ChatState.offered && c.offeredTo().contains(op.id()))
        .map(c -> Frames.offer(c, announcer.offeredOn(c, op.id())))
        .toList());
    return Future.all(held, offers, statuses).map(all -> {
      List<String> frames = new ArrayList<>(statuses.result());
      frames.addAll(held.result());
      frames.addAll(offers.result());
      return new SyncFrames(frames);
    });
  }

  /** The messages after {@code afterSeq} of a chat the operator holds, for a console that may have missed some. */
  private Future<MissedMessages> missed(OperatorMissed cmd) {
    return heldChat(cmd.operatorId(), cmd.chatId())
        .compose(chat -> store.messagesAfter(chat.id(), cmd.afterSeq()))
        .map(MissedMessages::new);
  }

  private Future<Done> availabilityChanged(AvailabilityChanged event) {
    Future<Void> graces = store.heldChats(event.operatorId()).compose(ids -> Future.all(ids.stream()
        .map(id -> event.connected() ? store.cancelTimer(TimerKind.OPERATOR_GRACE.key(id)) : sweep.startGrace(id))
        .toList()).mapEmpty());
    return graces.onComplete(r -> replanner.replanAll()).map(Done.INSTANCE);
  }

  private OperatorConfig operator(String id) {
    return directory.operator(id).orElseThrow(() -> new ClientError(ErrorCode.unauthorized, "unknown operator"));
  }

  private static void checkHolder(OperatorConfig op, Chat chat) {
    if (chat.state() != ChatState.active) {
      throw new ClientError(ErrorCode.bad_request, "this chat is not active");
    }
    if (!op.id().equals(chat.operatorId()) && !op.isAdmin()) {
      throw new ClientError(ErrorCode.forbidden, "this chat is held by another operator");
    }
  }

  private Future<Chat> heldChat(String operatorId, String chatId) {
    OperatorConfig op = operator(operatorId);
    return store.chat(chatId).map(chat -> {
      if (chat == null) {
        throw new ClientError(ErrorCode.not_found, "no such chat");
      }
      if (chat.state() != ChatState.active || !op.id().equals(chat.operatorId())) {
        throw new ClientError(ErrorCode.forbidden, "you do not hold this chat");
      }
      return chat;
    });
  }

  // ---- timers ----------------------------------------------------------------------------

  /** What a due timer does to its chat; each is idempotent (timers fire at least once). */
  private Future<?> timerAction(TimerKind kind, String chatId) {
    return switch (kind) {
      case ROLLOVER -> replanner.availability().compose(av -> replanner.replan(chatId, av, true));
      case MAX_WAIT -> transitions.change(chatId, chat -> chat.state() == ChatState.offered
          ? chat.edit().state(ChatState.missed).ended(now(), "timeout").offeredTo(Set.of()).build()
          : chat);
      case GUEST_GRACE -> guestStillConnected(chatId).compose(connected -> connected ? Future.succeededFuture()
          : guestClose(new GuestClose(chatId)));
      case OPERATOR_GRACE -> returnToQueue(chatId);
    };
  }

  /** An operator did not come back in time: their chat goes back to its queue. */
  private Future<?> returnToQueue(String chatId) {
    return replanner.availability().compose(av -> transitions.change(chatId, chat -> chat.state() == ChatState.active
            && !av.isConnected(chat.operatorId()) ? chat.edit().backToWaiting().build() : chat,
            (before, after) -> List.of(new ChatEvent(now(), ChatEvent.RETURNED, after.queue(), before.operatorId()))))
        .compose(t -> t.before() == t.after() ? Future.succeededFuture()
            : systemMessages.send(t.after(), "Finding someone else to help you.")
                .compose(v -> replanner.availability()).compose(av -> replanner.replan(chatId, av, false)))
        .onComplete(r -> broadcasts.announcePositions());
  }

  // ---- compare-and-set ----------------------------------------------------------------------


  private void afterChange(Transition t) {
    Chat before = t.before();
    Chat after = t.after();
    boolean capacityChanged = before.state() == ChatState.active || after.state() == ChatState.active;
    boolean lineChanged = before.state().isUnanswered() != after.state().isUnanswered()
        || !before.queue().equals(after.queue());
    if (lineChanged) {
      broadcasts.announcePositions();
    }
    if (capacityChanged || lineChanged) {
      replanner.replanAll();
    }
    if (after.state().isEnded()) {
      timers.cancel(after.id(), TimerKind.values());
    }
  }
}
