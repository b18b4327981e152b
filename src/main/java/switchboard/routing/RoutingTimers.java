package switchboard.routing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import switchboard.bus.ClientError;
import switchboard.bus.ErrorCode;
import switchboard.presence.PresenceHealth;
import switchboard.store.StateStore;

/**
 * Routing's timers (rollover, max wait, guest and operator grace), kept in the store so any node
 * may fire them: stored with a local Vert.x timer armed for the due time, so one set here fires on
 * time; polled every {@value #POLL_MS} ms as the safety net; claimed in the store, so one node
 * fires each. At least once: a claim is a lease that ends only when the action completes; a failed
 * action is due again in {@value #RETRY_MS} ms. Nothing fires while presence is not whole (see
 * {@link PresenceHealth}).
 */
final class RoutingTimers {
  private static final Logger log = LoggerFactory.getLogger(RoutingTimers.class);
  static final long POLL_MS = 100;
  static final long RETRY_MS = 500;
  private static final long ARM_GRAIN_MS = 5;
  private static final int CLAIM_AT_ONCE = 200;

  private final Vertx vertx;
  private final StateStore store;
  private final PresenceHealth presence;
  private final Clock clock;
  private final BiFunction<TimerKind, String, Future<?>> actions;
  /** Due-time buckets a local Vert.x timer is armed for (see {@link #arm}). */
  private final Set<Long> armedBuckets = new HashSet<>();
  private long pollTimer = -1;
  private boolean failing;

  /** {@code actions}: what a due timer of a kind does to its chat (must be idempotent: it may run twice). */
  RoutingTimers(Vertx vertx, StateStore store, PresenceHealth presence, Clock clock,
      BiFunction<TimerKind, String, Future<?>> actions) {
    this.vertx = vertx;
    this.store = store;
    this.presence = presence;
    this.clock = clock;
    this.actions = actions;
  }

  void start() {
    pollTimer = vertx.setPeriodic(POLL_MS, id -> fireDue());
  }

  void stop() {
    vertx.cancelTimer(pollTimer);
  }

  /** Stores a timer and arms a local Vert.x timer for its due time. */
  Future<Void> schedule(String key, Instant due) {
    return store.scheduleTimer(key, due).onSuccess(v -> arm(due));
  }

  /** One Vert.x timer per {@value #ARM_GRAIN_MS} ms of due time, however many chats share it. */
  void arm(Instant due) {
    long bucket = Math.floorDiv(due.toEpochMilli(), ARM_GRAIN_MS) + 1;
    if (!armedBuckets.add(bucket)) {
      return;
    }
    long delayMs = Math.max(1, bucket * ARM_GRAIN_MS - clock.millis());
    vertx.setTimer(delayMs, id -> {
      armedBuckets.remove(bucket);
      fireDue();
    });
  }

  Future<Void> cancel(String chatId, TimerKind... kinds) {
    List<Future<Void>> steps = new ArrayList<>();
    for (TimerKind kind : kinds) {
      steps.add(store.cancelTimer(kind.key(chatId)));
    }
    return Future.all(steps).mapEmpty();
  }

  private void fireDue() {
    if (!presence.settled()) {
      return; // timers act on presence: they wait until it is whole again (see PresenceHealth)
    }
    store.claimDueTimers(clock.instant(), CLAIM_AT_ONCE)
        .onSuccess(keys -> {
          if (failing) {
            failing = false;
            log.info("timers are read again");
          }
          keys.forEach(this::fire);
        })
        .onFailure(e -> {
          if (!failing) {
            failing = true;
            log.warn("timers not read: {}; retrying every {} ms", e.getMessage(), POLL_MS);
          }
        });
  }

  private void fire(String key) {
    Future<?> done = actions.apply(TimerKind.of(key), TimerKind.chatId(key));
    // at least once: the lease ends only when the action is done; a failed one is due again
    // shortly (or, when the store cannot even take that, when its lease runs out)
    done.onSuccess(v -> store.completeTimer(key))
        .onFailure(e -> {
          if (e instanceof ClientError ce && ce.code == ErrorCode.not_found) {
            store.completeTimer(key); // its chat is gone: nothing left to do
            return;
          }
          log.warn("timer {} failed: {}; due again in {} ms", key, e.getMessage(), RETRY_MS);
          store.releaseTimer(key, clock.instant().plusMillis(RETRY_MS))
              .onFailure(x -> log.warn("timer {} not released ({}); due again when its lease runs out", key,
                  x.getMessage()));
        });
  }
}
