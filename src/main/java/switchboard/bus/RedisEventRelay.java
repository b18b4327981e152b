package switchboard.bus;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import switchboard.config.RedisTarget;
import switchboard.store.RedisClientOptions;

/**
 * Frames across nodes over Redis pub/sub, on the channel {@code {prefix}events}.
 *
 * <p>{@link #toGuest}/{@link #toOperator} publish on the local event bus at once (the sockets
 * of this node get the frame with no round trip), then PUBLISH
 * {@code nodeId \n g|o \n targetId \n frame}. Publishes go through one ordered queue, sent in
 * pipelined batches on the pooled client, so frames leave a node in the order they were
 * relayed (a pool would otherwise spread them over connections and let them overtake).
 *
 * <p>A dedicated connection (its own client, never the pool the commands use) SUBSCRIBEs to the
 * channel and re-publishes each frame from another node on the local event bus; its own
 * frames are skipped. The Vert.x Redis client does not reconnect by itself: when that
 * connection ends or fails, when Redis does not confirm the SUBSCRIBE, or when a
 * self-addressed probe (sent every {@link #PROBE_INTERVAL_MS}) does not come back within the
 * next interval (a half-open connection), the relay drops that client, reconnects with
 * exponential backoff (100 ms doubling to 5 s) and subscribes again; the first loss and the
 * recovery are logged once each. Pub/sub is at-most-once: frames published while a
 * subscriber is away are lost for its node: once it is subscribed again (its HELLO came back),
 * it publishes {@link Addresses#RELAY_RECOVERED} locally and its open sockets catch up from the
 * store (guests read their chat's state and missed messages, consoles sync); sockets that
 * dropped meanwhile resume with lastSeq. The same happens the other way round: a node whose
 * PUBLISH failed (its frames for the others are dropped, not retried) sends a catch-up notice
 * once Redis takes a PUBLISH again, and the nodes that hear it publish RELAY_RECOVERED locally.
 *
 * <p>A node alone on the channel publishes nothing: every {@link #PEER_CHECK_MS} ms it asks
 * Redis how many subscribe (PUBSUB NUMSUB), and a node that (re)subscribes PUBLISHes a HELLO
 * that flips every other node back to publishing at once; {@link #start} completes only when
 * the node's own HELLO came back, so no other node still thinks it is alone when this one
 * opens its sockets.
 */
public final class RedisEventRelay implements EventRelay {
  private static final Logger log = LoggerFactory.getLogger(RedisEventRelay.class);

  static final long MIN_BACKOFF_MS = 100;
  static final long MAX_BACKOFF_MS = 5_000;
  static final long COMMAND_TIMEOUT_MS = 2_000;
  /** Connections for publishing frames to other nodes. */
  private static final int PUBLISH_POOL_SIZE = 4;
  static final long PROBE_INTERVAL_MS = 5_000;
  // a burst (offers and withdrawals to every operator on a queue, on a loaded machine)
  // overflowed 10,000 in the storm tests; 100,000 frames are ~30 MB at most
  private static final int MAX_QUEUED = 100_000;
  private static final int MAX_BATCH = 1_024;
  private static final char GUEST = 'g';
  private static final char OPERATOR = 'o';
  private static final char PROBE = 'h';
  private static final char NODE = 'n';
  /** "I am subscribed": sent on every (re)subscription, so the other nodes publish to us at once. */
  private static final char HELLO = 'j';
  /** "Frames of mine were lost on the way out": the others' open sockets catch up from the store. */
  private static final char CATCH_UP = 'r';
  /** How often a node asks Redis whether anyone else listens (PUBSUB NUMSUB). */
  static final long PEER_CHECK_MS = 500;
  private static final long HELLO_SETTLE_MS = 100;

  private final Vertx vertx;
  private final EventBus bus;
  private final RedisTarget target;
  private final String channel;
  private final String nodeId;
  private final Redis publisher;
  private final Context context;
  private final long probeIntervalMs;

