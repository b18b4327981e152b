package switchboard.routing;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
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
import switchboard.bus.Commands.OperatorMessage;
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
import switchboard.domain.ChatEvent;
import switchboard.domain.ChatMessage;
import switchboard.domain.ChatState;
import switchboard.domain.Directory;
import switchboard.domain.Guest;
import switchboard.presence.PresenceHealth;
import switchboard.record.MessageJournal;
import switchboard.store.StateStore;

/**
 * Owns chats: answers the guests' and operators' commands (start, resume, messages, accept,
 * transfer, close, sync), re-plans offers and sweeps for chats whose people are gone. Its parts:
 * every change of a chat goes through {@link ChatTransitions} (compare-and-set in the store, so
 * concurrent commands or nodes cannot both win, then {@link ChatAnnouncer}); who is offered what
 * is {@link OfferPlanner}'s; timers are {@link RoutingTimers}'; what consoles and waiting guests
 * are told about the line is {@link QueueBroadcasts}'; replies by text message {@link SmsReplies}'.
 */
public final class RoutingVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(RoutingVerticle.class);
  /** A deadline this far past with its chat still unchanged: its timer was lost, so it is set again. */
  private static final Duration OVERDUE = Duration.ofSeconds(2);
  private static final long REPLAN_EVERY_MS = 100;
  private static final long SWEEP_MS = 2000;

  private final Directory directory;
  private final StateStore store;
  private final EventRelay relay;
  private final ChatSettings settings;
  private final Clock clock;
  private final OfferPlanner planner;
  private ChatAnnouncer announcer;
  private ChatTransitions transitions;
  private RoutingTimers timers;
  private QueueBroadcasts broadcasts;
  private SmsReplies sms;
  /**
   * Guest sockets this node holds per chat. The store knows which nodes hold some (see
   * {@link StateStore#guestConnected}); when a chat's last one here closes the grace timer is set,
   * and when it fires the chat ends only if no live node holds a socket of its guest.
   */
  private final Map<String, Set<String>> guestSockets = new HashMap<>();
  private final String nodeId;
  private final MessageJournal journal;
  private final PresenceHealth presence;
  /** The recoveries of presence this node has re-asserted its guests after (see {@link #sweep}). */
  private long guestsAssertedAt;
  private Coalesced replans;
  private long sweepTimer;

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
    this.planner = new OfferPlanner(directory);
  }

  @Override
  public Future<?> start() {
    announcer = new ChatAnnouncer(directory, relay, store, vertx.eventBus());
    transitions = new ChatTransitions(store, announcer, clock, this::afterChange);
    timers = new RoutingTimers(vertx, store, presence, clock, this::timerAction);
    broadcasts = new QueueBroadcasts(vertx, directory, store, relay);
    sms = new SmsReplies(vertx.eventBus(), relay);
    replans = new Coalesced(vertx, REPLAN_EVERY_MS, this::replanLine);
    List<MessageConsumer<?>> consumers = new ArrayList<>();
    consumers.add(handle(Addresses.GUEST_START, this::startChat));
    consumers.add(handle(Addresses.GUEST_RESUME, this::resume));
    consumers.add(handle(Addresses.GUEST_CATCH_UP, this::catchUp));
    consumers.add(handle(Addresses.GUEST_MESSAGE, this::guestMessage));
    consumers.add(handle(Addresses.GUEST_TYPING, this::guestTyping));
    consumers.add(handle(Addresses.GUEST_CLOSE, this::guestClose));
    consumers.add(handle(Addresses.GUEST_DETACHED, this::guestDetached));
    consumers.add(handle(Addresses.OPERATOR_ACCEPT, this::accept));
    consumers.add(handle(Addresses.OPERATOR_MESSAGE, this::operatorMessage));
    consumers.add(handle(Addresses.OPERATOR_TYPING, this::operatorTyping));
    consumers.add(handle(Addresses.OPERATOR_TRANSFER, this::transfer));
    consumers.add(handle(Addresses.OPERATOR_CLOSE, this::operatorClose));
    consumers.add(handle(Addresses.OPERATOR_SYNC, this::sync));
    consumers.add(handle(Addresses.AVAILABILITY_CHANGED, this::availabilityChanged));
    consumers.add(vertx.eventBus().<String>consumer(Addresses.STORE_RESET, msg -> storeReset()));
    timers.start();
    // presence can also change without an event here: another node's operators expire
    // when that node dies, so offers are re-planned now and then as well
    sweepTimer = vertx.setPeriodic(SWEEP_MS, id -> sweep());
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
  }

  @Override
  public Future<?> stop() {
    timers.stop();
    vertx.cancelTimer(sweepTimer);
    replans.cancel();
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
    String token = Tokens.newToken();
    Guest guest = new Guest(cmd.name(), cmd.email(), cmd.page(), cmd.phone(), cmd.channel());
    Chat chat = Chat.newChat(cmd.chatId(), guest, Tokens.hash(token), queue.name(), now());
    // the guest's socket and the max-wait timer first: if a later step fails the socket's detach
    // sets the guest grace, and a timer set for a chat whose creation failed fires on nothing,
    // but a chat stored without them would ring for ever, or past its limit
    return attachGuest(chat.id(), cmd.socketId())
        .compose(v -> maxWaitTimer(chat, queue))
        .compose(v -> store.createChat(chat))
        .compose(v -> announcer.recordTimeline(chat,
            List.of(new ChatEvent(chat.createdAt(), ChatEvent.ASKED, queue.name(), null))))
        .map(v -> {
          log.info("chat {} started on {} by guest {}", chat.id(), queue.name(), guest.name());
          // after the reply, so the guest sees `started` before `queued` and the offers
          vertx.runOnContext(x -> {
            // the new chat is planned at once (offered without waiting for a round); the whole
            // line (queue counts, fairness) in the next coalesced round
            availability().compose(av -> replan(chat.id(), av, false))
                .onFailure(e -> log.warn("planning chat {} failed: {}", chat.id(), e.getMessage()));
            replanAll();
            broadcasts.announcePositions();
          });
          return new GuestStarted(chat.id(), token, queue.name());
        });
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
    Set<String> sockets = guestSockets.computeIfAbsent(chatId, k -> new HashSet<>());
    boolean first = sockets.isEmpty();
    sockets.add(socketId);
    return first ? store.setGuestConnected(chatId, nodeId, true) : Future.succeededFuture();
  }

  /**
   * A socket this node attached left: when it was the chat's last here, this node is no longer
   * counted and the guest grace starts (it ends the chat only if no node holds the guest then).
   * A socket never attached (its start or resume failed before) changes nothing.
   */
  private Future<Done> guestDetached(GuestDetached cmd) {
    Set<String> sockets = guestSockets.get(cmd.chatId());
    if (sockets == null || !sockets.remove(cmd.socketId()) || !sockets.isEmpty()) {
      return Future.succeededFuture(Done.INSTANCE);
    }
    guestSockets.remove(cmd.chatId());
    return store.setGuestConnected(cmd.chatId(), nodeId, false)
        .eventually(() -> timers.schedule(TimerKind.GUEST_GRACE.key(cmd.chatId()),
            now().plusSeconds(settings.guestGraceSeconds())))
        .map(Done.INSTANCE);
  }

  /** The guest of a chat whose grace ran out is still here, or on another live node. */
  private Future<Boolean> guestStillConnected(String chatId) {
    return guestSockets.containsKey(chatId) ? Future.succeededFuture(true) : store.guestConnected(chatId);
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
          .offeredTo(Set.of()).directOperator(null).widenPending(false).rolloverDueAt(null).build();
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
    }).onComplete(r -> replanAll());
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
    return transitions.change(cmd.chatId(), chat -> {
      checkHolder(op, chat);
      return chat.edit().state(ChatState.closed).ended(now(), "operator").build();
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
      return chat.edit().backToWaiting().queue(target.name()).transferredBy(op.id()).build();
    }, (before, after) -> List.of(new ChatEvent(now(), ChatEvent.TRANSFERRED, target.name(), null))).compose(t -> {
      log.info("chat {} transferred by {} to queue {}", t.after().id(), op.id(), target.name());
      return systemMessage(t.after(), "Transferring you to " + target.title() + ".")
          .compose(v -> availability())
          .compose(av -> replan(t.after().id(), av, false));
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
      return availability();
    }).compose(av -> {
      if (!av.canTakeMore(target.id())) {
        throw new ClientError(ErrorCode.queue_unavailable, target.name() + " is not available");
      }
      return transitions.change(cmd.chatId(), chat -> {
        checkHolder(from, chat);
        return chat.edit().backToWaiting().state(ChatState.offered).directOperator(target.id())
            .offeredTo(Set.of(target.id())).transferredBy(from.id())
            .rolloverDueAt(now().plusSeconds(directory.rolloverAfterSeconds(chat.queue()))).build();
      }, (before, after) -> List.of(new ChatEvent(now(), ChatEvent.TRANSFERRED, after.queue(), target.id())));
    }).compose(t -> {
      log.info("chat {} transferred by {} to operator {}", t.after().id(), from.id(), target.id());
      Chat chat = t.after();
      return timers.schedule(TimerKind.ROLLOVER.key(chat.id()), chat.rolloverDueAt())
          .compose(v -> systemMessage(chat, "Transferring you to " + target.name() + "."));
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
    Future<List<String>> statuses = Future.all(availability(), store.unansweredChats())
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

  private Future<Done> availabilityChanged(AvailabilityChanged event) {
    Future<Void> graces = store.heldChats(event.operatorId()).compose(ids -> Future.all(ids.stream()
        .map(id -> event.connected() ? store.cancelTimer(TimerKind.OPERATOR_GRACE.key(id)) : startGrace(id))
        .toList()).mapEmpty());
    return graces.onComplete(r -> replanAll()).map(Done.INSTANCE);
  }

  /**
   * Every {@value #SWEEP_MS} ms, once presence is whole (see {@link PresenceHealth}): offers are
   * re-planned (presence can change without an event here: another node's operators expire when
   * that node dies), chats held or asked by people whose node died get their grace, and after the
   * store was away this node's guests are counted in it again.
   */
  private void sweep() {
    if (!presence.settled()) {
      return;
    }
    if (presence.recoveries() != guestsAssertedAt) {
      reassertGuests(presence.recoveries());
    }
    replanAll();
    graceForOrphanedChats();
    graceForGuestsOfDeadNodes();
  }

  /**
   * While this node could not beat, another may have found it dead and forgotten its guests, and
   * a detach's write may have failed: the store is made to count exactly this node's guests
   * again (a grace set meanwhile then finds them here), and the chats whose last socket here
   * closed meanwhile get their grace.
   */
  private void reassertGuests(long recovery) {
    Set<String> here = Set.copyOf(guestSockets.keySet());
    store.replaceGuestChats(nodeId, here)
        .onSuccess(gone -> {
          guestsAssertedAt = recovery;
          log.info("guests of {} chats counted on this node again", here.size());
          Instant due = now().plusSeconds(settings.guestGraceSeconds());
          gone.stream().filter(chatId -> !guestSockets.containsKey(chatId))
              .forEach(chatId -> timers.schedule(TimerKind.GUEST_GRACE.key(chatId), due));
        })
        .onFailure(e -> log.warn("guests not counted again yet: {}", e.getMessage()));
  }

  /**
   * The store lost its data: guests here are counted again at the next sweep, and those whose chat
   * no longer exists are told it ended (`closed` by "server"), rather than typing into nothing.
   */
  private void storeReset() {
    guestsAssertedAt = -1;
    for (String chatId : List.copyOf(guestSockets.keySet())) {
      store.chat(chatId).onSuccess(chat -> {
        if (chat == null && guestSockets.remove(chatId) != null) {
          relay.toGuest(chatId, Frames.closedToGuest("server", Integer.MAX_VALUE));
        }
      });
    }
  }

  /** Guests whose sockets died with their node get the guest grace: if they come back, it is cancelled. */
  private void graceForGuestsOfDeadNodes() {
    store.guestsLeftOnDeadNodes().onSuccess(chats -> {
      if (!chats.isEmpty()) {
        log.info("the guests of {} chats were on a node that stopped: their grace starts", chats.size());
      }
      Instant due = now().plusSeconds(settings.guestGraceSeconds());
      chats.forEach(chatId -> store.scheduleTimerIfAbsent(TimerKind.GUEST_GRACE.key(chatId), due)
          .onSuccess(set -> timers.arm(due)));
    }).onFailure(e -> log.warn("guests of stopped nodes not checked: {}", e.getMessage()));
  }

  /**
   * Chats held by an operator who is connected nowhere get the operator-grace timer, once, as if
   * their console had just closed: the usual path (their node hears the last console close) is
   * missed when that node dies with the console, or when it closed while the store was away.
   * Without this such a chat stayed held and its guest waited until the operator came back.
   */
  private void graceForOrphanedChats() {
    Future.all(availability(), store.heldCounts()).onSuccess(all -> {
      Availability av = all.resultAt(0);
      Map<String, Integer> held = all.resultAt(1);
      held.keySet().stream().filter(op -> !av.isConnected(op))
          .forEach(op -> store.heldChats(op).onSuccess(ids -> ids.forEach(this::startGrace)));
    });
  }

  /**
   * The held chat's operator-grace timer, unless one is set already (the sweep and the node
   * that saw the last console close may both get here); the guest is told once.
   */
  private Future<Void> startGrace(String chatId) {
    Instant due = now().plusSeconds(settings.operatorGraceSeconds());
    return store.scheduleTimerIfAbsent(TimerKind.OPERATOR_GRACE.key(chatId), due).compose(set -> {
      if (!set) {
        return Future.succeededFuture();
      }
      timers.arm(due);
      return store.chat(chatId).compose(chat -> chat == null || chat.state() != ChatState.active
          ? Future.succeededFuture()
          : systemMessage(chat, chat.operatorName() + " lost their connection; please wait."));
    });
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

  private Future<Void> systemMessage(Chat chat, String text) {
    return store.appendMessage(chat.id(), ChatMessage.FROM_SYSTEM, null, text, now(), null)
        .compose(m -> journal.write(chat.id(), m, null).map(m))
        .map(m -> {
          relay.toGuest(chat.id(), Frames.messageToGuest(m));
          return (Void) null;
        });
  }

  // ---- timers ----------------------------------------------------------------------------

  /** What a due timer does to its chat; each is idempotent (timers fire at least once). */
  private Future<?> timerAction(TimerKind kind, String chatId) {
    return switch (kind) {
      case ROLLOVER -> availability().compose(av -> replan(chatId, av, true));
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
    return availability().compose(av -> transitions.change(chatId, chat -> chat.state() == ChatState.active
            && !av.isConnected(chat.operatorId()) ? chat.edit().backToWaiting().build() : chat,
            (before, after) -> List.of(new ChatEvent(now(), ChatEvent.RETURNED, after.queue(), before.operatorId()))))
        .compose(t -> t.before() == t.after() ? Future.succeededFuture()
            : systemMessage(t.after(), "Finding someone else to help you.")
                .compose(v -> availability()).compose(av -> replan(chatId, av, false)))
        .onComplete(r -> broadcasts.announcePositions());
  }

  // ---- offers ------------------------------------------------------------------------------

  private Future<Availability> availability() {
    return Future.all(store.connectedOperators(), store.heldCounts())
        .map(all -> new Availability(directory, all.resultAt(0), all.resultAt(1), now()));
  }

  /** Re-plans one chat's offers; {@code widen} when its rollover deadline has passed. */
  private Future<Transition> replan(String chatId, Availability av, boolean widen) {
    return replan(chatId, null, av, widen);
  }

  /** As above, starting from {@code known} (a recent read) to save a round trip when it is still current. */
  private Future<Transition> replan(String chatId, Chat known, Availability av, boolean widen) {
    OfferPlanner.Plan[] plan = new OfferPlanner.Plan[1];
    return transitions.change(chatId, known, Integer.MAX_VALUE, chat -> {
      plan[0] = widen ? planner.widen(chat, av, now()) : planner.plan(chat, av, now());
      return plan[0].chat();
    }, ChatTransitions.NO_REASON).compose(t -> plan[0].rolloverDueAt() == null || (t.before() == t.after() && !widen)
        ? Future.succeededFuture(t)
        : timers.schedule(TimerKind.ROLLOVER.key(chatId), plan[0].rolloverDueAt()).map(t));
  }

  /**
   * Re-plans every unanswered chat after availability or capacity changed. Runs one at a
   * time and coalesces bursts (see {@link Coalesced}), so a plan never works from an older
   * snapshot than the last one.
   */
  private void replanAll() {
    replans.request();
  }

  private Future<?> replanLine() {
    return Future.all(availability(), store.unansweredChats()).compose(all -> {
      Availability av = all.resultAt(0);
      List<Chat> chats = all.resultAt(1);
      broadcasts.announceAvailability(av);
      broadcasts.announceStatus(av, chats);
      Future<?> chain = Future.succeededFuture();
      for (Chat chat : chats) {
        chain = chain.eventually(() -> replan(chat.id(), chat, av, false));
      }
      return chain.eventually(() -> restoreLostTimers(chats));
    }).onFailure(e -> log.warn("re-planning offers failed: {}", e.getMessage()));
  }

  /**
   * A chat's deadlines are kept in the chat itself, so a timer that never got written (the store
   * failed between the chat's write and the timer's) is set again, due now, once its deadline is
   * {@link #OVERDUE}: firing is idempotent, so one that was merely late fires only once.
   */
  private Future<?> restoreLostTimers(List<Chat> unanswered) {
    Instant now = now();
    Instant overdueBefore = now.minus(OVERDUE);
    List<Future<Boolean>> restored = new ArrayList<>();
    for (Chat chat : unanswered) {
      if (chat.state() == ChatState.offered && chat.rolloverDueAt() != null && chat.rolloverDueAt().isBefore(overdueBefore) && !chat.widenPending()) {
        restored.add(store.scheduleTimerIfAbsent(TimerKind.ROLLOVER.key(chat.id()), now));
      }
    }
    return Future.join(restored).onSuccess(x -> {
      long count = restored.stream().filter(f -> Boolean.TRUE.equals(f.result())).count();
      if (count > 0) {
        log.warn("{} overdue timers were missing and are set again", count);
      }
    });
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
      replanAll();
    }
    if (after.state().isEnded()) {
      timers.cancel(after.id(), TimerKind.values());
    }
  }
}
