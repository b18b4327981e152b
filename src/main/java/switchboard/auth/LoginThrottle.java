package switchboard.auth;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Locks a username after {@link #MAX_FAILURES} failed sign-ins within {@link #WINDOW}. */
public final class LoginThrottle {
  public static final int MAX_FAILURES = 5;
  public static final Duration WINDOW = Duration.ofMinutes(15);
  private final Map<String, Deque<Instant>> failures = new ConcurrentHashMap<>();

  public boolean isLocked(String username, Instant now) {
    Deque<Instant> recent = failures.get(username);
    if (recent == null) {
      return false;
    }
    synchronized (recent) {
      while (!recent.isEmpty() && recent.peekFirst().isBefore(now.minus(WINDOW))) {
        recent.removeFirst();
      }
      return recent.size() >= MAX_FAILURES;
    }
  }

  public void recordFailure(String username, Instant now) {
    Deque<Instant> recent = failures.computeIfAbsent(username, k -> new ArrayDeque<>());
    synchronized (recent) {
      recent.addLast(now);
      while (recent.size() > MAX_FAILURES) {
        recent.removeFirst();
      }
    }
  }

  public void recordSuccess(String username) {
    failures.remove(username);
  }
}
