package switchboard.admin;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import switchboard.domain.Chat;
import switchboard.store.StateStore;

/**
 * Forgets the messages of chats that ended more than {@code transcripts.retentionDays} ago
 * (0: as soon as they end). The chat records stay, so stats are unchanged; only the
 * transcripts go. Every node runs it; deleting twice is harmless.
 */
public final class RetentionVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(RetentionVerticle.class);
  /** How far back each sweep looks past the retention period; older chats were swept before. */
  static final Duration LOOK_BACK = Duration.ofDays(40);

  private final StateStore store;
  private final int retentionDays;
  private final Clock clock;
  private final long everyMs;
  private long timer;

  public RetentionVerticle(StateStore store, int retentionDays, Clock clock) {
    this(store, retentionDays, clock, retentionDays == 0 ? 60_000 : 10 * 60_000);
  }

  RetentionVerticle(StateStore store, int retentionDays, Clock clock, long everyMs) {
    this.store = store;
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

  /** Deletes what is due now; answers how many transcripts went. */
  public Future<Integer> sweep() {
    Instant cutoff = clock.instant().minus(Duration.ofDays(retentionDays));
    return store.chatsCreatedBetween(cutoff.minus(LOOK_BACK), cutoff.plusMillis(1)).compose(chats -> {
      List<Future<Void>> deletions = new ArrayList<>();
      for (Chat chat : chats) {
        if (chat.state().isEnded() && chat.endedAt() != null && !chat.endedAt().isAfter(cutoff)) {
          deletions.add(store.deleteTranscript(chat.id()));
        }
      }
      return Future.all(deletions).map(all -> {
        if (!deletions.isEmpty()) {
          log.info("forgot the messages of {} chats that ended before {}", deletions.size(), cutoff);
        }
        return deletions.size();
      });
    }).onFailure(e -> log.warn("retention sweep failed: {}", e.getMessage()));
  }
}
