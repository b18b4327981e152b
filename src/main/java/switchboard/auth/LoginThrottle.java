package switchboard.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import switchboard.bus.ClientError;
import switchboard.bus.ErrorCode;
import switchboard.store.StateStore;

/**
 * Slows and then locks password guessing for a username, counted in the state store so that
 * every node sees the same count: {@link #MAX_FAILURES} failed sign-ins within {@link #WINDOW}
 * lock the username for {@link #WINDOW} from the last of them.
 *
 * <p>Each attempt is counted <em>before</em> its password is checked, so guesses sent at once,
 * to one node or to several, cannot all slip in before the first failure is recorded; a
 * successful sign-in forgets the count. A store that cannot count refuses the attempt
 * ({@code unavailable}): an outage never lets guesses through. Each failure is answered after
 * a delay that doubles with the failures counted so far (a timer, never a blocking wait).
 */
public final class LoginThrottle {
  private static final Logger log = LoggerFactory.getLogger(LoginThrottle.class);
  public static final int MAX_FAILURES = 5;
  public static final Duration WINDOW = Duration.ofMinutes(15);
  /** Delay before answering the first failure; it doubles with each further one, up to {@link #MAX_DELAY}. */
  static final Duration FIRST_DELAY = Duration.ofMillis(100);
  static final Duration MAX_DELAY = Duration.ofMillis(1600);

  private final Vertx vertx;
  private final StateStore store;

  public LoginThrottle(Vertx vertx, StateStore store) {
    this.vertx = vertx;
    this.store = store;
  }

  /**
   * Counts an attempt for {@code username}; succeeds with its number (1 for the first since the
   * count was last forgotten), fails with {@code rate_limited} when the username is locked and
   * with {@code unavailable} when the store cannot count.
   */
  public Future<Long> admit(String username) {
    return store.countLoginAttempt(username, MAX_FAILURES, WINDOW)
        .recover(err -> {
          log.warn("login for {} refused: the state store could not count the attempt ({})", username,
              err.toString());
          return Future.failedFuture(new ClientError(ErrorCode.unavailable,
              "the server could not do that just now; please retry"));
        })
        .compose(attempt -> {
          if (attempt > MAX_FAILURES) {
            log.warn("login for {} refused: too many failed attempts", username);
            return Future.failedFuture(new ClientError(ErrorCode.rate_limited,
                "too many failed sign-ins; try again in " + WINDOW.toMinutes() + " minutes"));
          }
          return Future.succeededFuture(attempt);
        });
  }

  /** Completes after the delay that answers failed attempt number {@code attempt}. */
  public Future<Void> failed(long attempt) {
    return vertx.timer(delay(attempt).toMillis()).mapEmpty();
  }

  /** Forgets the username's count after a successful sign-in. */
  public Future<Void> succeeded(String username) {
    return store.clearLoginAttempts(username);
  }

  static Duration delay(long attempt) {
    long doublings = Math.min(Math.max(0, attempt - 1), 20);
    Duration d = FIRST_DELAY.multipliedBy(1L << doublings);
    return d.compareTo(MAX_DELAY) > 0 ? MAX_DELAY : d;
  }
}
