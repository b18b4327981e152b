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
 * waits the same way.
 *
 * <p>A short outage needs no settling: when the heartbeat works again within {@code keysOutlive}
 * of the last one that worked, no presence key (this node's nor, as the others beat at least as
 * often, theirs) can have expired, so timers due during the outage fire as soon as the store
 * answers. A store that lost its data ({@link #presenceLost}) always settles.
 * Shared by the presence verticle (which reports beats) and routing.
 */
public final class PresenceHealth {
  private final Clock clock;
  private final Duration settle;
  private final Duration keysOutlive;
  /** When the first heartbeat after the last failure (or since start) succeeded; null: none yet. */
  private Instant reassertedAt;
  /** When a heartbeat last succeeded while presence was whole; null: never, or presence was lost. */
  private Instant lastBeat;
  /** How often presence came back after failing; whoever re-asserts more on recovery compares it. */
  private long recoveries;

  /**
   * @param settle how long after its first good beat a node waits for the others' beats
   * @param keysOutlive how long after a good beat every node's presence keys surely still exist
   *     (the keys' expiry less the slowest heartbeat and a margin)
   */
  public PresenceHealth(Clock clock, Duration settle, Duration keysOutlive) {
    this.clock = clock;
    this.settle = settle;
    this.keysOutlive = keysOutlive;
  }

  synchronized void beatSucceeded() {
    Instant now = clock.instant();
    if (reassertedAt == null) {
      boolean keysKept = lastBeat != null && now.isBefore(lastBeat.plus(keysOutlive));
      reassertedAt = keysKept ? now.minus(settle) : now;
      recoveries++;
    }
    lastBeat = now;
  }

  /** Counts the times presence came back (the first beat after start included). */
  public synchronized long recoveries() {
    return recoveries;
  }

  synchronized void beatFailed() {
    reassertedAt = null;
  }

  /** The store lost its presence (its data): the next recovery settles whatever its length. */
  synchronized void presenceLost() {
    reassertedAt = null;
    lastBeat = null;
  }

  /** Presence in the store is whole again: sweeps and timers may act on it. */
  public synchronized boolean settled() {
    return reassertedAt != null && !clock.instant().isBefore(reassertedAt.plus(settle));
  }
}
