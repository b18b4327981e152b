package switchboard.routing;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
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
import switchboard.bus.Commands.SmsSend;
import switchboard.bus.Commands.SyncFrames;
import switchboard.bus.ErrorCode;
import switchboard.bus.EventRelay;
import switchboard.bus.Frames;
import switchboard.config.ChatSettings;
import switchboard.config.OperatorConfig;
import switchboard.config.QueueConfig;
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
 * Owns chats: start, offers, accept, rollover timers, transfer, close, and the relay of
 * messages between the guest and the operator who holds the chat. Every change of a chat
 * is a compare-and-set in the store, so concurrent commands (or nodes) cannot both win.
 */
public final class RoutingVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(RoutingVerticle.class);
  private static final long TIMER_POLL_MS = 100;
  /** A timer whose action failed is due again this much later. */
  private static final long TIMER_RETRY_MS = 500;
  /** A deadline this far past with its chat still unchanged: its timer was lost, so it is set again. */
  private static final Duration OVERDUE = Duration.ofSeconds(2);
  private static final long ARM_GRAIN_MS = 5;
  private static final long POSITIONS_EVERY_MS = 250;
  private static final long REPLAN_EVERY_MS = 100;
  private static final int MAX_CAS_TRIES = 20;
  private static final long SWEEP_MS = 2000;
  private static final String AT_CAPACITY = "you already hold as many chats as you may";

  private final Directory directory;
  private final StateStore store;
  private final EventRelay relay;
  private final ChatSettings settings;
  private final Clock clock;
  private final OfferPlanner planner;
  private ChatAnnouncer announcer;
  private final WaitEstimator waits = new WaitEstimator();
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
  /** Due-time buckets a local Vert.x timer is armed for (see {@link #armLocalTimer}). */
  private final Set<Long> armedBuckets = new HashSet<>();
  /** The place in line this node last sent each waiting guest (see {@link #announcePositions}). */
  private Map<String, Integer> lastPositions = new HashMap<>();
  private Coalesced positions;
  private Coalesced replans;
  private Map<String, Boolean> lastQueueAvailability = Map.of();
  private Map<String, String> lastQueueStatus = Map.of();
  private long pollTimer;
  private long sweepTimer;
  private boolean timersFailing;

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
    positions = new Coalesced(vertx, POSITIONS_EVERY_MS, this::sendPositions);
    replans = new Coalesced(vertx, REPLAN_EVERY_MS, this::replanLine);
    Map<String, Boolean> nobodyYet = new LinkedHashMap<>();
    directory.queues().forEach(q -> nobodyYet.put(q.name(), false));
    lastQueueAvailability = nobodyYet;
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
    pollTimer = vertx.setPeriodic(TIMER_POLL_MS, id -> fireDueTimers());
    // presence can also change without an event here: another node's operators expire
    // when that node dies, so offers are re-planned now and then as well
    sweepTimer = vertx.setPeriodic(SWEEP_MS, id -> sweep());
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(pollTimer);
    vertx.cancelTimer(sweepTimer);
    replans.cancel();
    positions.cancel();
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
            announcePositions();
          });
          return new GuestStarted(chat.id(), token, queue.name());
        });
  }

  private Future<Void> maxWaitTimer(Chat chat, QueueConfig queue) {
    if (queue.maxWaitSeconds() == null) {
      return Future.succeededFuture();
    }
    return scheduleTimer(TimerKind.MAX_WAIT.key(chat.id()), chat.createdAt().plusSeconds(queue.maxWaitSeconds()));
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
              forgetPosition(chat.id());
              announcePositions();
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
    return change(cmd.chatId(), chat -> {
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
        .eventually(() -> scheduleTimer(TimerKind.GUEST_GRACE.key(cmd.chatId()),
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
    return change(cmd.chatId(), op.maxChats(), chat -> {
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
      waits.recordAnswered(chat.queue(), Duration.between(chat.waitingSince(), chat.acceptedAt()).toSeconds());
      return cancelTimers(chat.id(), TimerKind.ROLLOVER, TimerKind.MAX_WAIT);
    }).recover(e -> e instanceof ClientError ce && AT_CAPACITY.equals(ce.getMessage())
        ? withdrawFrom(cmd.chatId(), op.id()).transform(x -> Future.failedFuture(e))
        : Future.failedFuture(e)).map(Done.INSTANCE);
  }

  /**
   * The operator filled up between the offer and their accept: the offer is withdrawn from
   * them (so their console stops showing what they cannot take) and comes back as a new
   * offer when they have room again.
   */
  private Future<?> withdrawFrom(String chatId, String operatorId) {
    return change(chatId, chat -> {
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
                  .onSuccess(chat -> textToGuest(chat, cmd.operatorId(), m))
                  .onFailure(e -> notTexted(cmd.operatorId(), cmd.chatId(), m, e));
            }
            return new Ack(cmd.chatId(), cmd.clientId(), m.seq());
          });
        });
  }

  /** The reply goes out by text message; if the provider refuses it for good, the operator is told. */
  private void textToGuest(Chat chat, String operatorId, ChatMessage m) {
    vertx.eventBus().request(Addresses.SMS_SEND,
            new SmsSend(chat.id(), operatorId, chat.guest().phone(), chat.queue(), m.text(), m.seq()),
            new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(60_000))
        .onFailure(e -> notTexted(operatorId, chat.id(), m, e));
  }

  private void notTexted(String operatorId, String chatId, ChatMessage m, Throwable e) {
    relay.toOperator(operatorId, new JsonObject(Frames.error(ErrorCode.unavailable,
            "message " + m.seq() + " was not delivered to the guest's phone: " + ClientError.from(e).getMessage()))
        .put("chatId", chatId).put("seq", m.seq()).encode());
  }

  private Future<Done> operatorTyping(OperatorTyping cmd) {
    return heldChat(cmd.operatorId(), cmd.chatId()).map(chat -> {
      relay.toGuest(chat.id(), Frames.typingToGuest(cmd.typing()));
      return Done.INSTANCE;
    });
  }

  private Future<Done> operatorClose(OperatorClose cmd) {
    OperatorConfig op = operator(cmd.operatorId());
    return change(cmd.chatId(), chat -> {
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
    return change(cmd.chatId(), chat -> {
      checkHolder(op, chat);
      return chat.edit().backToWaiting().queue(target.name()).transferredBy(op.id()).build();
    }, (before, after) -> List.of(new ChatEvent(now(), ChatEvent.TRANSFERRED, target.name(), null))).compose(t -> {
      log.info("chat {} transferred by {} to queue {}", t.after().id(), op.id(), target.name());
      return systemMessage(t.after(), "Transferring you to " + target.title() + ".")
          .compose(v -> availability())
          .compose(av -> replan(t.after().id(), av, false));
    }).onComplete(r -> announcePositions()).map(Done.INSTANCE);
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
      return change(cmd.chatId(), chat -> {
        checkHolder(from, chat);
        return chat.edit().backToWaiting().state(ChatState.offered).directOperator(target.id())
            .offeredTo(Set.of(target.id())).transferredBy(from.id())
            .rolloverDueAt(now().plusSeconds(directory.rolloverAfterSeconds(chat.queue()))).build();
      }, (before, after) -> List.of(new ChatEvent(now(), ChatEvent.TRANSFERRED, after.queue(), target.id())));
    }).compose(t -> {
      log.info("chat {} transferred by {} to operator {}", t.after().id(), from.id(), target.id());
      Chat chat = t.after();
      return scheduleTimer(TimerKind.ROLLOVER.key(chat.id()), chat.rolloverDueAt())
          .compose(v -> systemMessage(chat, "Transferring you to " + target.name() + "."));
    }).onComplete(r -> announcePositions()).map(Done.INSTANCE);
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
        .map(all -> queueStatusFrames(all.resultAt(0), all.resultAt(1)).entrySet().stream()
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
              .forEach(chatId -> scheduleTimer(TimerKind.GUEST_GRACE.key(chatId), due));
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
          .onSuccess(set -> armLocalTimer(due)));
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
      armLocalTimer(due);
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

  /**
   * Stores a timer (any node may fire it: the poll every {@value #TIMER_POLL_MS} ms is the safety
   * net) and arms a local Vert.x timer for its due time, so a timer set on this node fires on
   * time rather than up to one poll late. The claim in the store decides who fires it.
   */
  private Future<Void> scheduleTimer(String key, Instant due) {
    return store.scheduleTimer(key, due).onSuccess(v -> armLocalTimer(due));
  }

  /** One Vert.x timer per {@value #ARM_GRAIN_MS} ms of due time, however many chats share it. */
  private void armLocalTimer(Instant due) {
    long bucket = Math.floorDiv(due.toEpochMilli(), ARM_GRAIN_MS) + 1;
    if (!armedBuckets.add(bucket)) {
      return;
    }
    long delayMs = Math.max(1, bucket * ARM_GRAIN_MS - now().toEpochMilli());
    vertx.setTimer(delayMs, id -> {
      armedBuckets.remove(bucket);
      fireDueTimers();
    });
  }

  private void fireDueTimers() {
    if (!presence.settled()) {
      return; // timers act on presence: they wait until it is whole again (see PresenceHealth)
    }
    store.claimDueTimers(now(), 200)
        .onSuccess(keys -> {
          if (timersFailing) {
            timersFailing = false;
            log.info("timers are read again");
          }
          keys.forEach(this::fire);
        })
        .onFailure(e -> {
          if (!timersFailing) {
            timersFailing = true;
            log.warn("timers not read: {}; retrying every {} ms", e.getMessage(), TIMER_POLL_MS);
          }
        });
  }

  private void fire(String key) {
    TimerKind kind = TimerKind.of(key);
    String chatId = TimerKind.chatId(key);
    Future<?> done = switch (kind) {
      case ROLLOVER -> availability().compose(av -> replan(chatId, av, true));
      case MAX_WAIT -> change(chatId, chat -> chat.state() == ChatState.offered
          ? chat.edit().state(ChatState.missed).ended(now(), "timeout").offeredTo(Set.of()).build()
          : chat);
      case GUEST_GRACE -> guestStillConnected(chatId).compose(connected -> connected ? Future.succeededFuture()
          : guestClose(new GuestClose(chatId)));
      case OPERATOR_GRACE -> returnToQueue(chatId);
    };
    // at least once: the lease ends only when the action is done; a failed one is due again
    // shortly (or, when the store cannot even take that, when its lease runs out)
    done.onSuccess(v -> store.completeTimer(key))
        .onFailure(e -> {
          if (e instanceof ClientError ce && ce.code == ErrorCode.not_found) {
            store.completeTimer(key); // its chat is gone: nothing left to do
            return;
          }
          log.warn("timer {} failed: {}; due again in {} ms", key, e.getMessage(), TIMER_RETRY_MS);
          store.releaseTimer(key, now().plusMillis(TIMER_RETRY_MS))
              .onFailure(x -> log.warn("timer {} not released ({}); due again when its lease runs out", key,
                  x.getMessage()));
        });
  }

  /** An operator did not come back in time: their chat goes back to its queue. */
  private Future<?> returnToQueue(String chatId) {
    return availability().compose(av -> change(chatId, chat -> chat.state() == ChatState.active
            && !av.isConnected(chat.operatorId()) ? chat.edit().backToWaiting().build() : chat,
            (before, after) -> List.of(new ChatEvent(now(), ChatEvent.RETURNED, after.queue(), before.operatorId()))))
        .compose(t -> t.before() == t.after() ? Future.succeededFuture()
            : systemMessage(t.after(), "Finding someone else to help you.")
                .compose(v -> availability()).compose(av -> replan(chatId, av, false)))
        .onComplete(r -> announcePositions());
  }

  private Future<Void> cancelTimers(String chatId, TimerKind... kinds) {
    List<Future<Void>> steps = new ArrayList<>();
    for (TimerKind kind : kinds) {
      steps.add(store.cancelTimer(kind.key(chatId)));
    }
    return Future.all(steps).mapEmpty();
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
    return change(chatId, known, Integer.MAX_VALUE, chat -> {
      plan[0] = widen ? planner.widen(chat, av, now()) : planner.plan(chat, av, now());
      return plan[0].chat();
    }, NO_REASON).compose(t -> plan[0].rolloverDueAt() == null || (t.before() == t.after() && !widen)
        ? Future.succeededFuture(t)
        : scheduleTimer(TimerKind.ROLLOVER.key(chatId), plan[0].rolloverDueAt()).map(t));
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
      announceQueueAvailability(av);
      announceQueueStatus(av, chats);
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

  private void announceQueueAvailability(Availability av) {
    Map<String, Boolean> now = new LinkedHashMap<>();
    directory.queues().forEach(q -> now.put(q.name(), av.isAvailable(q.name())));
    now.forEach((queue, available) -> {
      if (!available.equals(lastQueueAvailability.get(queue))) {
        // each node tells its own consoles (every node re-plans at least every sweep), so a
        // console hears each change once rather than once per node
        String frame = Frames.presence(queue, available);
        directory.operators().stream().filter(o -> o.queues().contains(queue))
            .forEach(o -> vertx.eventBus().publish(Addresses.toOperator(o.id()), frame));
      }
    });
    lastQueueAvailability = now;
  }

  /** queue → its `queue_status` frame, as consoles show it. */
  private Map<String, String> queueStatusFrames(Availability av, List<Chat> unanswered) {
    Map<String, Integer> waiting = new HashMap<>();
    unanswered.forEach(c -> waiting.merge(c.queue(), 1, Integer::sum));
    Map<String, String> frames = new LinkedHashMap<>();
    for (QueueConfig queue : directory.queues()) {
      List<JsonObject> operators = av.operatorsOn(queue.name()).stream()
          .map(id -> new JsonObject().put("id", id).put("name", directory.operator(id).map(OperatorConfig::name).orElse(id)))
          .toList();
      frames.put(queue.name(), Frames.queueStatus(queue.name(), !operators.isEmpty(), operators,
          waiting.getOrDefault(queue.name(), 0)));
    }
    return frames;
  }

  /** Like presence: each node tells its own consoles what changed since it last looked. */
  private void announceQueueStatus(Availability av, List<Chat> unanswered) {
    Map<String, String> now = queueStatusFrames(av, unanswered);
    now.forEach((queue, frame) -> {
      if (!frame.equals(lastQueueStatus.get(queue))) {
        directory.operators().stream().filter(o -> o.queues().contains(queue))
            .forEach(o -> vertx.eventBus().publish(Addresses.toOperator(o.id()), frame));
      }
    });
    lastQueueStatus = now;
  }

  /**
   * Tells waiting guests their place in line, coalesced (see {@link Coalesced}); a guest is sent
   * a frame only when their place differs from what this node last sent them. With 20,000
   * guests waiting, announcing everyone on every start made the ramp quadratic.
   */
  private void announcePositions() {
    positions.request();
  }

  /** The next announcement sends this guest their place even if it did not change (a new socket). */
  private void forgetPosition(String chatId) {
    lastPositions.remove(chatId);
  }

  private Future<?> sendPositions() {
    return store.unansweredChats().onSuccess(chats -> {
      Map<String, Integer> places = new HashMap<>();
      Map<String, Integer> sent = new HashMap<>(chats.size() * 2);
      for (Chat chat : chats) {
        int position = places.merge(chat.queue(), 1, Integer::sum);
        sent.put(chat.id(), position);
        Integer before = lastPositions.get(chat.id());
        if (before == null || before != position) {
          relay.toGuest(chat.id(), Frames.queued(position, waits.estimateSeconds(chat.queue(), position)));
        }
      }
      lastPositions = sent;
    }).onFailure(e -> lastPositions = new HashMap<>()); // unknown what reached whom: send all next time
  }

  // ---- compare-and-set ----------------------------------------------------------------------

  record Transition(Chat before, Chat after) {}

  /** Reasons a command gives for its change, recorded in the timeline before the derived steps. */
  private static final BiFunction<Chat, Chat, List<ChatEvent>> NO_REASON = (before, after) -> List.of();

  private Future<Transition> change(String chatId, Function<Chat, Chat> edit) {
    return change(chatId, null, Integer.MAX_VALUE, edit, NO_REASON);
  }

  private Future<Transition> change(String chatId, Function<Chat, Chat> edit,
      BiFunction<Chat, Chat, List<ChatEvent>> why) {
    return change(chatId, null, Integer.MAX_VALUE, edit, why);
  }

  private Future<Transition> change(String chatId, int capacity, Function<Chat, Chat> edit) {
    return change(chatId, null, capacity, edit, NO_REASON);
  }

  /**
   * Applies {@code edit} to the stored chat with compare-and-set, retrying on a concurrent
   * change, then announces the result. {@code edit} may throw a {@link ClientError} or
   * return the chat unchanged.
   */
  private Future<Transition> change(String chatId, Chat known, int capacity, Function<Chat, Chat> edit,
      BiFunction<Chat, Chat, List<ChatEvent>> why) {
    return attempt(chatId, known, capacity, edit, 1).onSuccess(t -> {
      announcer.announce(t.before(), t.after(), now(),
          t.before() == t.after() ? List.of() : why.apply(t.before(), t.after()));
      if (t.before() != t.after()) {
        afterChange(t);
      }
    });
  }

  private Future<Transition> attempt(String chatId, Chat known, int capacity, Function<Chat, Chat> edit, int tries) {
    Future<Chat> current = known != null ? Future.succeededFuture(known) : store.chat(chatId);
    return current.compose(before -> {
      if (before == null) {
        return Future.failedFuture(new ClientError(ErrorCode.not_found, "no such chat"));
      }
      Chat after = edit.apply(before);
      if (after == before) {
        return Future.succeededFuture(new Transition(before, before));
      }
      return store.replaceChat(before, after, capacity).compose(result -> switch (result) {
        case REPLACED -> Future.succeededFuture(new Transition(before, after));
        case AT_CAPACITY -> Future.failedFuture(
            new ClientError(ErrorCode.forbidden, AT_CAPACITY));
        case STALE -> tries < MAX_CAS_TRIES ? attempt(chatId, null, capacity, edit, tries + 1)
            : Future.failedFuture(new IllegalStateException("chat " + chatId + " kept changing"));
      });
    });
  }

  private void afterChange(Transition t) {
    Chat before = t.before();
    Chat after = t.after();
    boolean capacityChanged = before.state() == ChatState.active || after.state() == ChatState.active;
    boolean lineChanged = before.state().isUnanswered() != after.state().isUnanswered()
        || !before.queue().equals(after.queue());
    if (lineChanged) {
      announcePositions();
    }
    if (capacityChanged || lineChanged) {
      replanAll();
    }
    if (after.state().isEnded()) {
      cancelTimers(after.id(), TimerKind.values());
    }
  }
}
