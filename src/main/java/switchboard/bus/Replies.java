package switchboard.bus;

import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Serves bus requests: the handler's result is the reply, its failure (or exception) the failed reply. */
public final class Replies {
  private static final Logger log = LoggerFactory.getLogger(Replies.class);

  private Replies() {}

  public static <T, R> void serve(Message<T> msg, Function<T, Future<R>> handler) {
    Future<R> result;
    try {
      result = handler.apply(msg.body());
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onSuccess(msg::reply).onFailure(e -> {
      if (StoreFailures.unreachable(e)) {
        // expected while the store is away: the client gets `unavailable` and retries
        log.warn("{} failed: the store is unreachable ({})", msg.address(), e.toString());
      } else if (!(e instanceof ClientError)) {
        log.error("{} failed", msg.address(), e);
      }
      ClientError.failReply(msg, e);
    });
  }
}
