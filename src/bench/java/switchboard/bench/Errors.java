package switchboard.bench;

import java.util.concurrent.atomic.LongAdder;

/** Error frames (or failed connects) seen by the clients: how many, and the first one as an example. */
final class Errors {
  private final LongAdder count = new LongAdder();
  private volatile String first;

  void add(String what) {
    count.increment();
    if (first == null) {
      first = what;
    }
  }

  long count() {
    return count.sum();
  }

  String first() {
    return first;
  }
}
