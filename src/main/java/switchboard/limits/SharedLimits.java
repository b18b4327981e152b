package switchboard.limits;

import io.vertx.core.Future;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import switchboard.bus.ClientError;
import switchboard.bus.ErrorCode;
import switchboard.store.StateStore;

/**
 * Limits per client (or per chat) counted in the state store, so every node sees the same count
 * and a client spreading its requests over N nodes gets no more than one node would give it.
 * Fixed windows: the first event starts the window, the count is forgotten at its end.
 */
public final class SharedLimits {
  private static final Logger log = LoggerFactory.getLogger(SharedLimits.class);

  /** A limit: at most {@code max} events per key and {@code window}; {@code refusal} is what the client is told. */
  public record Limit(String name, int max, Duration window, String refusal) {}

  public static final Limit CHAT_STARTS = new Limit("chat-starts", 20, Duration.ofMinutes(1),
      "too many chats started from your address; wait a minute");
  public static final Limit OFFLINE_MESSAGES = new Limit("offline-messages", 5, Duration.ofMinutes(10),
      "you have left several messages already; please wait a while");
  /** Transcript copies a guest may have mailed of one chat: a typo or two, not a relay. */
  public static final Limit TRANSCRIPT_COPIES_PER_CHAT = new Limit("transcript-copies", 3, Duration.ofDays(1),
      "at most 3 copies of a chat can be mailed");
  /** Transcript mails one client may ask for, over all its chats. */
  public static final Limit TRANSCRIPT_MAILS_PER_CLIENT = new Limit("transcript-mails", 5, Duration.ofHours(1),
      "you have had several transcripts mailed already; please wait an hour");

  private final StateStore store;

  public SharedLimits(StateStore store) {
    this.store = store;
  }

  /**
   * Counts one event for {@code key} and succeeds when it is within the limit; fails with
   * {@code rate_limited} past it, and with {@code unavailable} when the store cannot count (an
   * outage never lifts a limit). A null key (a local client, see {@link ClientAddress}) is not counted.
   */
  public Future<Void> admit(Limit limit, String key) {
    if (key == null) {
      return Future.succeededFuture();
    }
    return store.countInWindow(limit.name() + ":" + key, limit.window())
        .recover(e -> {
          log.warn("{} not counted: the store is unreachable ({})", limit.name(), e.toString());
          return Future.failedFuture(new ClientError(ErrorCode.unavailable,
              "the server could not do that just now; please retry"));
        })
        .compose(count -> count > limit.max()
            ? Future.failedFuture(new ClientError(ErrorCode.rate_limited, limit.refusal()))
            : Future.succeededFuture());
  }

  /** Gives back an event admitted by {@link #admit} that did not happen (e.g. the mail server failed). */
  public Future<Void> giveBack(Limit limit, String key) {
    if (key == null) {
      return Future.succeededFuture();
    }
    return store.uncount(limit.name() + ":" + key).recover(e -> Future.succeededFuture());
  }
}
