package switchboard.presence;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Whether the presence in the store can be trusted by sweeps and timers (issue 14, defect 5).
 * Presence keys expire; after the store was away (from this node) longer than that, it holds
 * nobody until every node has beaten again. So after a failed heartbeat, sweeps and timers wait
 * until this node's heartbeat has succeeded again and {@code settle} has passed, time for the
 * other nodes, which beat fast while they fail, to re-assert theirs. A node that just started
 * waits the same way. Shared by the presence verticle (which reports beats) and routing.
 */
public final class PresenceHealth {
  private final Clock clock;
  private final Duration settle;
  /** When the first heartbeat after the last failure (or since start) succeeded; null: none yet. */
  private Instant reassertedAt;
  /** How often presence came back after failing; whoever re-asserts more on recovery compares it. */
  private long recoveries;

  public PresenceHealth(Clock clock, Duration settle) {
    this.clock = clock;
    this.settle = settle;
  }

  synchronized void beatSucceeded() {
    if (reassertedAt == null) {
      reassertedAt = clock.instant();
      recoveries++;
    }
  }

  /** Counts the times presence came back (the first beat after start included). */
  public synchronized long recoveries() {
    return recoveries;
  }

  synchronized void beatFailed() {
    reassertedAt = null;
  }

  /** Presence in the store is whole again: sweeps and timers may act on it. */
  public synchronized boolean settled() {
    return reassertedAt != null && !clock.instant().isBefore(reassertedAt.plus(settle));
  }
}