  // publishing (any thread)
  private final ConcurrentLinkedQueue<String> outbox = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicBoolean draining = new AtomicBoolean();
  private final AtomicLong dropped = new AtomicLong();
  private volatile boolean publishFailing;
  /** Bumped by every batch that could not be published; a catch-up notice is owed while it moves. */
  private final AtomicLong lostBatches = new AtomicLong();
  private final AtomicBoolean catchUpOwed = new AtomicBoolean();
  /**
   * Whether another node may be listening. A node alone on the channel publishes nothing (its
   * frames were delivered locally; Redis would only echo them back). True until Redis says
   * otherwise, and true again the moment another node is heard from (its HELLO on subscribing,
   * or any frame) or a check fails.
   */
  private volatile boolean othersListening = true;
  private volatile long lastHeardOthersNanos = System.nanoTime();
  private final AtomicLong skipped = new AtomicLong();
  private long peerTimer = -1;

  // subscribing (guarded by this)
  private Redis subscriberClient;
  private volatile RedisConnection subscriber;
  private long backoffMs = MIN_BACKOFF_MS;
  private long lostAt; // 0 = not in a loss
  private long retryTimer = -1;
  private long confirmTimer = -1;
  private long probeTimer = -1;
  private long probeSeq;
  private long pendingProbe = -1;
  private long pendingProbeSentAt;
  private long lastProbeEcho = -1;
  private Promise<Void> firstSubscription;
  private volatile boolean subscribed;
  /** Subscribed again after a loss: open sockets catch up once our HELLO came back. */
  private boolean catchUpPending;
  private volatile int subscriptions;
  private volatile boolean deafForTest;
  private volatile boolean closed;

  private RedisEventRelay(Vertx vertx, RedisTarget target, String keyPrefix, String nodeId, long probeIntervalMs) {
    this.probeIntervalMs = probeIntervalMs;
    this.vertx = vertx;
    this.bus = vertx.eventBus();
    this.target = target;
    this.channel = (keyPrefix == null || keyPrefix.isEmpty() ? "switchboard:" : keyPrefix) + "events";
    this.nodeId = nodeId;
    this.publisher = Redis.createClient(vertx, RedisClientOptions.of(target, PUBLISH_POOL_SIZE, COMMAND_TIMEOUT_MS));
    this.context = vertx.getOrCreateContext();
  }

  /**
   * Starts the relay; succeeds once the subscriber is subscribed, fails when Redis cannot be
   * reached at start. Later losses are repaired in the background.
   */
  public static Future<RedisEventRelay> start(Vertx vertx, String redisUrl, String keyPrefix, String nodeId) {
    return start(vertx, RedisTarget.single(redisUrl), keyPrefix, nodeId, PROBE_INTERVAL_MS);
  }

  /** As {@link #start(Vertx, String, String, String)} for one server or a Sentinel group. */
  public static Future<RedisEventRelay> start(Vertx vertx, RedisTarget target, String keyPrefix, String nodeId) {
    return start(vertx, target, keyPrefix, nodeId, PROBE_INTERVAL_MS);
  }

  /** As {@link #start(Vertx, String, String, String)} with another probe interval (tests). */
  static Future<RedisEventRelay> start(Vertx vertx, String redisUrl, String keyPrefix, String nodeId,
      long probeIntervalMs) {
    return start(vertx, RedisTarget.single(redisUrl), keyPrefix, nodeId, probeIntervalMs);
  }

