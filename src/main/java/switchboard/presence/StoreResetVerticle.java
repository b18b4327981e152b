package switchboard.presence;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import switchboard.auth.Tokens;
import switchboard.bus.Addresses;
import switchboard.domain.Directory;
import switchboard.store.DirectoryDoc;
import switchboard.record.RecordStore;
import switchboard.store.StateStore;

/**
 * Notices that the store lost its data (Redis restarted without persistence: the epoch marker
 * this node saw is gone or another) and puts back what nodes hold: the newest set-up any live
 * node has (a node writes its own only over an older or missing one, so an older config file
 * never wins over admins' later changes), then a new marker, then tells this node's components
 * ({@link Addresses#STORE_RESET}) to put back presence, consoles' sessions and guests. Sweeps
 * and timers wait meanwhile (see {@link PresenceHealth}).
 */
public final class StoreResetVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(StoreResetVerticle.class);
  /** The marker: a random id written once into an empty store, and kept for as long as its data. */
  public static final String EPOCH_KEY = "epoch";
  private static final Duration EPOCH_TTL = Duration.ofDays(36_500);
  static final long CHECK_MS = 1_000;

  private final StateStore store;
  private final RecordStore record;
  private final Directory directory;
  private final PresenceHealth health;
  private String epoch;
  private long timer;
  private boolean checking;

  public StoreResetVerticle(StateStore store, RecordStore record, Directory directory, PresenceHealth health) {
    this.store = store;
    this.record = record;
    this.directory = directory;
    this.health = health;
  }

  @Override
  public Future<?> start() {
    timer = vertx.setPeriodic(CHECK_MS, id -> check());
    // the store answered at start (the set-up was loaded from it): a failure here is retried by check()
    return adoptEpoch().otherwiseEmpty();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  /** Writes a marker unless the store has one, and remembers the one it has. */
  private Future<Void> adoptEpoch() {
    return store.putIfAbsent(EPOCH_KEY, Tokens.newId(), EPOCH_TTL)
        .compose(x -> store.value(EPOCH_KEY))
        .map(value -> {
          epoch = value;
          return null;
        });
  }

  private void check() {
    if (checking) {
      return;
    }
    checking = true;
    store.value(EPOCH_KEY)
        .compose(now -> epoch == null ? adoptEpoch()
            : epoch.equals(now) ? Future.<Void>succeededFuture() : putBack(now))
        .onComplete(r -> checking = false)
        .onFailure(e -> log.debug("store marker not checked: {}", e.getMessage()));
  }

  private Future<Void> putBack(String found) {
    log.warn("the store lost its data (marker {}): putting back the set-up (version {}), presence, sessions "
        + "and guests", found == null ? "gone" : "changed", directory.version());
    health.presenceLost(); // sweeps and timers wait until presence is put back and settled
    return reseed().compose(v -> adoptEpoch()).map(v -> {
      vertx.eventBus().publish(Addresses.STORE_RESET, "");
      health.presenceLost(); // and the settling starts again after what STORE_RESET puts back
      log.info("put back into the store: set-up version {}", directory.version());
      return null;
    });
  }

  /** This node's set-up goes in unless the store has one at least as new (another node's, maybe newer). */
  private Future<Void> reseed() {
    DirectoryDoc mine = new DirectoryDoc(directory.version(), directory.queues(), directory.operators(),
        directory.smsNumbers());
    return record.directory().compose(stored -> {
      if (stored != null && stored.version() >= mine.version()) {
        return Future.succeededFuture();
      }
      return record.replaceDirectory(stored == null ? 0 : stored.version(), mine)
          .compose(written -> written ? Future.<Void>succeededFuture() : reseed());
    });
  }
}
