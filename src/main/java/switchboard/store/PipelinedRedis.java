package switchboard.store;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commands over a few long-lived Redis connections, pipelined: a command goes out at once on
 * its connection and the replies come back in order, however many are in flight. The pooled
 * {@link Redis} client instead holds a connection per command until its reply, so a node could
 * never have more commands in flight than the pool has connections (8): at a few thousand
 * messages a second the wait queue filled and calls failed (docs/BENCHMARKS.md).
 *
 * <p>A connection runs its sends on its own event loop in call order, so any thread may send.
 * A connection that ends or fails is dropped (its waiting commands fail, as they would have
 * with the pool) and the next command on its slot makes a new one; a Redis that cannot be
 * reached fails each call at once, never queues it.
 */
final class PipelinedRedis {
  private static final Logger log = LoggerFactory.getLogger(PipelinedRedis.class);

  private final Redis client;
  private final Slot[] slots;
  private final AtomicInteger next = new AtomicInteger();
  private final Map<Thread, Slot> byEventLoop = new ConcurrentHashMap<>();

  /** @param client the pooled client, used only to make connections ({@code size} ≤ its pool size) */
  PipelinedRedis(Redis client, int size) {
    this.client = client;
    this.slots = new Slot[size];
    for (int i = 0; i < size; i++) {
      slots[i] = new Slot(i);
    }
  }

  Future<Response> send(Request request) {
    return slotFor(Vertx.currentContext()).connection().compose(c -> c.send(request));
  }

  /**
   * A caller on an event loop gets a connection of its own thread's, made from (and so bound to)
   * that event loop: its commands go out and its replies are read on its own thread, with no hop
   * to another event loop and back. Other callers share the round-robin slots.
   */
  private Slot slotFor(Context context) {
    if (context == null || !Context.isOnEventLoopThread()) {
      return slots[Math.floorMod(next.getAndIncrement(), slots.length)];
    }
    return byEventLoop.computeIfAbsent(Thread.currentThread(), t -> new Slot(-1));
  }

  /** Closes the connections (the pooled client is closed by its owner). */
  void close() {
    for (Slot slot : slots) {
      slot.drop(null);
    }
    for (Slot slot : byEventLoop.values()) {
      slot.drop(null);
    }
  }

  private final class Slot {
    private final int index;
    private Future<RedisConnection> current; // guarded by this; pending, or a live connection

    Slot(int index) {
      this.index = index;
    }

    synchronized Future<RedisConnection> connection() {
      if (current == null || current.failed()) {
        Future<RedisConnection> made = client.connect().map(c -> {
          c.exceptionHandler(e -> {
            log.debug("Redis connection {} failed: {}", index, e.getMessage());
            drop(c);
          });
          c.endHandler(v -> drop(c));
          return c;
        });
        current = made;
      }
      return current;
    }

    /** Forgets {@code which} (any connection when null) if it is still this slot's, and closes it. */
    void drop(RedisConnection which) {
      RedisConnection toClose = null;
      synchronized (this) {
        if (current != null && current.succeeded() && (which == null || current.result() == which)) {
          toClose = current.result();
          current = null;
        } else if (which == null) {
          current = null;
        }
      }
      if (toClose != null) {
        toClose.close();
      }
    }
  }
}
