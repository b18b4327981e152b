package switchboard.bench;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/** Something the relay load runs against: Switchboard in some set-up, or the bare baseline. */
interface RelayTarget extends AutoCloseable {
  /** "memory-1", "redis-2", "bare", … */
  String name();

  /** What it is, for the report. */
  String description();

  List<Pair> pairs();

  /** Other processes that work for this target (redis-server), counted as the bench's CPU. */
  List<Long> pids();

  @Override
  void close();

  /** Sets up {@code count} pairs, {@code parallel} at a time (a burst of sign-ins helps nobody). */
  static List<Pair> setUp(int count, int parallel, IntFunction<Future<Pair>> one) {
    return setUp(count, parallel, one, () -> "");
  }

  /**
   * As above; when a batch takes too long, the failure says {@code progress} (which step each pair
   * still waits for) and the threads' stacks go to stderr: the set-up hung twice in some 40 runs
   * with every step under a timeout of its own (docs/BENCHMARKS.md).
   */
  static List<Pair> setUp(int count, int parallel, IntFunction<Future<Pair>> one, Supplier<String> progress) {
    List<Pair> pairs = new ArrayList<>();
    for (int from = 0; from < count; from += parallel) {
      List<Future<Pair>> batch = new ArrayList<>();
      for (int i = from; i < Math.min(count, from + parallel); i++) {
        batch.add(one.apply(i));
      }
      try {
        Await.get(Future.all(batch), 120);
      } catch (IllegalStateException e) {
        if (!(e.getCause() instanceof TimeoutException)) {
          throw e;
        }
        Thread.getAllStackTraces().forEach((thread, stack) -> {
          System.err.println("\"" + thread.getName() + "\" " + thread.getState());
          for (StackTraceElement frame : stack) {
            System.err.println("    at " + frame);
          }
        });
        throw new IllegalStateException("set-up of pairs " + from + "–" + (from + batch.size() - 1)
            + " unfinished after 120 s; still waiting: " + progress.get() + " (thread dump on stderr)", e);
      }
      batch.forEach(f -> pairs.add(f.result()));
    }
    return pairs;
  }
}