  private static Future<RedisEventRelay> start(Vertx vertx, RedisTarget target, String keyPrefix, String nodeId,
      long probeIntervalMs) {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(nodeId, "nodeId");
    if (nodeId.indexOf('\n') >= 0 || nodeId.isEmpty()) {
      return Future.failedFuture(new IllegalArgumentException("bad node id " + nodeId));
    }
    RedisEventRelay relay = new RedisEventRelay(vertx, target, keyPrefix, nodeId, probeIntervalMs);
    Promise<Void> first = Promise.promise();
    relay.context.runOnContext(v -> relay.begin(first));
    return first.future()
        .timeout(3 * COMMAND_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .map(v -> {
          log.info("Redis event relay subscribed to {} (node {})", relay.channel, nodeId);
          return relay;
        })
        .recover(err -> relay.close().transform(ignored -> Future.failedFuture(
            new IllegalStateException("cannot subscribe to Redis channel " + relay.channel + ": " + err.getMessage(),
                err))));
  }

  private synchronized void begin(Promise<Void> first) {
    firstSubscription = first;
    connectSubscriber();
    probeTimer = vertx.setPeriodic(probeIntervalMs, id -> probe());
    peerTimer = vertx.setPeriodic(PEER_CHECK_MS, id -> checkPeers());
  }

  /** True while the dedicated connection is subscribed (frames from other nodes arrive). */
  @Override
  public boolean receivesOtherNodes() {
    return isSubscribed();
  }

  public boolean isSubscribed() {
    return subscribed;
  }

  public String channel() {
    return channel;
  }

  /** How many times the subscriber got subscribed (1 after start, +1 per recovery). */
  int subscriptions() {
    return subscriptions;
  }

  /** Test hook: the current subscriber silently stops hearing anything (a half-open connection). */
  void goDeafForTest() {
    deafForTest = true;
  }

  // ---- sending -------------------------------------------------------------------------------

  @Override
  public void toGuest(String chatId, String frame) {
    bus.publish(Addresses.toGuest(chatId), frame);
    relay(GUEST, chatId, frame);
  }

  @Override
  public void toOperator(String operatorId, String frame) {
    bus.publish(Addresses.toOperator(operatorId), frame);
    relay(OPERATOR, operatorId, frame);
  }

  @Override
  public void toAllNodes(String address, String body) {
    bus.publish(address, body);
    relay(NODE, address, body);
  }

  private void relay(char kind, String target, String frame) {
    if (closed) {
      return;
    }
    if (!othersListening) {
      skipped.incrementAndGet();
      return; // nobody else on the channel: the local delivery was all there was to do
    }
    if (target == null || target.indexOf('\n') >= 0) {
      log.warn("Not relaying a frame to other nodes: bad target {}", target);
      return;
    }
    enqueue(nodeId + '\n' + kind + '\n' + target + '\n' + frame);
  }

  private void enqueue(String payload) {
    if (queued.incrementAndGet() > MAX_QUEUED) {
      queued.decrementAndGet();
      if (dropped.getAndIncrement() == 0) {
        log.warn("Redis publish queue full ({} frames): dropping frames for other nodes", MAX_QUEUED);
      }
      return;
    }
    outbox.add(payload);
    drain();
  }

  /** Sends what is queued as one pipelined batch; one batch in flight at a time keeps the order. */
  private void drain() {
    while (true) {
      if (outbox.isEmpty() || !draining.compareAndSet(false, true)) {
        return;
      }
      List<Request> batch = new ArrayList<>();
      String payload;
      while (batch.size() < MAX_BATCH && (payload = outbox.poll()) != null) {
        batch.add(Request.cmd(Command.PUBLISH).arg(channel).arg(payload));
      }
      if (batch.isEmpty()) {
        draining.set(false);
        continue; // something may have arrived between the check and the CAS
      }
      queued.addAndGet(-batch.size());
      Future<?> sent = batch.size() == 1 ? publisher.send(batch.get(0)) : publisher.batch(batch);
      int size = batch.size();
      sent.timeout(COMMAND_TIMEOUT_MS, TimeUnit.MILLISECONDS).onComplete(ar -> {
        if (ar.failed()) {
          if (!publishFailing) {
            publishFailing = true;
            log.warn("Redis publish failed, frames for other nodes are lost until Redis answers: {}",
                ar.cause().toString());
          }
          dropped.addAndGet(size);
          oweCatchUp();
        } else if (publishFailing) {
          publishFailing = false;
          log.info("Redis publish works again ({} frames for other nodes were lost)", dropped.getAndSet(0));
        }
        draining.set(false);
        drain();
      });
      return;
    }
  }

  /**
   * Frames for other nodes were lost on the way out (a PUBLISH failed, say on a connection to a
   * Redis primary that just died while the others already follow the new one): their subscribers
   * heard no gap, so nothing else would tell them. Once Redis takes a PUBLISH again, a notice
   * makes their open sockets read where their chats stand from the store.
   */
  private void oweCatchUp() {
    lostBatches.incrementAndGet();
    if (catchUpOwed.compareAndSet(false, true)) {
      sendCatchUpLater(MIN_BACKOFF_MS);
    }
  }

  private void sendCatchUpLater(long delayMs) {
    vertx.setTimer(delayMs, id -> {
      if (closed) {
        return;
      }
      long lostSoFar = lostBatches.get();
      publisher.send(Request.cmd(Command.PUBLISH).arg(channel).arg(nodeId + '\n' + CATCH_UP + '\n' + "-" + '\n'))
          .timeout(COMMAND_TIMEOUT_MS, TimeUnit.MILLISECONDS)
          .onComplete(ar -> {
            if (ar.failed()) {
              sendCatchUpLater(Math.min(delayMs * 2, MAX_BACKOFF_MS));
            } else if (lostBatches.get() != lostSoFar) {
              sendCatchUpLater(MIN_BACKOFF_MS); // more was lost while the notice travelled
            } else {
              catchUpOwed.set(false);
              log.info("told the other nodes on {} to catch up on frames this node could not publish", channel);
            }
          });
    });
  }

  // ---- receiving -----------------------------------------------------------------------------

  /** A fresh client and connection, then SUBSCRIBE; the confirmation completes it. */
  private synchronized void connectSubscriber() {
    retryTimer = -1;
    if (closed) {
      return;
    }
    deafForTest = false;
    Redis client = Redis.createClient(vertx, RedisClientOptions.of(target, 1, COMMAND_TIMEOUT_MS));
    subscriberClient = client;
    client.connect()
        .timeout(COMMAND_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .compose(conn -> {
          if (closed || subscriberClient != client) {
            conn.close();
            return Future.failedFuture("relay closed");
          }
          subscriber = conn;
          conn.handler(r -> onPubSub(conn, r));
          conn.exceptionHandler(err -> lost(conn, err));
          conn.endHandler(v -> lost(conn, null));
          confirmTimer = vertx.setTimer(COMMAND_TIMEOUT_MS,
              id -> lost(conn, new TimeoutException("no SUBSCRIBE confirmation")));
          return conn.send(Request.cmd(Command.SUBSCRIBE).arg(channel));
        })
        .onFailure(err -> {
          if (subscriberClient == client) {
            lostClient(err);
          }
        });
  }

  private void onPubSub(RedisConnection conn, Response r) {
    if (conn != subscriber || r == null || r.size() < 3 || deafForTest) {
      return;
    }
    String type = r.get(0).toString();
    if ("subscribe".equals(type) && channel.equals(r.get(1).toString())) {
      onSubscribed();
    } else if ("message".equals(type) && channel.equals(r.get(1).toString())) {
      Response payload = r.get(2);
      if (payload != null) {
        onMessage(payload.toString());
      }
    }
  }

  private synchronized void onSubscribed() {
    if (confirmTimer != -1) {
      vertx.cancelTimer(confirmTimer);
      confirmTimer = -1;
    }
    subscribed = true;
    subscriptions++;
    catchUpPending = subscriptions > 1;
    backoffMs = MIN_BACKOFF_MS;
    pendingProbe = -1;
    if (lostAt != 0) {
      log.info("Redis event relay subscribed again to {} after {} ms", channel, System.currentTimeMillis() - lostAt);
      lostAt = 0;
    }
    sayHello();
  }

  /**
   * Tells the other nodes this one listens (they publish to it from then on). The first
   * subscription counts as done when our own HELLO came back: Redis delivered it to every
   * subscriber by then, so no other node can still believe it is alone when our sockets open.
   */
  private void sayHello() {
    publisher.send(Request.cmd(Command.PUBLISH).arg(channel).arg(nodeId + '\n' + HELLO + '\n' + "-" + '\n'))
        .timeout(COMMAND_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .onFailure(err -> log.debug("HELLO not published: {}", err.toString()));
  }

  private synchronized void helloEcho() {
    if (catchUpPending) {
      // frames the other nodes published while we were away are lost for our sockets: once they
      // publish to us again, our open sockets read where their chats stand from the store
      catchUpPending = false;
      vertx.setTimer(HELLO_SETTLE_MS, id -> bus.publish(Addresses.RELAY_RECOVERED, ""));
    }
    if (firstSubscription != null) {
      Promise<Void> p = firstSubscription;
      firstSubscription = null;
      // the others got it when we did; a moment more lets their subscribers read it too
      vertx.setTimer(HELLO_SETTLE_MS, id -> p.tryComplete());
    }
  }

  private void onMessage(String payload) {
    int a = payload.indexOf('\n');
    int b = a < 0 ? -1 : payload.indexOf('\n', a + 1);
    int c = b < 0 ? -1 : payload.indexOf('\n', b + 1);
    if (c < 0 || b != a + 2) {
      log.debug("Ignoring a malformed relay message");
      return;
    }
    String from = payload.substring(0, a);
    char kind = payload.charAt(a + 1);
    String target = payload.substring(b + 1, c);
    if (from.equals(nodeId)) {
      if (kind == PROBE) {
        probeEcho(target);
      } else if (kind == HELLO) {
        helloEcho();
      }
      return; // our own frames were delivered locally already
    }
    heardOthers();
    String frame = payload.substring(c + 1);
    if (kind == CATCH_UP) {
      bus.publish(Addresses.RELAY_RECOVERED, "");
    } else if (kind == GUEST) {
      bus.publish(Addresses.toGuest(target), frame);
    } else if (kind == OPERATOR) {
      bus.publish(Addresses.toOperator(target), frame);
    } else if (kind == NODE && target.startsWith(Addresses.NODE_EVENTS)) {
      bus.publish(target, frame);
    }
  }

  // ---- who else listens -----------------------------------------------------------------------

  private void heardOthers() {
    lastHeardOthersNanos = System.nanoTime();
    if (!othersListening) {
      othersListening = true;
      log.info("another node listens on {}: relaying frames to it", channel);
    }
  }

  /** Periodic: asks Redis how many subscribe to the channel; only this node → stop publishing. */
  private void checkPeers() {
    if (closed) {
      return;
    }
    long askedAt = System.nanoTime();
    boolean subscribedWhenAsked = subscribed;
    publisher.send(Request.cmd(Command.PUBSUB).arg("NUMSUB").arg(channel))
        .timeout(COMMAND_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .onComplete(ar -> {
          long count = -1;
          if (ar.succeeded() && ar.result() != null && ar.result().size() >= 2) {
            count = ar.result().get(1).toLong();
          }
          // alone only when Redis counts just us, we were subscribed throughout, and nobody
          // was heard from since the question (a node that joined meanwhile said HELLO)
          boolean alone = count == 1 && subscribedWhenAsked && subscribed && lastHeardOthersNanos - askedAt < 0;
          if (alone && othersListening) {
            log.info("no other node listens on {}: frames stay on this node", channel);
          } else if (!alone && !othersListening) {
            log.info("another node listens on {}: relaying frames to it", channel);
          }
          othersListening = !alone;
        });
  }

  /** Frames for other nodes lost since publishing last worked (tests). */
  long framesDropped() {
    return dropped.get();
  }

  /** Frames not published because no other node listened (tests, metrics). */
  long framesKeptLocal() {
    return skipped.get();
  }

  private synchronized void probeEcho(String id) {
    try {
      long n = Long.parseLong(id);
      lastProbeEcho = n;
      if (n == pendingProbe) {
        pendingProbe = -1;
      }
    } catch (NumberFormatException e) {
      // not ours
    }
  }

  /** Periodic: a probe that did not come back means the subscription is dead. */
  private synchronized void probe() {
    if (closed || !subscribed || subscriber == null) {
      return;
    }
    if (pendingProbe != -1) {
      if (System.currentTimeMillis() - pendingProbeSentAt >= probeIntervalMs) {
        lost(subscriber, new TimeoutException("own probe did not come back"));
      }
      return;
    }
    long id = ++probeSeq;
    publisher.send(Request.cmd(Command.PUBLISH).arg(channel).arg(nodeId + '\n' + PROBE + '\n' + id + '\n'))
        .timeout(COMMAND_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .onComplete(ar -> probeSent(id, ar.succeeded()));
  }

  /** A publish that failed proves nothing about the subscriber: no verdict then. */
  private synchronized void probeSent(long id, boolean ok) {
    if (ok && subscribed && pendingProbe == -1 && probeSeq == id && !probeEchoed(id)) {
      pendingProbe = id;
      pendingProbeSentAt = System.currentTimeMillis();
    }
  }

  private boolean probeEchoed(long id) {
    return lastProbeEcho == id;
  }

  private synchronized void lost(RedisConnection conn, Throwable cause) {
    if (conn != subscriber) {
      return; // a connection already replaced
    }
    subscriber = null;
    lostClient(cause);
  }

  private synchronized void lostClient(Throwable cause) {
    if (confirmTimer != -1) {
      vertx.cancelTimer(confirmTimer);
      confirmTimer = -1;
    }
    subscribed = false;
    othersListening = true; // who listens is unknown until subscribed again: publish meanwhile
    pendingProbe = -1;
    Redis client = subscriberClient;
    subscriberClient = null;
    RedisConnection conn = subscriber;
    subscriber = null;
    if (conn != null) {
      conn.close();
    }
    if (client != null) {
      client.close();
    }
    if (closed || retryTimer != -1) {
      return;
    }
    if (firstSubscription == null) {
      if (lostAt == 0) {
        lostAt = System.currentTimeMillis();
        log.warn("Redis event relay lost its subscription to {} ({}); reconnecting", channel,
            cause == null ? "connection closed" : cause.toString());
      } else {
        log.debug("Redis event relay reconnect failed: {}", cause == null ? "connection closed" : cause.toString());
      }
    }
    long delay = backoffMs;
    backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
    retryTimer = vertx.setTimer(delay, id -> connectSubscriber());
  }

  /** Stops subscribing and publishing. */
  public Future<Void> close() {
    Promise<Void> done = Promise.promise();
    closeNow(done);
    return done.future();
  }

  private synchronized void closeNow(Promise<Void> done) {
    closed = true;
    subscribed = false;
    for (long timer : new long[] {retryTimer, confirmTimer, probeTimer, peerTimer}) {
      if (timer != -1) {
        vertx.cancelTimer(timer);
      }
    }
    retryTimer = confirmTimer = probeTimer = peerTimer = -1;
    if (firstSubscription != null) {
      firstSubscription.tryFail("relay closed");
      firstSubscription = null;
    }
    List<Future<Void>> closing = new ArrayList<>();
    if (subscriber != null) {
      closing.add(subscriber.close().recover(err -> Future.succeededFuture()));
      subscriber = null;
    }
    if (subscriberClient != null) {
      closing.add(subscriberClient.close().recover(err -> Future.succeededFuture()));
      subscriberClient = null;
    }
    closing.add(publisher.close().recover(err -> Future.succeededFuture()));
    Future.all(closing).onComplete(ar -> done.complete());
  }
}
