package switchboard.bench;

import io.vertx.core.Context;
import java.util.concurrent.locks.LockSupport;

/**
 * Fixed-rate arrivals for one lane, laid on a fine time grid ({@link #TICK_NS}). A timing thread
 * of its own sleeps to each grid point and hands the arrivals due by then to the lane's event
 * loop, stamped with that point as their scheduled time. Event-loop timers would not do: they
 * wake on millisecond boundaries, which adds half a millisecond to every latency. A point the
 * thread or the loop reaches late keeps its own stamp, so lateness shows as latency, never as a
 * lower rate (no coordinated omission).
 */
final class Grid {
  static final long TICK_NS = 250_000;

  interface Arrival {
    /** On the lane's event loop. {@code scheduled}: the grid point (System.nanoTime()); {@code index}: 0, 1, …. */
    void at(long scheduled, long index);
  }

  private Grid() {}

  /**
   * Starts {@code rate} arrivals a second from {@code t0} until {@code end} or {@code limit}
   * arrivals, run on {@code clients}' lane {@code lane}.
   */
  static void start(Clients clients, int lane, long t0, long end, double rate, long limit, Arrival arrival) {
    Context context = clients.lane(lane);
    double perNano = rate / 1e9;
    Thread timing = new Thread(() -> {
      long handed = 0;
      long last = t0;
      while (rate > 0) {
        // the first grid point by which the next arrival is due: no wake-up without work
        long dueAt = t0 + (long) Math.ceil((handed + 1) / perNano);
        long point = Math.max(last + TICK_NS, t0 + (dueAt - t0 + TICK_NS - 1) / TICK_NS * TICK_NS);
        if (point > end || handed >= limit) {
          return;
        }
        last = point;
        long wait;
        while ((wait = point - System.nanoTime()) > 0) {
          LockSupport.parkNanos(wait);
        }
        long due = Math.min(limit, (long) ((point - t0) * perNano + 1e-6));
        if (due > handed) {
          long from = handed;
          long to = due;
          context.runOnContext(v -> {
            for (long i = from; i < to; i++) {
              arrival.at(point, i);
            }
          });
          handed = due;
        }
      }
    }, "bench-grid-" + lane);
    timing.setDaemon(true);
    timing.setPriority(Thread.MAX_PRIORITY);
    timing.start();
  }
}
