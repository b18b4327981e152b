package switchboard.routing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.function.Supplier;

/**
 * A job over the whole waiting line (re-plan every chat, tell every guest their place) that
 * bursts of changes ask for again and again. Runs one at a time; runs at once when the last
 * run began long enough ago, else once at the end of the gap for all the requests made in it.
 * The gap is {@code minGapMs}, or twice the last run's time when the line is long (20,000
 * waiting chats), so bursts cannot keep an event loop busy with back-to-back runs
 * (docs/BENCHMARKS.md). Used from one event loop only.
 */
final class Coalesced {
  private final Vertx vertx;
  private final long minGapMs;
  private final Supplier<Future<?>> job;
  private boolean running;
  private boolean requestedWhileRunning;
  private long timer = -1;
  private long lastStartMs;
  private long lastDurationMs;

  Coalesced(Vertx vertx, long minGapMs, Supplier<Future<?>> job) {
    this.vertx = vertx;
    this.minGapMs = minGapMs;
    this.job = job;
  }

  /** Asks for a run that sees every change made before this call. */
  void request() {
    if (running) {
      requestedWhileRunning = true;
      return;
    }
    if (timer != -1) {
      return; // the run already scheduled covers this request too
    }
    long wait = lastStartMs + Math.max(minGapMs, 2 * lastDurationMs) - System.currentTimeMillis();
    if (wait > 0) {
      timer = vertx.setTimer(wait, id -> {
        timer = -1;
        request();
      });
      return;
    }
    running = true;
    long began = System.currentTimeMillis();
    lastStartMs = began;
    Future<?> run;
    try {
      run = job.get();
    } catch (RuntimeException e) {
      run = Future.failedFuture(e);
    }
    run.onComplete(r -> {
      lastDurationMs = System.currentTimeMillis() - began;
      running = false;
      if (requestedWhileRunning) {
        requestedWhileRunning = false;
        request();
      }
    });
  }

  void cancel() {
    if (timer != -1) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }
}
