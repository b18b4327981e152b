package switchboard;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import switchboard.admin.DirectorySyncVerticle;
import switchboard.admin.RetentionVerticle;
import switchboard.auth.LoginThrottle;
import switchboard.auth.OperatorAuth;
import switchboard.bus.EventRelay;
import switchboard.bus.LocalCodec;
import switchboard.config.RecordSettings;
import switchboard.record.ArchiveVerticle;
import switchboard.routing.ChatRestorer;
import switchboard.record.ChatHistory;
import switchboard.record.JdbcRecordStore;
import switchboard.record.FileJournaledRecord;
import switchboard.record.MessageFiles;
import switchboard.record.MessageJournal;
import switchboard.record.RecordStore;
import switchboard.record.StateStoreRecord;
import switchboard.bus.LocalEventRelay;
import switchboard.bus.RedisEventRelay;
import switchboard.config.AppConfig;
import switchboard.domain.Directory;
import switchboard.http.HttpVerticle;
import switchboard.mail.MailVerticle;
import switchboard.metrics.MetricsSetup;
import switchboard.metrics.MetricsVerticle;
import switchboard.presence.PresenceHealth;
import switchboard.presence.PresenceVerticle;
import switchboard.presence.StoreResetVerticle;
import switchboard.routing.RoutingVerticle;
import switchboard.sms.SmsVerticle;
import switchboard.store.InMemoryStateStore;
import switchboard.store.RedisStateStore;
import switchboard.store.StateStore;

