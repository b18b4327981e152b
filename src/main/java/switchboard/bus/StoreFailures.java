package switchboard.bus;

import io.vertx.core.eventbus.ReplyException;
import java.io.IOException;
import java.util.concurrent.TimeoutException;

/**
 * Tells the failures to expect while the shared store is away (Redis stopped, restarting,
 * frozen or out of reach) from the ones that mean a bug. The former are logged as one WARN line
 * (the client got `unavailable` and retries; readiness already reports the outage); the latter
 * stay ERROR with their stack trace.
 */
public final class StoreFailures {
  private StoreFailures() {}

  /** True when {@code failure} (or a cause) says the store did not answer or could not be reached. */
  public static boolean unreachable(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      // no answer in time; a connection refused, reset or closed (ConnectException and
      // ClosedChannelException are IOExceptions)
      if (t instanceof TimeoutException || t instanceof IOException) {
        return true;
      }
      // a bus request whose handler already met (and logged) such a failure
      if (t instanceof ReplyException re && re.failureCode() == ErrorCode.unavailable.ordinal()) {
        return true;
      }
      // the Redis client's own words for a connection it lost or cannot queue on, and a Redis
      // still loading its data after a restart
      String m = t.getMessage();
      if (m != null && (m.startsWith("CONNECTION_CLOSED") || m.startsWith("Connection is closed")
          || m.contains("waiting queue is full") || m.startsWith("LOADING"))) {
        return true;
      }
    }
    return false;
  }
}
