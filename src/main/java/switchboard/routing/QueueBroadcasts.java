package switchboard.routing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import switchboard.bus.Addresses;
import switchboard.bus.EventRelay;
import switchboard.bus.Frames;
import switchboard.domain.OperatorConfig;
import switchboard.domain.QueueConfig;
import switchboard.domain.Chat;
import switchboard.domain.Directory;
import switchboard.store.StateStore;

/**
 * What routing tells people about the line, each only when it changed since this node last told
 * them: consoles a queue's availability and status (who staffs it, how many wait), waiting guests
 * their place in line (coalesced: with 20,000 guests waiting, announcing everyone on every start
 * made the ramp quadratic) and an estimated wait.
 */
final class QueueBroadcasts {
  private static final long POSITIONS_EVERY_MS = 250;

  private final Vertx vertx;
  private final Directory directory;
  private final StateStore store;
  private final EventRelay relay;
  private final WaitEstimator waits = new WaitEstimator();
  /** The place in line this node last sent each waiting guest. */
  private Map<String, Integer> lastPositions = new HashMap<>();
  private Map<String, Boolean> lastAvailability;
  private Map<String, String> lastStatus = Map.of();
  private final Coalesced positions;

  QueueBroadcasts(Vertx vertx, Directory directory, StateStore store, EventRelay relay) {
    this.vertx = vertx;
    this.directory = directory;
    this.store = store;
    this.relay = relay;
    this.positions = new Coalesced(vertx, POSITIONS_EVERY_MS, this::sendPositions);
    Map<String, Boolean> nobodyYet = new LinkedHashMap<>();
    directory.queues().forEach(q -> nobodyYet.put(q.name(), false));
    this.lastAvailability = nobodyYet;
  }

  void stop() {
    positions.cancel();
  }

  /** A chat was answered after waiting this long: the estimate for its queue learns from it. */
  void recordAnswered(String queue, long waitedSeconds) {
    waits.recordAnswered(queue, waitedSeconds);
  }

  void announceAvailability(Availability av) {
    Map<String, Boolean> now = new LinkedHashMap<>();
    directory.queues().forEach(q -> now.put(q.name(), av.isAvailable(q.name())));
    now.forEach((queue, available) -> {
      if (!available.equals(lastAvailability.get(queue))) {
        // each node tells its own consoles (every node re-plans at least every sweep), so a
        // console hears each change once rather than once per node
        toStaffOf(queue, Frames.presence(queue, available));
      }
    });
    lastAvailability = now;
  }

  /** queue → its `queue_status` frame, as consoles show it. */
  Map<String, String> statusFrames(Availability av, List<Chat> unanswered) {
    Map<String, Integer> waiting = new HashMap<>();
    unanswered.forEach(c -> waiting.merge(c.queue(), 1, Integer::sum));
    Map<String, String> frames = new LinkedHashMap<>();
    for (QueueConfig queue : directory.queues()) {
      List<JsonObject> operators = av.operatorsOn(queue.name()).stream()
          .map(id -> new JsonObject().put("id", id).put("name", directory.operator(id).map(OperatorConfig::name).orElse(id)))
          .toList();
      frames.put(queue.name(), Frames.queueStatus(queue.name(), !operators.isEmpty(), operators,
          waiting.getOrDefault(queue.name(), 0)));
    }
    return frames;
  }

  /** Like availability: each node tells its own consoles what changed since it last looked. */
  void announceStatus(Availability av, List<Chat> unanswered) {
    Map<String, String> now = statusFrames(av, unanswered);
    now.forEach((queue, frame) -> {
      if (!frame.equals(lastStatus.get(queue))) {
        toStaffOf(queue, frame);
      }
    });
    lastStatus = now;
  }

  private void toStaffOf(String queue, String frame) {
    directory.operators().stream().filter(o -> o.queues().contains(queue))
        .forEach(o -> vertx.eventBus().publish(Addresses.toOperator(o.id()), frame));
  }

  /** Tells waiting guests their place in line, soon (coalesced, see {@link Coalesced}). */
  void announcePositions() {
    positions.request();
  }

  /** The next announcement sends this guest their place even if it did not change (a new socket). */
  void forgetPosition(String chatId) {
    lastPositions.remove(chatId);
  }

  private Future<?> sendPositions() {
    return store.unansweredChats().onSuccess(chats -> {
      Map<String, Integer> places = new HashMap<>();
      Map<String, Integer> sent = new HashMap<>(chats.size() * 2);
      for (Chat chat : chats) {
        int position = places.merge(chat.queue(), 1, Integer::sum);
        sent.put(chat.id(), position);
        Integer before = lastPositions.get(chat.id());
        if (before == null || before != position) {
          relay.toGuest(chat.id(), Frames.queued(position, waits.estimateSeconds(chat.queue(), position)));
        }
      }
      lastPositions = sent;
    }).onFailure(e -> lastPositions = new HashMap<>()); // unknown what reached whom: send all next time
  }
}