/** One running Switchboard node: its verticles deployed on a Vert.x instance. */
public final class Switchboard {
  private static final Logger log = LoggerFactory.getLogger(Switchboard.class);
  /**
   * HTTP verticles per node, one per core (at most 4): each owns the sockets it accepted, so a
   * node's socket work (frames in and out, JSON) spreads over the cores instead of one event loop.
   */
  private static final java.util.concurrent.atomic.AtomicInteger SHARED_RANDOM_PORTS =
      new java.util.concurrent.atomic.AtomicInteger();
  static final int HTTP_INSTANCES = Integer.getInteger("switchboard.httpInstances",
      Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())));
  private final Vertx vertx;
  private final HttpVerticle http;
  private final List<String> deployments;
  private final String nodeId;

  private final Supplier<Future<Void>> closeShared;
  static final long GOODBYE_DRAIN_MS = 500;

  private final boolean seededSetUp;

  private Switchboard(Vertx vertx, HttpVerticle http, List<String> deployments, String nodeId,
      Supplier<Future<Void>> closeShared, boolean seededSetUp) {
    this.closeShared = closeShared;
    this.seededSetUp = seededSetUp;
    this.vertx = vertx;
    this.http = http;
    this.deployments = deployments;
    this.nodeId = nodeId;
  }

  /**
   * What nodes share: the state store, the record, and the way frames reach sockets on any node;
   * {@code settle}: how long sweeps and timers wait for the other nodes' presence (see {@link PresenceHealth}).
   */
  private record Shared(StateStore store, RecordStore record, EventRelay relay, Supplier<Future<Void>> close, String kind,
      Duration settle) {}

  /**
   * Nodes beat every {@code PresenceVerticle.FAST_BEAT} (200 ms) while presence is not settled:
   * 0.6 s covers three of them, and keeps a rollover due during a long outage within a second of
   * the store's return (settle + one beat + one timer poll).
   */
  private static final Duration PRESENCE_SETTLE = Duration.ofMillis(600);
  /** Presence keys outlive a good beat by their expiry less the 5 s heartbeat and a margin of 1 s. */
  private static final Duration PRESENCE_KEYS_OUTLIVE =
      RedisStateStore.PRESENCE_TTL.minus(PresenceVerticle.HEARTBEAT).minusSeconds(1);

  /** The hot state shared by the nodes, then the record (which may be kept in it). */
  private static Future<Shared> shared(Vertx vertx, AppConfig config) {
    return hotState(vertx, config).compose(hot -> {
      RecordSettings where = config.record();
      Future<RecordStore> record = where.kept() ? JdbcRecordStore.open(vertx, where).map(r -> (RecordStore) r)
          : Future.succeededFuture(hot.recordInIt());
      if (where.sqlite() && !config.usesRedis()) {
        // one node on the embedded record: acknowledged messages are journaled to a file first,
        // so the message path does not wait for a SQLite transaction
        record = record.compose(db -> FileJournaledRecord.open(vertx, db, MessageFiles.folderFor(where))
            .recover(e -> db.close().transform(x -> Future.failedFuture(e))));
      }
      return record
          .map(r -> new Shared(hot.store(), r, hot.relay(), () -> r.close().eventually(() -> hot.close().get()),
              hot.kind(), hot.settle()))
          .recover(e -> hot.close().get().transform(x -> Future.failedFuture(e)));
    });
  }

  /** The hot state and how frames reach sockets: in this node's memory, or on Redis for several nodes. */
  private record Hot(StateStore store, EventRelay relay, Supplier<Future<Void>> close, String kind, Duration settle,
      RecordStore recordInIt) {}

  private static Future<Hot> hotState(Vertx vertx, AppConfig config) {
    if (!config.usesRedis()) {
      InMemoryStateStore store = new InMemoryStateStore();
      return Future.succeededFuture(new Hot(store, new LocalEventRelay(vertx.eventBus()),
          Future::succeededFuture, "in-memory state", Duration.ZERO, new StateStoreRecord(store, "record kept with the in-memory state")));
    }
    return RedisStateStore.connect(vertx, config.redis(), config.redisPrefix(), config.nodeId())
        .compose(store -> RedisEventRelay.start(vertx, config.redis(), config.redisPrefix(), config.nodeId())
            .map(relay -> new Hot(store, relay,
                () -> Future.join(relay.close(), store.close()).mapEmpty(),
                "Redis state at " + config.redis().describe(), PRESENCE_SETTLE,
                new StateStoreRecord(store, "record kept with the Redis state at " + config.redis().describe())))
            .recover(e -> store.close().transform(x -> Future.failedFuture(e))));
  }

  /** Deploys every verticle of a node; port 0 in the config picks a free port. */
  public static Future<Switchboard> start(Vertx vertx, AppConfig config) {
    LocalCodec.registerAll(vertx.eventBus());
    return shared(vertx, config).compose(shared -> deploy(vertx, config, shared));
  }

  private static Future<Switchboard> deploy(Vertx vertx, AppConfig config, Shared shared) {
    Clock clock = new MicrosecondClock(Clock.systemUTC());
    PresenceHealth presence = new PresenceHealth(clock, shared.settle(), PRESENCE_KEYS_OUTLIVE);
    Directory directory = new Directory(config.queues(), config.operators(), config.sms());
    StateStore store = shared.store();
    RecordStore record = shared.record();
    // a node whose state store is its memory writes each message to the record before its ack;
    // nodes on Redis mark the chat for the archive's next batch
    boolean separate = !record.inStateStore();
    boolean journaled = !config.usesRedis() && separate;
    MessageJournal.Mode journalMode = journaled ? MessageJournal.Mode.BEFORE_ACK
        : separate ? MessageJournal.Mode.BATCHED : MessageJournal.Mode.NONE;
    EventRelay relay = shared.relay();
    OperatorAuth auth = new OperatorAuth(vertx, directory, store, new LoginThrottle(vertx, store), clock);
    PrometheusMeterRegistry metrics = MetricsSetup.registryFor(vertx);
    // port 0 asks for a random port: a negative one of this node's own makes Vert.x pick one
    // random port that all its instances share (and no other node on the same Vert.x)
    int port = config.httpPort() == 0 ? -SHARED_RANDOM_PORTS.incrementAndGet() : config.httpPort();
    Supplier<HttpVerticle> instances = HttpVerticle.forNode(config, directory, store, record, relay, auth, metrics, port);
    List<HttpVerticle> https = new java.util.concurrent.CopyOnWriteArrayList<>();
    Supplier<HttpVerticle> httpInstance = () -> {
      HttpVerticle instance = instances.get();
      https.add(instance);
      return instance;
    };
    List<String> deployments = new ArrayList<>();
    boolean[] seeded = new boolean[1];
    return DirectorySyncVerticle.seedAndLoad(record, directory, config.queues(), config.operators(), config.sms())
        .map(s -> seeded[0] = s)
        .compose(v -> journaled ? ChatRestorer.restore(store, record, directory, config.chats().guestGraceSeconds(), clock.instant())
            : Future.succeededFuture(0))
        .compose(v -> vertx.deployVerticle(new DirectorySyncVerticle(record, directory))).map(deployments::add)
        .compose(v -> vertx.deployVerticle(new PresenceVerticle(directory, store, config.nodeId(), presence)))
        .map(deployments::add)
        .compose(v -> !config.usesRedis() ? Future.succeededFuture(null) // memory is not lost alone
            : vertx.deployVerticle(new StoreResetVerticle(store, record, directory, presence)).map(deployments::add))
        // before routing, so it is stopped after it and writes what routing changed last
        .compose(v -> !separate ? Future.succeededFuture(null)
            : vertx.deployVerticle(new ArchiveVerticle(store, record, !journaled, clock)).map(deployments::add))
        .compose(v -> vertx.deployVerticle(new RoutingVerticle(directory, store, relay, config.chats(), clock,
            config.nodeId(), presence, new MessageJournal(record, vertx.eventBus(), journalMode))))
        .map(deployments::add)
        .compose(v -> vertx.deployVerticle(new MetricsVerticle(metrics, store))).map(deployments::add)
        .compose(v -> vertx.deployVerticle(new MailVerticle(config.mail(), directory, store, new ChatHistory(store, record)))).map(deployments::add)
        .compose(v -> vertx.deployVerticle(new SmsVerticle(store, directory))).map(deployments::add)
        .compose(v -> vertx.deployVerticle(new RetentionVerticle(store, record, config.transcriptRetentionDays(), clock)))
        .map(deployments::add)
        // one deployment of several instances: Vert.x shares their port, and sockets spread over
        // the event loops instead of all on one
        .compose(v -> vertx.deployVerticle(httpInstance, new DeploymentOptions().setInstances(HTTP_INSTANCES)))
        .map(deployments::add)
        .map(v -> {
          log.info("node {} up with {} queues, {} operators, {}, {}", config.nodeId(),
              directory.queues().size(), directory.operators().size(), shared.kind(), record.describe());
          return new Switchboard(vertx, https.get(0), deployments, config.nodeId(), shared.close(), seeded[0]);
        })
        .recover(e -> shared.close().get().transform(x -> Future.failedFuture(e)));
  }

  /**
   * Whether this node wrote the config file's queues and operators into an empty store.
   * When false the store already had a set-up (admins' changes survive restarts) and the
   * file's operators, a first-start admin included, were not used.
   */
  public boolean seededSetUp() {
    return seededSetUp;
  }

  /** The HTTP port actually bound. */
  public int port() {
    return http.actualPort();
  }

  public String nodeId() {
    return nodeId;
  }

  /**
   * Undeploys this node's verticles in reverse order of their start (the Vert.x instance stays
   * up). The HTTP verticles go first, closing the sockets; their goodbyes (a guest detached, a
   * console gone, presence re-planned) then have {@value #GOODBYE_DRAIN_MS} ms to reach routing,
   * presence and metrics while those still listen, before the rest stops.
   */
  public Future<Void> stop() {
    int last = deployments.size() - 1;
    Future<Void> chain = vertx.undeploy(deployments.get(last))
        .compose(v -> vertx.timer(GOODBYE_DRAIN_MS, TimeUnit.MILLISECONDS)).mapEmpty();
    for (int i = last - 1; i >= 0; i--) {
      String id = deployments.get(i);
      chain = chain.compose(v -> vertx.undeploy(id));
    }
    return chain.eventually(closeShared);
  }
}
