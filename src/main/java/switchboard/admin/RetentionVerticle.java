package switchboard.admin;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import switchboard.record.RecordStore;
import switchboard.record.StateStoreRecord;
import switchboard.store.StateStore;

/**
 * Forgets the messages of chats that ended more than {@code transcripts.retentionDays} ago
 * (0: as soon as they end), from the record and from the state store's copies. The chat records
 * stay, so stats are unchanged; only the transcripts go. Every node runs it; deleting twice is harmless.
 */
public final class RetentionVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(RetentionVerticle.class);

  private final StateStore store;
  private final RecordStore record;
  private final int retentionDays;
  private final Clock clock;
  private final long everyMs;
  private long timer;

  public RetentionVerticle(StateStore store, RecordStore record, int retentionDays, Clock clock) {
    this(store, record, retentionDays, clock, retentionDays == 0 ? 60_000 : 10 * 60_000);
  }

  RetentionVerticle(StateStore store, RecordStore record, int retentionDays, Clock clock, long everyMs) {
    this.store = store;
    this.record = record;
    this.retentionDays = retentionDays;
    this.clock = clock;
    this.everyMs = everyMs;
  }

  @Override
  public Future<?> start() {
    timer = vertx.setPeriodic(everyMs, id -> sweep());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  /** Deletes what is due now; answers how many transcripts went from the record. */
  public Future<Integer> sweep() {
    Instant cutoff = clock.instant().minus(Duration.ofDays(retentionDays));
    // the state store's copies of chats that ended go too (with no separate record, they are the record)
    Future<Integer> hot = record.inStateStore() ? Future.succeededFuture(0)
        : StateStoreRecord.forgetTranscripts(store, cutoff);
    return hot.compose(x -> record.forgetTranscriptsEndedBefore(cutoff)).onSuccess(count -> {
      if (count > 0) {
        log.info("forgot the messages of {} chats that ended before {}", count, cutoff);
      }
    }).onFailure(e -> log.warn("retention sweep failed: {}", e.getMessage()));
  }
}
