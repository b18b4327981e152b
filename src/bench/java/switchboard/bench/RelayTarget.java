package switchboard.bench;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

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
    List<Pair> pairs = new ArrayList<>();
    for (int from = 0; from < count; from += parallel) {
      List<Future<Pair>> batch = new ArrayList<>();
      for (int i = from; i < Math.min(count, from + parallel); i++) {
        batch.add(one.apply(i));
      }
      Await.get(Future.all(batch), 120);
      batch.forEach(f -> pairs.add(f.result()));
    }
    return pairs;
  }
}
