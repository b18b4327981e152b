package switchboard.routing;

import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import switchboard.domain.OperatorConfig;
import switchboard.domain.Directory;

/**
 * Who can take a chat right now (DESIGN §1): connected, set available on the queue,
 * staffing it, and below maxChats.
 *
 * @param chosen operatorId → queues set available, for connected operators only
 * @param held   operatorId → chats held
 */
public record Availability(Directory directory, Map<String, Set<String>> chosen, Map<String, Integer> held,
    Instant at) {

  public boolean canTakeMore(String operatorId) {
    Optional<OperatorConfig> op = directory.operator(operatorId);
    return op.isPresent() && chosen.containsKey(operatorId)
        && held.getOrDefault(operatorId, 0) < op.get().maxChats();
  }

  public boolean isConnected(String operatorId) {
    return chosen.containsKey(operatorId);
  }

  /** Operators who would be offered a chat on this queue now: none outside its office hours. */
  public Set<String> operatorsOn(String queue) {
    Set<String> result = new LinkedHashSet<>();
    if (!directory.isOpen(queue, at)) {
      return result;
    }
    chosen.forEach((opId, queues) -> {
      if (queues.contains(queue) && staffs(opId, queue) && canTakeMore(opId)) {
        result.add(opId);
      }
    });
    return result;
  }

  /** A queue is available when one of its operators is (ignoring capacity would ring nobody). */
  public boolean isAvailable(String queue) {
    return !operatorsOn(queue).isEmpty();
  }

  public boolean staffs(String operatorId, String queue) {
    return directory.operator(operatorId).map(o -> o.queues().contains(queue)).orElse(false);
  }
}
