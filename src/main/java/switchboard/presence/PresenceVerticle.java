package switchboard.presence;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import switchboard.bus.Addresses;
import switchboard.bus.ClientError;
import switchboard.bus.Commands.AvailabilityChanged;
import switchboard.bus.Commands.ChosenQueues;
import switchboard.bus.Commands.Done;
import switchboard.bus.Commands.PresenceConnected;
import switchboard.bus.Commands.PresenceDisconnected;
import switchboard.bus.Commands.PresenceSet;
import switchboard.bus.ErrorCode;
import switchboard.bus.Replies;
import switchboard.domain.OperatorConfig;
import switchboard.domain.Directory;
import switchboard.store.StateStore;

/**
 * Who is here (DESIGN §1): counts each operator's console sockets on this node and keeps
 * the queues they set available in the store. When an operator's last socket closes their
 * availability goes with it. Tells routing whenever that changes.
 */
public final class PresenceVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(PresenceVerticle.class);
  private final Directory directory;
  private final StateStore store;
  private final String nodeId;
  private final Map<String, Set<String>> connections = new HashMap<>();
  private final Map<String, Future<Done>> pendingSets = new HashMap<>();
  /** The queues each operator connected here set available, to put back if the store loses them. */
  private final Map<String, Set<String>> chosenHere = new HashMap<>();
  /** Presence kept in Redis expires after 15 s; refreshing every 5 s survives two lost beats. */
  public static final Duration HEARTBEAT = Duration.ofSeconds(5);
  /** The beat while the store fails or presence has not settled: presence comes back fast. */
  static final Duration FAST_BEAT = Duration.ofMillis(200);
  private final PresenceHealth health;
  private long heartbeat;
  private boolean stopped;
  private boolean beatsFailing;

  public PresenceVerticle(Directory directory, StateStore store, String nodeId, PresenceHealth health) {
    this.directory = directory;
    this.store = store;
    this.nodeId = nodeId;
    this.health = health;
  }

  @Override
  public Future<?> start() {
    beat();
    var bus = vertx.eventBus();
    return Future.all(
        bus.<PresenceConnected>consumer(Addresses.PRESENCE_CONNECTED, msg -> Replies.serve(msg, this::connected))
            .completion(),
        bus.<PresenceDisconnected>consumer(Addresses.PRESENCE_DISCONNECTED, msg -> Replies.serve(msg, this::disconnected))
            .completion(),
        bus.<PresenceSet>consumer(Addresses.PRESENCE_SET, msg -> Replies.serve(msg, this::set)).completion(),
        bus.<String>consumer(Addresses.STORE_RESET, msg -> putBack()).completion());
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(heartbeat);
    return Future.succeededFuture();
  }

  /**
   * Keeps this node (for its guests' entries) and its operators present in the shared store,
   * whose presence keys expire; every {@link #HEARTBEAT}, or every {@link #FAST_BEAT} while the
   * store fails or presence has not settled again (see {@link PresenceHealth}).
   */
  private void beat() {
    List<Future<Void>> writes = new ArrayList<>();
    writes.add(store.nodeAlive(nodeId));
    connections.keySet().forEach(op -> writes.add(store.setConnected(op, nodeId, true)));
    Future.all(writes).onComplete(r -> {
      if (r.succeeded()) {
        if (beatsFailing) {
          beatsFailing = false;
          log.info("presence heartbeat works again: {} operators re-asserted; sweeps and timers wait for the "
              + "other nodes' beats", connections.size());
        }
        health.beatSucceeded();
      } else {
        if (!beatsFailing) {
          beatsFailing = true;
          log.warn("presence heartbeat failed: {}; sweeps and timers pause until it works again",
              r.cause().getMessage());
        }
        health.beatFailed();
      }
      if (!stopped) {
        heartbeat = vertx.setTimer((health.settled() ? HEARTBEAT : FAST_BEAT).toMillis(), id -> beat());
      }
    });
  }

  /**
   * The store lost its data: this node's operators are connected again with the queues they had
   * set available (remembered here), so nobody has to set them again.
   */
  private void putBack() {
    List<Future<Void>> writes = new ArrayList<>();
    connections.keySet().forEach(op -> writes.add(store.setConnected(op, nodeId, true)
        .compose(v -> store.setChosenQueues(op, chosenHere.getOrDefault(op, Set.of())))));
    Future.all(writes)
        .onSuccess(x -> {
          log.info("availability of {} operators put back", connections.size());
          connections.keySet().forEach(op -> changed(op, true));
        })
        .onFailure(e -> log.warn("availability not put back: {}", e.getMessage()));
  }

  private Future<ChosenQueues> connected(PresenceConnected event) {
    Set<String> sockets = connections.computeIfAbsent(event.operatorId(), k -> new HashSet<>());
    boolean first = sockets.isEmpty();
    sockets.add(event.connectionId());
    Future<Void> stored = first ? store.setConnected(event.operatorId(), nodeId, true) : Future.succeededFuture();
    return stored.compose(v -> store.connectedOperators()).map(all -> {
      if (first) {
        log.info("operator {} connected", event.operatorId());
        changed(event.operatorId(), true);
      }
      Set<String> chosen = all.getOrDefault(event.operatorId(), Set.of());
      chosenHere.put(event.operatorId(), chosen);
      return new ChosenQueues(chosen);
    });
  }

  private Future<Done> disconnected(PresenceDisconnected event) {
    Set<String> sockets = connections.get(event.operatorId());
    if (sockets == null || !sockets.remove(event.connectionId()) || !sockets.isEmpty()) {
      return Future.succeededFuture(Done.INSTANCE);
    }
    connections.remove(event.operatorId());
    chosenHere.remove(event.operatorId());
    // their queues are cleared only when no console is left on any node: closing one of two
    // consoles (on two nodes) must not silently make them away on the other
    return store.setConnected(event.operatorId(), nodeId, false)
        .compose(v -> store.connectedOperators())
        .compose(all -> all.containsKey(event.operatorId()) ? Future.<Void>succeededFuture()
            : store.setChosenQueues(event.operatorId(), Set.of()))
        .map(v -> {
          log.info("operator {} left: their last console closed", event.operatorId());
          changed(event.operatorId(), false);
          return Done.INSTANCE;
        });
  }

  private Future<Done> set(PresenceSet cmd) {
    OperatorConfig op = directory.operator(cmd.operatorId())
        .orElseThrow(() -> new ClientError(ErrorCode.unauthorized, "unknown operator"));
    if (directory.queue(cmd.queue()).isEmpty()) {
      throw new ClientError(ErrorCode.unknown_queue, "no queue named " + cmd.queue());
    }
    if (!op.queues().contains(cmd.queue())) {
      throw new ClientError(ErrorCode.forbidden, "you do not staff " + cmd.queue());
    }
    // one operator's changes apply one after the other: two frames sent back to back would
    // otherwise both read the old set and the second write would undo the first
    Future<Done> previous = pendingSets.getOrDefault(op.id(), Future.succeededFuture(Done.INSTANCE));
    Future<Done> next = previous.eventually(() -> applySet(op, cmd));
    pendingSets.put(op.id(), next);
    return next.onComplete(r -> pendingSets.remove(op.id(), next));
  }

  private Future<Done> applySet(OperatorConfig op, PresenceSet cmd) {
    return store.connectedOperators().compose(all -> {
      Set<String> chosen = new HashSet<>(all.getOrDefault(op.id(), Set.of()));
      boolean changed = cmd.available() ? chosen.add(cmd.queue()) : chosen.remove(cmd.queue());
      if (!changed) {
        return Future.succeededFuture(Done.INSTANCE);
      }
      return store.setChosenQueues(op.id(), chosen).map(v -> {
        if (connections.containsKey(op.id())) {
          chosenHere.put(op.id(), Set.copyOf(chosen));
        }
        log.info("operator {} {} on {}", op.id(), cmd.available() ? "available" : "away", cmd.queue());
        changed(op.id(), true);
        return Done.INSTANCE;
      });
    });
  }

  private void changed(String operatorId, boolean connected) {
    vertx.eventBus().send(Addresses.AVAILABILITY_CHANGED, new AvailabilityChanged(operatorId, connected));
  }
}
