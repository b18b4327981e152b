package switchboard.admin;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import switchboard.bus.Addresses;
import switchboard.domain.Directory;
import switchboard.record.RecordStore;

/**
 * Keeps this node's queues and operators at the store's version: reloads when any node
 * announces a change, and checks now and then in case an announcement was missed (a node
 * cut off from Redis for a moment misses pub/sub messages).
 */
public final class DirectorySyncVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(DirectorySyncVerticle.class);
  static final long CHECK_MS = 5_000;

  private final RecordStore store;
  private final Directory directory;
  private long timer;

  public DirectorySyncVerticle(RecordStore store, Directory directory) {
    this.store = store;
    this.directory = directory;
  }

  @Override
  public Future<?> start() {
    timer = vertx.setPeriodic(CHECK_MS, id -> reload());
    return vertx.eventBus().<String>consumer(Addresses.DIRECTORY_CHANGED, msg -> reload()).completion();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  private void reload() {
    store.directory().onSuccess(doc -> {
      if (doc != null && directory.replace(doc.version(), doc.queues(), doc.operators(), doc.sms())) {
        log.info("queues and operators now at version {}", doc.version());
      }
    }).onFailure(e -> log.debug("set-up not reloaded: {}", e.getMessage()));
  }

  /**
   * At start: the config file seeds an empty store; a store that has a set-up keeps it, so
   * what admins changed survives restarts. True when this node did the seeding.
   */
  public static Future<Boolean> seedAndLoad(RecordStore store, Directory directory,
      java.util.List<switchboard.domain.QueueConfig> queues, java.util.List<switchboard.domain.OperatorConfig> operators,
      java.util.List<switchboard.domain.SmsNumber> sms) {
    return store.replaceDirectory(0, new switchboard.store.DirectoryDoc(1, queues, operators, sms))
        .compose(seeded -> store.directory().map(doc -> {
          directory.replace(doc.version(), doc.queues(), doc.operators(), doc.sms());
          if (!seeded) {
            log.info("queues and operators come from the record (version {}); the config file only seeds "
                + "an empty record", doc.version());
          }
          return seeded;
        }));
  }
}
