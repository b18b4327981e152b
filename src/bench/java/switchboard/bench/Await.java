package switchboard.bench;

import io.vertx.core.Future;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Blocking waits for the bench's main thread (never called on an event loop). */
final class Await {
  private Await() {}

  static <T> T get(Future<T> future, double seconds) {
    try {
      return future.toCompletionStage().toCompletableFuture().get((long) (seconds * 1000), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("no answer within " + seconds + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Sleeps until {@code System.nanoTime()} reaches {@code deadline}. */
  static void until(long deadline) {
    long left;
    while ((left = deadline - System.nanoTime()) > 0) {
      try {
        Thread.sleep(Math.max(1, left / 1_000_000), 0);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  static void sleep(double seconds) {
    until(System.nanoTime() + (long) (seconds * 1e9));
  }
}
