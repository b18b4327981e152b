package switchboard.routing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import switchboard.domain.Chat;
import switchboard.domain.ChatState;
import switchboard.domain.Directory;
import switchboard.store.StateStore;

/**
 * Who is offered which waiting chat: one chat's offers re-planned after it changed or its rollover
 * fired, or the whole line after availability or capacity changed (coalesced, one at a time, so a
 * plan never works from an older snapshot than the last one). The plan is {@link OfferPlanner}'s;
 * the change goes through {@link ChatTransitions}; the rollover deadline becomes a timer.
 */
final class Replanner {
  private static final Logger log = LoggerFactory.getLogger(Replanner.class);
  /** A deadline this far past with its chat still unchanged: its timer was lost, so it is set again. */
  private static final Duration OVERDUE = Duration.ofSeconds(2);
  private static final long REPLAN_EVERY_MS = 100;

  private final Directory directory;
  private final StateStore store;
  private final ChatTransitions transitions;
  private final RoutingTimers timers;
  private final QueueBroadcasts broadcasts;
  private final Clock clock;
  private final OfferPlanner planner;
  private final Coalesced line;

  Replanner(Vertx vertx, Directory directory, StateStore store, ChatTransitions transitions, RoutingTimers timers,
      QueueBroadcasts broadcasts, Clock clock) {
    this.directory = directory;
    this.store = store;
    this.transitions = transitions;
    this.timers = timers;
    this.broadcasts = broadcasts;
    this.clock = clock;
    this.planner = new OfferPlanner(directory);
    this.line = new Coalesced(vertx, REPLAN_EVERY_MS, this::replanLine);
  }

  /** Who is connected, available on which queues, and how many chats each holds, now. */
  Future<Availability> availability() {
    return Future.all(store.connectedOperators(), store.heldCounts())
        .map(all -> new Availability(directory, all.resultAt(0), all.resultAt(1), clock.instant()));
  }

  /** Re-plans one chat's offers; {@code widen} when its rollover deadline has passed. */
  Future<Transition> replan(String chatId, Availability av, boolean widen) {
    return replan(chatId, null, av, widen);
  }

  /** As above, starting from {@code known} (a recent read) to save a round trip when it is still current. */
  Future<Transition> replan(String chatId, Chat known, Availability av, boolean widen) {
    OfferPlanner.Plan[] plan = new OfferPlanner.Plan[1];
    return transitions.change(chatId, known, Integer.MAX_VALUE, chat -> {
      plan[0] = widen ? planner.widen(chat, av, clock.instant()) : planner.plan(chat, av, clock.instant());
      return plan[0].chat();
    }, ChatTransitions.NO_REASON).compose(t -> plan[0].rolloverDueAt() == null || (t.before() == t.after() && !widen)
        ? Future.succeededFuture(t)
        : timers.schedule(TimerKind.ROLLOVER.key(chatId), plan[0].rolloverDueAt()).map(t));
  }

  /** Re-plans every unanswered chat soon (see {@link Coalesced}). */
  void replanAll() {
    line.request();
  }

  void stop() {
    line.cancel();
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
    Instant now = clock.instant();
    Instant overdueBefore = now.minus(OVERDUE);
    List<Future<Boolean>> restored = new ArrayList<>();
    for (Chat chat : unanswered) {
      if (chat.state() == ChatState.offered && chat.rolloverDueAt() != null
          && chat.rolloverDueAt().isBefore(overdueBefore) && !chat.widenPending()) {
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
}
