package switchboard.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import switchboard.bus.ClientError;
import switchboard.bus.ErrorCode;
import switchboard.domain.OperatorConfig;
import switchboard.domain.Directory;
import switchboard.store.StateStore;

/**
 * Operator sign-in: password check off the event loop, bearer tokens kept (hashed) in the
 * state store so every node accepts them, and a lock after repeated failures.
 */
public final class OperatorAuth {
  private static final Logger log = LoggerFactory.getLogger(OperatorAuth.class);
  public static final Duration SESSION_LIFETIME = Duration.ofHours(12);
  /** Verifying against this when the user is unknown makes both answers take as long. */
  private static final String DUMMY_HASH = PasswordHasher.hash("not-a-password".toCharArray(), 1000);

  private final Vertx vertx;
  private final Directory directory;
  private final StateStore store;
  private final LoginThrottle throttle;
  private final Clock clock;

  public record Login(String token, OperatorConfig operator) {}

  public OperatorAuth(Vertx vertx, Directory directory, StateStore store, LoginThrottle throttle, Clock clock) {
    this.vertx = vertx;
    this.directory = directory;
    this.store = store;
    this.throttle = throttle;
    this.clock = clock;
  }

  /**
   * Checks a password. The attempt is counted (shared by all nodes) before the check: a locked
   * username gets {@code rate_limited} even with the right password, a store that cannot count
   * gets {@code unavailable}, and a wrong password is answered after the throttle's delay.
   */
  public Future<Login> login(String username, String password) {
    return throttle.admit(username).compose(attempt -> {
      OperatorConfig op = directory.operator(username).orElse(null);
      String hash = op == null || op.passwordHash() == null ? DUMMY_HASH : op.passwordHash();
      return vertx.executeBlocking(() -> PasswordHasher.verify(password.toCharArray(), hash) && op != null
              && op.passwordHash() != null)
          .compose(ok -> {
            if (!ok) {
              log.warn("failed sign-in for {} (attempt {})", username, attempt);
              return throttle.failed(attempt).<Login>compose(v ->
                  Future.failedFuture(new ClientError(ErrorCode.unauthorized, "wrong username or password")));
            }
            String token = Tokens.newToken();
            Instant expires = clock.instant().plus(SESSION_LIFETIME);
            return throttle.succeeded(username)
                .compose(v -> store.putSession(Tokens.hash(token), op.id() + " " + credentialStamp(op), expires))
                .map(v -> {
                  log.info("operator {} signed in", op.id());
                  return new Login(token, op);
                });
          });
    });
  }

  /** The operator a token belongs to; fails with unauthorized for an unknown, expired or revoked one. */
  public Future<OperatorConfig> verify(String token) {
    if (token == null || token.isBlank()) {
      return Future.failedFuture(new ClientError(ErrorCode.unauthorized, "sign in first"));
    }
    return store.sessionOperator(Tokens.hash(token), clock.instant()).compose(session -> {
      int space = session == null ? -1 : session.lastIndexOf(' ');
      OperatorConfig op = space < 0 ? null : directory.operator(session.substring(0, space)).orElse(null);
      if (op == null || !credentialStamp(op).equals(session.substring(space + 1))) {
        // unknown, expired, logged out, the operator deleted, or their password or role changed since
        return Future.failedFuture(new ClientError(ErrorCode.unauthorized, "sign in again"));
      }
      return Future.succeededFuture(op);
    });
  }

  /**
   * What a session was granted on: the password hash and the role. A session remembers the stamp
   * of its sign-in, so changing either (on any node: the set-up is shared) revokes every session
   * the operator has; consoles are told at once ({@link #signedOutEverywhere}).
   */
  public static String credentialStamp(OperatorConfig op) {
    return Tokens.hash(op.passwordHash() + "|" + op.role()).substring(0, 16);
  }

  /** Sent on an operator's address: every console of theirs closes with 4401. */
  public static String signedOutEverywhere() {
    return "{\"type\":\"signed_out\",\"all\":true}";
  }

  /**
   * Puts an open console's session back after the store lost its data. Its end is not known any
   * more: it gets a whole {@link #SESSION_LIFETIME} from now. Only while the operator's password
   * and role are what the session was granted on (the set-up was put back before this).
   */
  public Future<Void> restoreSession(String token, OperatorConfig signedIn) {
    OperatorConfig op = directory.operator(signedIn.id()).orElse(null);
    if (op == null || !credentialStamp(op).equals(credentialStamp(signedIn))) {
      return Future.succeededFuture();
    }
    return store.putSession(Tokens.hash(token), op.id() + " " + credentialStamp(op),
        clock.instant().plus(SESSION_LIFETIME));
  }

  public Future<Void> logout(String token) {
    return store.deleteSession(Tokens.hash(token));
  }
}
