package switchboard.routing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import switchboard.bus.EventRelay;
import switchboard.bus.Frames;
import switchboard.config.ChatSettings;
import switchboard.domain.ChatMessage;
import switchboard.domain.ChatState;
import switchboard.presence.PresenceHealth;
import switchboard.store.StateStore;

/**
 * Chats whose people are gone without anyone here hearing them leave: every {@value #SWEEP_MS} ms,
 * once presence is whole (see {@link PresenceHealth}), offers are re-planned (another node's
 * operators expire when that node dies), chats held or asked by people whose node died get their
 * grace, and after the store was away this node's guests are counted in it again.
 */
final class OrphanSweep {
  private static final Logger log = LoggerFactory.getLogger(OrphanSweep.class);
  static final long SWEEP_MS = 2000;

  private final Vertx vertx;
  private final StateStore store;
  private final EventRelay relay;
  private final PresenceHealth presence;
  private final Replanner replanner;
  private final RoutingTimers timers;
  private final SystemMessages systemMessages;
  private final GuestSockets guestSockets;
  private final ChatSettings settings;
  private final Clock clock;
  private final String nodeId;
  /** The recoveries of presence this node has re-asserted its guests after. */
  private long guestsAssertedAt;
  private long timer;

  OrphanSweep(Vertx vertx, StateStore store, EventRelay relay, PresenceHealth presence, Replanner replanner,
      RoutingTimers timers, SystemMessages systemMessages, GuestSockets guestSockets, ChatSettings settings,
      Clock clock, String nodeId) {
    this.vertx = vertx;
    this.store = store;
    this.relay = relay;
    this.presence = presence;
    this.replanner = replanner;
    this.timers = timers;
    this.systemMessages = systemMessages;
    this.guestSockets = guestSockets;
    this.settings = settings;
    this.clock = clock;
    this.nodeId = nodeId;
  }

  void start() {
    timer = vertx.setPeriodic(SWEEP_MS, id -> sweep());
  }

  void stop() {
    vertx.cancelTimer(timer);
  }

  private void sweep() {
    if (!presence.settled()) {
      return;
    }
    if (presence.recoveries() != guestsAssertedAt) {
      reassertGuests(presence.recoveries());
    }
    replanner.replanAll();
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
    Set<String> here = guestSockets.chats();
    store.replaceGuestChats(nodeId, here)
        .onSuccess(gone -> {
          guestsAssertedAt = recovery;
          log.info("guests of {} chats counted on this node again", here.size());
          Instant due = clock.instant().plusSeconds(settings.guestGraceSeconds());
          gone.stream().filter(chatId -> !guestSockets.holds(chatId))
              .forEach(chatId -> timers.schedule(TimerKind.GUEST_GRACE.key(chatId), due));
        })
        .onFailure(e -> log.warn("guests not counted again yet: {}", e.getMessage()));
  }

  /**
   * The store lost its data: guests here are counted again at the next sweep, and those whose chat
   * no longer exists are told it ended (`closed` by "server"), rather than typing into nothing.
   */
  void storeReset() {
    guestsAssertedAt = -1;
    for (String chatId : guestSockets.chats()) {
      store.chat(chatId).onSuccess(chat -> {
        if (chat == null && guestSockets.forget(chatId)) {
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
      Instant due = clock.instant().plusSeconds(settings.guestGraceSeconds());
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
    Future.all(replanner.availability(), store.heldCounts()).onSuccess(all -> {
      Availability av = all.resultAt(0);
      Map<String, Integer> held = all.resultAt(1);
      held.keySet().stream().filter(op -> !av.isConnected(op))
          .forEach(op -> store.heldChats(op).onSuccess(ids -> ids.forEach(this::startGrace)));
    });
  }

  /**
   * The held chat's operator-grace timer, unless one is set already (the sweep and the node
   * that saw the last console close may both get here); the guest is told once, and not again when
   * the chat's last message already says so (a chat put back after a restart, whose operator's
   * console had closed before it: the timer was in the memory that was lost, the message was not).
   */
  Future<Void> startGrace(String chatId) {
    Instant due = clock.instant().plusSeconds(settings.operatorGraceSeconds());
    return store.scheduleTimerIfAbsent(TimerKind.OPERATOR_GRACE.key(chatId), due).compose(set -> {
      if (!set) {
        return Future.succeededFuture();
      }
      timers.arm(due);
      return store.chat(chatId).compose(chat -> {
        if (chat == null || chat.state() != ChatState.active) {
          return Future.succeededFuture();
        }
        String text = chat.operatorName() + " lost their connection; please wait.";
        return store.messagesAfter(chatId, 0).compose(messages -> {
          ChatMessage last = messages.isEmpty() ? null : messages.get(messages.size() - 1);
          return last != null && ChatMessage.FROM_SYSTEM.equals(last.from()) && text.equals(last.text())
              ? Future.succeededFuture()
              : systemMessages.send(chat, text);
        });
      });
    });
  }
}
