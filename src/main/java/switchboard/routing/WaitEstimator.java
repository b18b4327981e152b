package switchboard.routing;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/** Estimates a guest's wait from how long recent chats on the queue waited to be answered. */
final class WaitEstimator {
  private static final int HISTORY = 20;
  private final Map<String, Deque<Long>> recentWaits = new HashMap<>();

  void recordAnswered(String queue, long waitedSeconds) {
    Deque<Long> waits = recentWaits.computeIfAbsent(queue, k -> new ArrayDeque<>());
    waits.addLast(waitedSeconds);
    if (waits.size() > HISTORY) {
      waits.removeFirst();
    }
  }

  /** Null while the queue has no history yet (DESIGN §3 allows that). */
  Long estimateSeconds(String queue, int position) {
    Deque<Long> waits = recentWaits.get(queue);
    if (waits == null || waits.isEmpty()) {
      return null;
    }
    double average = waits.stream().mapToLong(Long::longValue).average().orElse(0);
    return Math.round(average * position);
  }
}
